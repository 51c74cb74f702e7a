import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { searchWords } from "../src/lib/search";
import { protectValue } from "../src/pii/protection";
import { toContact } from "../src/resources/contacts/contacts.mappers";
import { contactSearchExpression, getContact } from "../src/resources/contacts/contacts.repository";
import { api } from "./helpers/api";
import { contactBody, namespaceOf, unique } from "./helpers/fixtures";
import { ftsIds } from "./helpers/fts";
import { addColumnsTodayReads, allRows, insertNamespace } from "./helpers/migration-db";
import { newAadhaar, newPan } from "./helpers/personal-data";

/**
 * migrations/0015_compact_props.sql on a database whose contacts hold props as objects, the way the API
 * wrote them before it (own D1 binding, this file's storage only): every contact's props become
 * `[key, value(, type)]` arrays in the same order, read back exactly as before, and nothing else of the
 * contact, its search index or the counts changes.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0015_compact_props.sql");
/** The migration's statements, run on a database that already has it (as a re-run would). */
const compactProps = (d1: D1Database) => d1.batch((migrations[at]?.queries ?? []).map((q) => d1.prepare(q)));

const all = <T = Record<string, unknown>>(query: string) => allRows<T>(db, query);

const C1 = "01JKB3Q2W6N7X8Y9Z0A1B2C3C1";
const C2 = "01JKB3Q2W6N7X8Y9Z0A1B2C3C2";
const C3 = "01JKB3Q2W6N7X8Y9Z0A1B2C3C3";
const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const PAN = "ABCPK1234F";
const HINDI = 'प्रिया "P" \\ 😀';

/** Every table of contacts_fts (its index, not only what a search returns). */
const FTS_TABLES = ["contacts_fts_data", "contacts_fts_idx", "contacts_fts_docsize", "contacts_fts_config"];
const search = (words: string) => ftsIds(db, "contacts", "t1", contactSearchExpression(searchWords(words)));

async function state() {
  const rows = await all<Record<string, unknown>>("select rowid, * from contacts order by rowid");
  const fts: Record<string, unknown[]> = {};
  for (const table of FTS_TABLES) fts[table] = await all(`select * from ${table} order by 1`);
  return {
    props: rows.map((r) => r.props),
    others: rows.map(({ props: _props, ...rest }) => rest),
    counts: await all("select * from contact_counts order by 1, 2, 3, 4, 5"),
    fts,
    read: await Promise.all([C1, C2, C3].map((id) => getContact(drizzle(db), "t1", id))),
  };
}

