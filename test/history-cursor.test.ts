import { describe, expect, it } from "vitest";
import { type ApiResponse, api } from "./helpers/api";
import {
  createContact,
  expectInvalid,
  expectProblem,
  type HistoryEntry,
  historyOf,
  UNKNOWN_ID,
} from "./helpers/fixtures";
import { createAddress, createBank, createRelation } from "./helpers/sub-resources";

/**
 * Cursor mode on a contact's history (API.md, Lists): the same entries in the same order as page mode,
 * whatever the page size, across entries stored by writes and `*_created` entries read from untouched
 * records (migrations/0021), with ties on `at` broken by id.
 */
const enc = encodeURIComponent;

const historyPage = (contactId: string, query: string, tenant?: string) =>
  api("GET", `/contacts/${contactId}/history/?${query}`, { tenant });

/** Every entry of a contact's history, walked page by page in cursor mode. */
async function walk(contactId: string, pageSize: number): Promise<HistoryEntry[]> {
  const seen: HistoryEntry[] = [];
  let cursor = "";
  for (let pages = 0; pages < 100; pages++) {
    const res = await historyPage(contactId, `cursor=${enc(cursor)}&page_size=${pageSize}`);
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["has_next", "next_cursor", "page_size", "results"]);
    expect(res.body.page_size).toBe(pageSize);
    seen.push(...res.body.results);
    if (!res.body.has_next) {
      expect(res.body.next_cursor).toBeNull();
      return seen;
    }
    expect(res.body.results).toHaveLength(pageSize);
    cursor = res.body.next_cursor;
  }
  throw new Error("the walk did not end");
}

/** A contact whose history mixes stored entries and entries read from untouched records. */
async function busyContact(): Promise<string> {
  const id = await createContact("t1", "Cursor History");
  const other = await createContact("t1", "Cursor Relative");
  const touched = await createAddress(id, { city: "Pune" });
  await createAddress(id, { city: "Nashik" });
  await createBank(id);
  await createRelation({ contact: id, type: "guarantor", related_contact: other });
  for (const name of ["Cursor History A", "Cursor History B", "Cursor History C"]) {
    const res = await api("PATCH", `/contacts/${id}/`, { body: { name } });
    expect(res.status, res.text).toBe(200);
  }
  expect(
    (await api("PATCH", `/contacts/addresses/${touched.id}/`, { body: { pincode: "411001" } })).status,
  ).toBe(200);
  expect((await api("PUT", `/contacts/${id}/approve/`, { body: { reason: "kyc ok" } })).status).toBe(200);
  return id;
}

const byAtThenId = (a: HistoryEntry, b: HistoryEntry) =>
  a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1;

describe("history: cursor mode", () => {
  it("walks exactly the page-mode entries, in order, at every page size", async () => {
    const id = await busyContact();
    const all = await historyOf(id);
    // created, 2 addresses, bank, relation, 3 updates, address_updated, approved
    expect(all).toHaveLength(10);
    expect(all.map((e) => e.action).filter((a) => a.endsWith("_created") || a === "created")).toHaveLength(5);
    // Newest first, ties on `at` by id: the order the keyset continues.
    expect([...all].sort(byAtThenId)).toEqual(all);
    for (const size of [1, 2, 3, 4, 100]) expect(await walk(id, size), `page_size ${size}`).toEqual(all);
  });

  it("a write after the first page neither repeats nor skips an entry of the walk", async () => {
    const id = await busyContact();
    const before = await historyOf(id);
    const first = await historyPage(id, "cursor=&page_size=3");
    expect(first.status, first.text).toBe(200);
    expect((await api("PATCH", `/contacts/${id}/`, { body: { rm_id: "RM-LATE" } })).status).toBe(200);
    const rest: HistoryEntry[] = [];
    let cursor: string | null = first.body.next_cursor;
    while (cursor) {
      const res: ApiResponse = await historyPage(id, `cursor=${enc(cursor)}&page_size=3`);
      expect(res.status, res.text).toBe(200);
      rest.push(...res.body.results);
      cursor = res.body.next_cursor;
    }
    expect([...first.body.results, ...rest]).toEqual(before);
    // The new entry is at the head of a fresh walk.
    expect((await historyOf(id))[0]).toMatchObject({
      action: "updated",
      changes: { rm_id: [null, "RM-LATE"] },
    });
  });

  it("400 for a tampered cursor, another contact's, another tenant's, or with page", async () => {
    const id = await busyContact();
    const other = await createContact("t1", "Other History");
    const first = await historyPage(id, "cursor=&page_size=2");
    const cursor: string = first.body.next_cursor;
    const [body, mac] = cursor.split(".") as [string, string];
    const flip = (s: string) => `${s[0] === "A" ? "B" : "A"}${s.slice(1)}`;
    const bad = async (contactId: string, query: string, paths: string[], tenant?: string) =>
      expectInvalid(await historyPage(contactId, query, tenant), paths);
    await bad(id, `cursor=${enc(`${flip(body)}.${mac}`)}&page_size=2`, ["cursor"]);
    await bad(id, `cursor=${enc(`${body}.${flip(mac)}`)}&page_size=2`, ["cursor"]);
    await bad(id, "cursor=garbage&page_size=2", ["cursor"]);
    await bad(other, `cursor=${enc(cursor)}&page_size=2`, ["cursor"]);
    await bad(id, `cursor=${enc(cursor)}&page=1`, ["page"]);
    await bad(id, `cursor=${"a".repeat(1025)}`, ["cursor"]);
    // Another tenant's token: the cursor is bound to the tenant that walked it (400, as for every list).
    await bad(id, `cursor=${enc(cursor)}&page_size=2`, ["cursor"], "t2");
    // The untampered cursor still works.
    const ok = await historyPage(id, `cursor=${enc(cursor)}&page_size=2`);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.results).toEqual((await historyOf(id)).slice(2, 4));
  });

  it("404 for a contact that does not exist, in cursor mode as in page mode", async () => {
    expectProblem(await historyPage(UNKNOWN_ID, "cursor="), 404, "/problems/not_found");
    expectProblem(await historyPage(UNKNOWN_ID, "page=1"), 404, "/problems/not_found");
  });

  it("an erased contact's redacted history walks the same way", async () => {
    const id = await busyContact();
    const erase = await api("POST", `/contacts/${id}/erase/`, { body: { reason: "DPDP request" } });
    expect(erase.status, erase.text).toBe(200);
    const all = await historyOf(id);
    expect(all[0]).toMatchObject({ action: "erased" });
    expect(await walk(id, 2)).toEqual(all);
  });
});
