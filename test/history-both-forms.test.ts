import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { type HistoryEntry, namespaceOf, unique } from "./helpers/fixtures";
import { newPan, prop } from "./helpers/personal-data";

/**
 * This release runs before and after the next one's history migration (0019: the contact named by its
 * rowid, `at` in epoch milliseconds, maintenance_state `history_format` = 'compact'). The same requests
 * must answer the same history in both forms: entries written before the change read exactly as before,
 * and entries written after it are stored in the compact form.
 */
const COMPACT = [
  `CREATE TABLE contact_history_compact (tenant_id text NOT NULL, contact_id integer NOT NULL,
    at integer NOT NULL, id text NOT NULL, actor text NOT NULL, action text NOT NULL, changes text NOT NULL,
    reason text, subject_type text, subject_id text, PRIMARY KEY (tenant_id, contact_id, at, id)) WITHOUT ROWID`,
  `INSERT INTO contact_history_compact SELECT h.tenant_id, c.rowid,
    CAST(round((julianday(h.at) - 2440587.5) * 86400000.0) AS INTEGER), h.id, h.actor, h.action, h.changes,
    h.reason, h.subject_type, h.subject_id
    FROM contact_history h JOIN contacts c ON c.tenant_id = h.tenant_id AND c.id = h.contact_id`,
  "DROP TABLE contact_history",
  "ALTER TABLE contact_history_compact RENAME TO contact_history",
  "INSERT INTO maintenance_state (name, value) VALUES ('history_format', 'compact')",
];

const PAN = newPan();

const ok = async (method: string, path: string, body?: unknown) => {
  const res = await api(method, path, { body });
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  return res.body;
};

/** Every entry of a contact's history, two per page. */
async function walk(contactId: string): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  for (let page = 1; page < 50; page++) {
    const body = await ok("GET", `/contacts/${contactId}/history/?page_size=2&page=${page}`);
    entries.push(...body.results);
    if (!body.has_next) return entries;
  }
  throw new Error("history did not end");
}

/** One contact's life through the API; its history (one page, and two entries a page) and its relation's side. */
async function scenario() {
  const namespace = await namespaceOf();
  const related = await ok("POST", "/contacts/", {
    name: "Sunita Rao",
    namespace,
    status: "active",
    type: "individual",
    props: [],
  });
  const contact = await ok("POST", "/contacts/", {
    name: "Kiran Shah",
    namespace,
    status: "active",
    type: "individual",
    tags: ["salaried"],
    rm_id: "RM1",
    ref_id: unique("REF"),
    props: [prop("pan_no", PAN), prop("mobile", "9876543210")],
  });
  const id = contact.id as string;
  await ok("PATCH", `/contacts/${id}/`, { name: "Kiran S Shah" });
  await ok("PUT", `/contacts/${id}/approve/`, {});
  const address = await ok("POST", "/contacts/addresses/", {
    contact_id: id,
    address_line: "12, MG Road",
    city: "Bengaluru",
    state: "Karnataka",
    pincode: "560001",
    country: "India",
  });
  await ok("PATCH", `/contacts/addresses/${address.id}/`, { city: "Mysuru" });
  const bank = await ok("POST", "/contacts/banks/", {
    contact_id: id,
    account_number: "50100012345678",
    ifsc: "HDFC0001234",
    account_holder_name: "Kiran Shah",
  });
  const relation = await ok("POST", "/contacts/relations/", {
    contact: id,
    type: "guarantor",
    related_contact: related.id,
  });
  await ok("DELETE", `/contacts/addresses/${address.id}/`);
  await ok("PUT", `/contacts/${id}/inactive/`, {});
  const tokens = new Map<string, string>([
    [id, "contact"],
    [related.id, "related"],
    [address.id, "address"],
    [bank.id, "bank"],
    [relation.id, "relation"],
    [contact.ref_id, "ref"],
  ]);
  const pageMode = (await ok("GET", `/contacts/${id}/history/?page_size=100`)).results as HistoryEntry[];
  expect(await walk(id)).toEqual(pageMode);
  const relatedSide = (await ok("GET", `/contacts/${related.id}/history/?page_size=100`)).results;
  return { id, related: related.id as string, tokens, pageMode, relatedSide };
}

/** An entry without what differs between two runs: ids as their role, the instant as its format. */
function shape(entries: HistoryEntry[], tokens: Map<string, string>) {
  let text = JSON.stringify(
    entries.map(({ id: _id, at, ...rest }) => ({ ...rest, at: /^\d{4}-.*Z$/.test(at) })),
  );
  for (const [value, token] of tokens) text = text.replaceAll(value, token);
  return JSON.parse(text);
}

const newestFirst = (entries: HistoryEntry[]) =>
  entries.every((e, i) => i === 0 || (entries[i - 1] as HistoryEntry).at >= e.at);

describe("history in both storage forms", () => {
  it("answers the same before and after the history table turns compact, and writes the compact form", async () => {
    const before = await scenario();
    expect(before.pageMode.length).toBeGreaterThan(8);
    expect(newestFirst(before.pageMode)).toBe(true);

    for (const statement of COMPACT) await env.DB.prepare(statement).run();

    // Entries written before the change read exactly as they did.
    expect((await ok("GET", `/contacts/${before.id}/history/?page_size=100`)).results).toEqual(
      before.pageMode,
    );
    expect(await walk(before.id)).toEqual(before.pageMode);

    const after = await scenario();
    expect(shape(after.pageMode, after.tokens)).toEqual(shape(before.pageMode, before.tokens));
    expect(shape(after.relatedSide, after.tokens)).toEqual(shape(before.relatedSide, before.tokens));
    expect(newestFirst(after.pageMode)).toBe(true);

    // Stored compact: the contact's rowid and the instant's milliseconds.
    const [{ rowid } = { rowid: 0 }] = (
      await env.DB.prepare("select rowid from contacts where id = ?").bind(after.id).all<{ rowid: number }>()
    ).results;
    const stored = (
      await env.DB.prepare(
        "select typeof(contact_id) as k, typeof(at) as t, at, id from contact_history where contact_id = ? order by at desc, id desc",
      )
        .bind(rowid)
        .all<{ k: string; t: string; at: number; id: string }>()
    ).results;
    expect(stored.map((r) => [r.k, r.t])).toEqual(after.pageMode.map(() => ["integer", "integer"]));
    expect(stored.map((r) => [new Date(r.at).toISOString(), r.id])).toEqual(
      after.pageMode.map((e) => [e.at, e.id]),
    );

    // Erasure redacts either contact's entries alike.
    await ok("POST", `/contacts/${before.id}/erase/`, { reason: "DPDP request" });
    await ok("POST", `/contacts/${after.id}/erase/`, { reason: "DPDP request" });
    const erasedBefore = (await ok("GET", `/contacts/${before.id}/history/?page_size=100`)).results;
    const erasedAfter = (await ok("GET", `/contacts/${after.id}/history/?page_size=100`)).results;
    expect(erasedAfter.at(0)?.action).toBe("erased");
    expect(erasedAfter.slice(1).every((e: HistoryEntry) => Object.keys(e.changes).length === 0)).toBe(true);
    expect(shape(erasedAfter, after.tokens)).toEqual(shape(erasedBefore, before.tokens));
  });
});