describe("migration 0015_compact_props", () => {
  it("rewrites every contact's props compact, in order, and changes nothing else", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    const envelope = await protectValue(env.PII_KEYS, "pan", PAN, { tenantId: "t1" });
    // Every type and a protected value (the PAN, stored as its envelope).
    const props = [
      { key: "pan_no", value: PAN, type: "text" },
      { key: "aadhaar_no", value: "XXXXXXXX2346", type: "text" },
      { key: "annual_income", value: "1150000", type: "number" },
      { key: "kyc_verified", value: "true", type: "boolean" },
      { key: "photo", value: "kyc/abcpk1234f/photo-1.jpg", type: "file" },
      { key: "cibil_score", value: "780", type: "number" },
      { key: "name_hi", value: HINDI, type: "text" },
    ];
    const storedValue = (value: string) => (value === PAN ? envelope : value);
    // As the API wrote them: objects; one object's keys in another order.
    const legacy = JSON.stringify(
      props.map(({ key, value, type }) =>
        key === "cibil_score" ? { type, value, key } : { key, value: storedValue(value), type },
      ),
    );
    const contacts: [string, string, string, string, string, number, string][] = [
      [C1, "Priya Sharma", "CUST-1", "active", legacy, 3, "2026-02-03T04:05:06.789Z"],
      [C2, "Kavya Iyer", "CUST-2", "inactive", "[]", 1, T],
      [
        C3,
        "राहुल शर्मा",
        "CUST-3",
        "active",
        '[{"key":"mobile","value":"+919876543210","type":"text"},{"key":"gender","value":"male","type":"text"}]',
        2,
        T,
      ],
    ];
    await db.batch([
      insertNamespace(db, NS, T),
      ...contacts.map(([id, name, ref, status, props, version, updated]) =>
        db
          .prepare(
            `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, props, version, created_at,
               created_by, updated_at, updated_by)
             values (?, 't1', ?, ?, ?, 'individual', ?, ?, ?, ?, 'u1', ?, 'u2')`,
          )
          .bind(id, NS, ref, name, status, props, version, T, updated),
      ),
    ]);
    await addColumnsTodayReads(db);
    const before = await state();
    expect(before.props).toEqual(contacts.map((c) => c[4]));
    expect(before.counts).toHaveLength(2);
    expect(await search("pri sha")).toEqual([C1]);

    await applyD1Migrations(db, migrations.slice(at, at + 1));

    const after = await state();
    expect(after.props).toEqual([
      JSON.stringify([
        ["pan_no", envelope],
        ["aadhaar_no", "XXXXXXXX2346"],
        ["annual_income", "1150000", "number"],
        ["kyc_verified", "true", "boolean"],
        ["photo", "kyc/abcpk1234f/photo-1.jpg", "file"],
        ["cibil_score", "780", "number"],
        ["name_hi", HINDI],
      ]),
      "[]",
      '[["mobile","+919876543210"],["gender","male"]]',
    ]);
    // The repository reads the same contacts, props in the same order (as JSON: key order too).
    expect(after.read).toEqual(before.read);
    expect(JSON.stringify(after.read)).toBe(JSON.stringify(before.read));
    const viewer = { tenantId: "t1", clear: true, ring: env.PII_KEYS };
    expect((await toContact(await getContact(drizzle(db), "t1", C1), viewer)).props).toEqual(props);
    // Every other column (version, updated_at ...), the counts and the search index as they were.
    expect(after.others).toEqual(before.others);
    expect(after.counts).toEqual(before.counts);
    expect(after.fts).toEqual(before.fts);
    expect(await search("pri sha")).toEqual([C1]);
    expect(await search("kav")).toEqual([C2]);
    expect(await search("राहु")).toEqual([C3]);
    await db.prepare("insert into contacts_fts (contacts_fts) values ('integrity-check')").run();

    // Run again, it finds nothing left to rewrite.
    const [again] = await compactProps(db);
    expect(again?.meta.changes).toBe(0);
  });

  it("objects an older worker writes after it are read alike, and it rewrites them again", async () => {
    const pan = newPan();
    const aadhaar = newAadhaar();
    const created = await api("POST", "/contacts/", {
      body: contactBody(await namespaceOf(), {
        name: unique("Props"),
        props: [
          { key: "pan", value: pan, type: "text" },
          { key: "aadhaar", value: aadhaar, type: "text" },
          { key: "loan_amount", value: "250000.50", type: "number" },
          { key: "consent", value: "false", type: "boolean" },
          { key: "notes", value: "ग्राहक ✓", type: "text" },
        ],
      }),
    });
    expect(created.status, created.text).toBe(201);
    const id: string = created.body.id;
    const stored = async () =>
      (await env.DB.prepare("select props from contacts where id = ?").bind(id).first<{ props: string }>())
        ?.props ?? "";
    const compact: string = await stored();
    const pairs: string[][] = JSON.parse(compact);
    expect(pairs.map((p) => p.length)).toEqual([2, 2, 3, 3, 2]);
    const read = async () => {
      const res = await api("GET", `/contacts/${id}/`);
      expect(res.status, res.text).toBe(200);
      return { body: res.body, etag: res.headers.get("etag") };
    };
    const first = await read();
    expect(first.body.props.map((p: { key: string }) => p.key)).toEqual([
      "pan",
      "aadhaar",
      "loan_amount",
      "consent",
      "notes",
    ]);

    const objects = JSON.stringify(pairs.map(([key, value, type = "text"]) => ({ key, value, type })));
    await env.DB.prepare("update contacts set props = ? where id = ?").bind(objects, id).run();
    expect(await read()).toEqual(first);

    await compactProps(env.DB);
    expect(await stored()).toBe(compact);
    expect(await read()).toEqual(first);
  });
});
