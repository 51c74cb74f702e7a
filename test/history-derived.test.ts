import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { type HistoryEntry, historyOf, namespaceOf, unique } from "./helpers/fixtures";
import { newPan, prop } from "./helpers/personal-data";

/**
 * A create writes no history row: the created entry of a contact, address, bank account or relation is
 * read from the record while no write has touched it (migrations/0021), and the first write that changes,
 * moves or deletes the record stores it first (an address's or bank's without its fields, derived when
 * history is read; a relation's with them). Whatever happens to the record afterwards, its created entry
 * must read exactly as it did right after the create: same id, time, author and fields.
 */
const createdEntry = async (contactId: string, subjectId = contactId) => {
  const entry = (await historyOf(contactId)).find(
    (h) => h.action.endsWith("created") && h.subject.id === subjectId,
  );
  expect(entry, `created entry of ${subjectId}`).toBeDefined();
  return entry as HistoryEntry;
};

const storedChanges = async (contactId: string, action: string) =>
  (
    await env.DB.prepare(
      "select changes from contact_history where contact_id = (select rowid from contacts where id = ?) and action = ?",
    )
      .bind(contactId, action)
      .all<{ changes: string }>()
  ).results.map((r) => r.changes);

const storedRows = async (contactId: string) =>
  (
    await env.DB.prepare(
      "select count(*) as n from contact_history where contact_id = (select rowid from contacts where id = ?)",
    )
      .bind(contactId)
      .first<{ n: number }>()
  )?.n;

async function newContact(props = [prop("pan_no", newPan()), prop("mobile", "9876543210")]) {
  const res = await api("POST", "/contacts/", {
    body: {
      name: "Derived Entry",
      namespace: await namespaceOf(),
      status: "active",
      type: "individual",
      tags: ["salaried"],
      rm_id: "RM1",
      ref_id: unique("REF"),
      props: [...props, prop("occupation", "Teacher")],
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; ref_id: string };
}

describe("history: derived created entries", () => {
  it("a contact's created entry reads the same after every kind of change, and is never stored", async () => {
    const c = await newContact();
    const atCreate = await createdEntry(c.id);
    expect(atCreate).toMatchObject({ id: c.id, actor: "u1", subject: { type: "contact", id: c.id } });
    expect(atCreate.changes).toMatchObject({
      name: [null, "Derived Entry"],
      tags: [null, ["salaried"]],
      rm_id: [null, "RM1"],
      ref_id: [null, c.ref_id],
      approval_status: [null, "pending"],
    });
    expect(await storedRows(c.id)).toBe(0);

    const other = await api("POST", "/namespaces/", { body: { name: unique("ns-move") } });
    expect(other.status, other.text).toBe(201);
    const steps = [
      () =>
        api("PATCH", `/contacts/${c.id}/`, {
          body: { name: "Renamed Entry", tags: [], rm_id: null, ref_id: unique("NEW"), branch_id: "BR9" },
        }),
      () => api("PATCH", `/contacts/${c.id}/`, { body: { namespace: other.body.name } }),
      () =>
        api("PUT", `/contacts/${c.id}/props/`, {
          body: [prop("occupation", "Farmer"), prop("email", "derived@example.com")],
        }),
      () => api("DELETE", `/contacts/${c.id}/props/?key=mobile`),
      () => api("PATCH", `/contacts/${c.id}/`, { body: { props: [prop("dob", "1990-01-02")] } }),
      () => api("PUT", `/contacts/${c.id}/approve/`),
      () => api("PUT", `/contacts/${c.id}/inactive/`),
    ];
    for (const step of steps) expect([200, 204]).toContain((await step()).status);

    expect((await historyOf(c.id)).map((h) => h.action)).toEqual([
      "deactivated",
      "approved",
      "updated",
      "props_deleted",
      "props_updated",
      "updated",
      "updated",
      "created",
    ]);
    // Props come back as a set: a prop deleted later returns at the end of the list (no position is kept).
    const byKey = (changes: HistoryEntry["changes"]) => {
      const [, props] = changes.props as [null, { key: string }[]];
      return { ...changes, props: [null, [...props].sort((a, b) => a.key.localeCompare(b.key))] };
    };
    const after = await createdEntry(c.id);
    expect(byKey(after.changes)).toEqual(byKey(atCreate.changes));
    expect({ ...after, changes: {} }).toEqual({ ...atCreate, changes: {} });
    expect(await storedChanges(c.id, "created")).toEqual([]);
  });

  it("an address's created entry survives its updates and its deletion", async () => {
    const c = await newContact();
    const created = await api("POST", "/contacts/addresses/", {
      body: { contact_id: c.id, type: "office", city: "Pune", pincode: "411001", tags: ["hq"] },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    const atCreate = await createdEntry(c.id, id);
    expect(atCreate.changes).toMatchObject({ city: [null, "Pune"], type: [null, "office"] });
    expect(atCreate).toMatchObject({ id, at: created.body.created_at, subject: { type: "address", id } });
    expect(await storedRows(c.id)).toBe(0);

    expect(
      (await api("PATCH", `/contacts/addresses/${id}/`, { body: { city: "Nashik", tags: [] } })).status,
    ).toBe(200);
    expect((await api("PATCH", `/contacts/addresses/${id}/`, { body: { pincode: "422001" } })).status).toBe(
      200,
    );
    expect(await createdEntry(c.id, id)).toEqual(atCreate);
    // The first change stored it, without its fields; the second did not store it again.
    expect(await storedChanges(c.id, "address_created")).toEqual(["{}"]);
    expect((await api("DELETE", `/contacts/addresses/${id}/`)).status).toBe(204);
    expect(await createdEntry(c.id, id)).toEqual(atCreate);
  });

  it("an address deleted untouched keeps its created entry", async () => {
    const c = await newContact();
    const created = await api("POST", "/contacts/addresses/", {
      body: { contact_id: c.id, type: "current", city: "Agra" },
    });
    expect(created.status, created.text).toBe(201);
    const atCreate = await createdEntry(c.id, created.body.id);
    expect((await api("DELETE", `/contacts/addresses/${created.body.id}/`)).status).toBe(204);
    expect((await historyOf(c.id)).map((h) => h.action)).toEqual([
      "address_deleted",
      "address_created",
      "created",
    ]);
    expect(await createdEntry(c.id, created.body.id)).toEqual(atCreate);
  });

  it("a bank account's created entry survives a new number, losing its primary flag and deletion", async () => {
    const c = await newContact();
    const body = (n: string, primary: boolean) => ({
      contact_id: c.id,
      account_number: n,
      ifsc: "HDFC0001234",
      account_holder_name: "Derived Entry",
      account_type: "savings",
      is_primary: primary,
    });
    const first = await api("POST", "/contacts/banks/", { body: body("123456789012", true) });
    expect(first.status, first.text).toBe(201);
    const atCreate = await createdEntry(c.id, first.body.id);
    expect(atCreate.changes).toMatchObject({
      account_number: [null, "XXXXXXXX9012"],
      is_primary: [null, true],
    });

    expect(
      (await api("PATCH", `/contacts/banks/${first.body.id}/`, { body: { account_number: "5555666677" } }))
        .status,
    ).toBe(200);
    const second = await api("POST", "/contacts/banks/", { body: body("998877665544", true) });
    expect(second.status).toBe(201);
    const secondAtCreate = await createdEntry(c.id, second.body.id);
    expect(await createdEntry(c.id, first.body.id)).toEqual(atCreate);
    expect((await api("DELETE", `/contacts/banks/${first.body.id}/`)).status).toBe(204);
    expect(await createdEntry(c.id, first.body.id)).toEqual(atCreate);

    // A third primary clears the second, untouched until then: its created entry is stored first.
    expect((await api("POST", "/contacts/banks/", { body: body("112233445566", true) })).status).toBe(201);
    const cleared = await api("GET", `/contacts/banks/${second.body.id}/`);
    expect(cleared.body.is_primary).toBe(false);
    expect(await createdEntry(c.id, second.body.id)).toEqual(secondAtCreate);
    expect(secondAtCreate.changes).toMatchObject({ is_primary: [null, true] });
  });

  it("is derived on whichever page it falls", async () => {
    const c = await newContact();
    const atCreate = await createdEntry(c.id);
    for (const rm of ["A", "B", "C"])
      expect((await api("PATCH", `/contacts/${c.id}/`, { body: { rm_id: rm } })).status).toBe(200);
    const lastPage = await api("GET", `/contacts/${c.id}/history/?page_size=1&page=4`);
    expect(lastPage.status).toBe(200);
    expect(lastPage.body.results).toHaveLength(1);
    expect(lastPage.body.results[0]).toMatchObject({ action: "created", changes: atCreate.changes });

    const walked: HistoryEntry[] = [];
    for (const page of [1, 2]) {
      const res = await api("GET", `/contacts/${c.id}/history/?page_size=2&page=${page}`);
      expect(res.status, res.text).toBe(200);
      walked.push(...res.body.results);
    }
    expect(walked.map((h) => h.action)).toEqual(["updated", "updated", "updated", "created"]);
    expect(walked.at(-1)?.changes).toEqual(atCreate.changes);
  });

  it("pages interleave entries read from records with stored ones, newest first", async () => {
    const c = await newContact();
    const address = await api("POST", "/contacts/addresses/", { body: { contact_id: c.id, city: "Goa" } });
    expect(address.status).toBe(201);
    expect((await api("PATCH", `/contacts/${c.id}/`, { body: { rm_id: "R2" } })).status).toBe(200);
    const bank = await api("POST", "/contacts/banks/", {
      body: { contact_id: c.id, account_number: "44445555", ifsc: "SBIN0001234", account_holder_name: "D E" },
    });
    expect(bank.status).toBe(201);
    const all = await historyOf(c.id);
    expect(all.map((h) => h.action)).toEqual(["bank_created", "updated", "address_created", "created"]);
    const page2 = await api("GET", `/contacts/${c.id}/history/?page_size=3&page=2`);
    expect(page2.body).toMatchObject({ count: 4, total_pages: 2, results: [all[3]] });

    const walked: HistoryEntry[] = [];
    for (const page of [1, 2, 3, 4]) {
      const res = await api("GET", `/contacts/${c.id}/history/?page_size=1&page=${page}`);
      expect(res.status, res.text).toBe(200);
      walked.push(...res.body.results);
    }
    expect(walked).toEqual(all);
  });

  it("after erasure the created entry stays redacted", async () => {
    const c = await newContact();
    const erased = await api("POST", `/contacts/${c.id}/erase/`, { body: { reason: "DPDP request" } });
    expect(erased.status, erased.text).toBe(200);
    const history = await historyOf(c.id);
    expect(history.map((h) => h.action)).toEqual(["erased", "created"]);
    for (const entry of history) expect(entry.changes).toEqual({});
  });

  it("erasure redacts every earlier entry's reason too, and keeps its own (API.md, Personal data)", async () => {
    const c = await newContact();
    const reason = "Called Mr Verma on 9876543210 to confirm";
    expect((await api("PUT", `/contacts/${c.id}/approve/`, { body: { reason } })).status).toBe(200);
    expect((await api("PUT", `/contacts/${c.id}/inactive/`, { body: { reason } })).status).toBe(200);
    const before = await historyOf(c.id);
    expect(before.filter((h) => h.reason === reason)).toHaveLength(2);
    const erased = await api("POST", `/contacts/${c.id}/erase/`, { body: { reason: "DPDP request" } });
    expect(erased.status, erased.text).toBe(200);
    const after = await historyOf(c.id);
    expect(after[0]).toMatchObject({ action: "erased", reason: "DPDP request" });
    // Every earlier entry keeps id, at, actor, action and subject; nothing else.
    expect(after.slice(1)).toEqual(before.map((h) => ({ ...h, changes: {}, reason: null })));
    const stored = await env.DB.prepare("select count(*) as n from contact_history where reason = ?")
      .bind(reason)
      .first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });
});
