import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { contactBody, errorPaths, namespaceOf, sleep } from "./helpers/fixtures";
import { ADDRESSES, addressBody, BANKS, bankBody, createRecord, RELATIONS } from "./helpers/sub-resources";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const EXPAND_ALL = "expand=addresses,banks,relations";

type Rec = { id: string; tenant_id: string; [key: string]: unknown };
type Contact = Rec & { addresses?: Rec[]; banks?: Rec[]; relations?: Rec[] };

async function createContact(tenant: string, name: string): Promise<Contact> {
  const res = await api("POST", "/contacts/", {
    body: contactBody(await namespaceOf(tenant), { name }),
    tenant,
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const address = (tenant: string, contactId: string, city = "Bengaluru") =>
  createRecord<Rec>(ADDRESSES, addressBody(contactId, { city }), tenant);
const bank = (tenant: string, contactId: string) => createRecord<Rec>(BANKS, bankBody(contactId), tenant);
const relation = (tenant: string, contactId: string, type: string, related: string | null) =>
  createRecord<Rec>(RELATIONS, { contact: contactId, type, related_contact: related }, tenant);

const byId = (records: Rec[] | undefined) => [...(records ?? [])].sort((a, b) => a.id.localeCompare(b.id));
const EXPANDED_KEYS = ["addresses", "banks", "relations"];

function expectNoExpansion(contact: Contact) {
  for (const key of EXPANDED_KEYS) expect(Object.keys(contact), key).not.toContain(key);
}

// ---------------------------------------------------------------------------------------------
// Fixture: four contacts of tenant "exp" with different sub-records
// ---------------------------------------------------------------------------------------------

const tenant = "exp";
let A: Contact;
let B: Contact;
let C: Contact;
let D: Contact;
/** What each contact's expansion must hold. */
const expected = new Map<string, { addresses: Rec[]; banks: Rec[]; relations: Rec[] }>();

beforeAll(async () => {
  A = await createContact(tenant, "Anil Kumar");
  await sleep(2);
  B = await createContact(tenant, "Bina Rao");
  await sleep(2);
  C = await createContact(tenant, "Chandra Shekar");
  await sleep(2);
  D = await createContact(tenant, "Deepa Nair");

  const aAddr1 = await address(tenant, A.id, "Bengaluru");
  const aAddr2 = await address(tenant, A.id, "Mysuru");
  const bAddr = await address(tenant, B.id, "Chennai");
  const aBank = await bank(tenant, A.id);
  const bBank1 = await bank(tenant, B.id);
  const bBank2 = await bank(tenant, B.id);
  const cBank = await bank(tenant, C.id);
  const rAB = await relation(tenant, A.id, "spouse", B.id);
  const rCA = await relation(tenant, C.id, "child", A.id);
  const rB = await relation(tenant, B.id, "guarantor", null);

  expected.set(A.id, { addresses: [aAddr1, aAddr2], banks: [aBank], relations: [rAB, rCA] });
  expected.set(B.id, { addresses: [bAddr], banks: [bBank1, bBank2], relations: [rAB, rB] });
  expected.set(C.id, { addresses: [], banks: [cBank], relations: [rCA] });
  expected.set(D.id, { addresses: [], banks: [], relations: [] });

  // Another tenant's records that name tenant exp's contacts, written straight to the database
  // (the API refuses them): they must never appear in an expansion.
  const now = new Date().toISOString();
  await env.DB.batch([
    env.DB.prepare(
      `insert into addresses (id, tenant_id, contact_id, address_line, city, state, pincode, country, type, tags, version, created_at, created_by, updated_at)
       values (?, 't2', ?, 'Leaked Road 1', 'Leakcity', 'Leakstate', '999999', 'Nowhere', 'current', '[]', 1, ?, 'intruder', ?)`,
    ).bind("01HZZZZZZZZZZZZZZZZZZZZZZA", A.id, now, now),
    env.DB.prepare(
      `insert into bank_accounts (id, tenant_id, contact_id, account_number, ifsc, account_holder_name, account_type, is_primary, tags, version, created_at, created_by, updated_at)
       values (?, 't2', ?, '99999999', 'LEAK0000001', 'Intruder', 'savings', 0, '[]', 1, ?, 'intruder', ?)`,
    ).bind("01HZZZZZZZZZZZZZZZZZZZZZZB", B.id, now, now),
    env.DB.prepare(
      `insert into relations (id, tenant_id, contact_id, type, related_contact_id, tags, version, created_at, created_by, updated_at)
       values (?, 't2', ?, 'friend', ?, '[]', 1, ?, 'intruder', ?)`,
    ).bind("01HZZZZZZZZZZZZZZZZZZZZZZC", C.id, D.id, now, now),
  ]);
});

function expectExpansion(contact: Contact, kinds = EXPANDED_KEYS) {
  const want = expected.get(contact.id);
  expect(want, contact.id).toBeDefined();
  for (const kind of kinds) {
    const got = (contact as Record<string, unknown>)[kind] as Rec[] | undefined;
    expect(Array.isArray(got), `${contact.name}.${kind}`).toBe(true);
    expect(byId(got), `${contact.name}.${kind}`).toEqual(byId(want?.[kind as "addresses"]));
    for (const record of got ?? []) expect(record.tenant_id).toBe(tenant);
  }
  for (const key of EXPANDED_KEYS.filter((k) => !kinds.includes(k))) {
    expect(Object.keys(contact), key).not.toContain(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Retrieve
// ---------------------------------------------------------------------------------------------

describe("expand on retrieve", () => {
  it("embeds addresses, banks and relations (either side) under those names", async () => {
    for (const contact of [A, B, C, D]) {
      const res = await api("GET", `/contacts/${contact.id}/?${EXPAND_ALL}`, { tenant });
      expect(res.status, res.text).toBe(200);
      expectExpansion(res.body);
    }
  });

  it("the embedded records equal what their own routes return", async () => {
    const res = await api("GET", `/contacts/${A.id}/?${EXPAND_ALL}`, { tenant });
    for (const [kind, path] of [
      ["addresses", "/contacts/addresses/"],
      ["banks", "/contacts/banks/"],
      ["relations", "/contacts/relations/"],
    ] as const) {
      for (const record of res.body[kind] as Rec[]) {
        const own = await api("GET", `${path}${record.id}/`, { tenant });
        expect(own.status).toBe(200);
        expect(record).toEqual(own.body);
      }
    }
  });

  it("the rest of the contact is as without expand", async () => {
    const plain = await api("GET", `/contacts/${A.id}/`, { tenant });
    const expanded = await api("GET", `/contacts/${A.id}/?${EXPAND_ALL}`, { tenant });
    const { addresses: _a, banks: _b, relations: _r, ...rest } = expanded.body;
    expect(rest).toEqual(plain.body);
  });

  it("absent when not asked for; only the kinds asked for", async () => {
    const plain = await api("GET", `/contacts/${A.id}/`, { tenant });
    expect(plain.status).toBe(200);
    expectNoExpansion(plain.body);
    for (const kinds of [["addresses"], ["banks"], ["relations"], ["addresses", "relations"]]) {
      const res = await api("GET", `/contacts/${A.id}/?expand=${kinds.join(",")}`, { tenant });
      expect(res.status, res.text).toBe(200);
      expectExpansion(res.body, kinds);
    }
  });

  it("empty arrays for a contact without sub-records", async () => {
    const res = await api("GET", `/contacts/${D.id}/?${EXPAND_ALL}`, { tenant });
    expect(res.body).toMatchObject({ addresses: [], banks: [], relations: [] });
  });

  it("expand=props is accepted and adds no key (props are always embedded)", async () => {
    const plain = await api("GET", `/contacts/${A.id}/`, { tenant });
    const res = await api("GET", `/contacts/${A.id}/?expand=props`, { tenant });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(plain.body);
    expect(Array.isArray(res.body.props)).toBe(true);
    const mixed = await api("GET", `/contacts/${A.id}/?expand=props,banks`, { tenant });
    expectExpansion(mixed.body, ["banks"]);
  });

  it("repeated and spaced values are accepted", async () => {
    const res = await api(
      "GET",
      `/contacts/${A.id}/?expand=${encodeURIComponent("banks, banks ,addresses")}`,
      {
        tenant,
      },
    );
    expect(res.status, res.text).toBe(200);
    expectExpansion(res.body, ["addresses", "banks"]);
  });

  for (const value of ["foo", "addresses,foo", "Addresses", "address", "props,bank"]) {
    it(`expand=${value} is 400 at expand`, async () => {
      const res = await api("GET", `/contacts/${A.id}/?expand=${value}`, { tenant });
      expect(res.status, res.text).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(errorPaths(res)).toEqual(["expand"]);
    });
  }

  it("another tenant's contact with expand is 404", async () => {
    const res = await api("GET", `/contacts/${A.id}/?${EXPAND_ALL}`, { tenant: "t2" });
    expect(res.status).toBe(404);
    expect(res.body.type).toBe("/problems/not_found");
  });

  it("a deleted sub-record disappears from the expansion", async () => {
    const extra = await address(tenant, D.id, "Pune");
    let res = await api("GET", `/contacts/${D.id}/?expand=addresses`, { tenant });
    expect(res.body.addresses.map((a: Rec) => a.id)).toEqual([extra.id]);
    expect((await api("DELETE", `/contacts/addresses/${extra.id}/`, { tenant })).status).toBe(204);
    res = await api("GET", `/contacts/${D.id}/?expand=addresses`, { tenant });
    expect(res.body.addresses).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------------------------

describe("expand on list", () => {
  const list = (query: string) => api("GET", `/contacts/?${query}`, { tenant });

  it("embeds per contact on a page of four contacts with different sub-records", async () => {
    const res = await list(`${EXPAND_ALL}&ordering=created_at`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.count).toBe(4);
    expect(res.body.results.map((c: Contact) => c.id)).toEqual([A.id, B.id, C.id, D.id]);
    for (const contact of res.body.results) expectExpansion(contact);
  });

  it("absent when not asked for; only the kinds asked for", async () => {
    const plain = await list("ordering=created_at");
    for (const contact of plain.body.results) expectNoExpansion(contact);
    const some = await list("expand=relations&ordering=-created_at");
    expect(some.body.results.length).toBe(4);
    for (const contact of some.body.results) expectExpansion(contact, ["relations"]);
    const props = await list("expand=props&ordering=created_at");
    expect(props.status).toBe(200);
    expect(props.body).toEqual(plain.body);
  });

  it("embeds correctly on a later page", async () => {
    const res = await list(`${EXPAND_ALL}&ordering=created_at&page_size=2&page=2`);
    expect(res.body.results.map((c: Contact) => c.id)).toEqual([C.id, D.id]);
    for (const contact of res.body.results) expectExpansion(contact);
    const desc = await list(`${EXPAND_ALL}&page_size=3&page=1`);
    expect(desc.body.results.map((c: Contact) => c.id)).toEqual([D.id, C.id, B.id]);
    for (const contact of desc.body.results) expectExpansion(contact);
  });

  it("embeds correctly in cursor mode", async () => {
    const first = await list(`${EXPAND_ALL}&cursor=&page_size=3&ordering=created_at`);
    expect(first.status, first.text).toBe(200);
    expect(first.body.results.map((c: Contact) => c.id)).toEqual([A.id, B.id, C.id]);
    for (const contact of first.body.results) expectExpansion(contact);
    const second = await list(
      `${EXPAND_ALL}&cursor=${encodeURIComponent(first.body.next_cursor)}&page_size=3&ordering=created_at`,
    );
    expect(second.status, second.text).toBe(200);
    expect(second.body.results.map((c: Contact) => c.id)).toEqual([D.id]);
    expect(second.body.has_next).toBe(false);
    for (const contact of second.body.results) expectExpansion(contact);
  });

  it("a cursor does not depend on expand (expand is not a filter)", async () => {
    const first = await list(`cursor=&page_size=2&ordering=created_at`);
    const second = await list(
      `${EXPAND_ALL}&cursor=${encodeURIComponent(first.body.next_cursor)}&page_size=2&ordering=created_at`,
    );
    expect(second.status, second.text).toBe(200);
    expect(second.body.results.map((c: Contact) => c.id)).toEqual([C.id, D.id]);
    for (const contact of second.body.results) expectExpansion(contact);
  });

  it("embeds correctly with filters and search", async () => {
    const res = await list(`${EXPAND_ALL}&search=bina`);
    expect(res.body.results.map((c: Contact) => c.id)).toEqual([B.id]);
    expectExpansion(res.body.results[0]);
    const cursor = await list(`${EXPAND_ALL}&search=chandra&cursor=`);
    expect(cursor.body.results.map((c: Contact) => c.id)).toEqual([C.id]);
    expectExpansion(cursor.body.results[0]);
  });

  it("a page past the end with expand is empty", async () => {
    const res = await list(`${EXPAND_ALL}&page=9`);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([]);
    expect(res.body.count).toBe(4);
  });

  it("an unknown expand value is 400", async () => {
    for (const value of ["foo", "props,foo"]) {
      const res = await list(`expand=${value}`);
      expect(res.status).toBe(400);
      expect(errorPaths(res)).toEqual(["expand"]);
    }
  });

  it("another tenant's list never shows these records", async () => {
    const res = await api("GET", `/contacts/?${EXPAND_ALL}&page_size=100`, { tenant: "t2" });
    expect(res.status).toBe(200);
    for (const contact of res.body.results as Contact[]) {
      expect(contact.tenant_id).toBe("t2");
      for (const kind of EXPANDED_KEYS) {
        for (const record of (contact as Record<string, Rec[]>)[kind] ?? [])
          expect(record.tenant_id).toBe("t2");
      }
    }
    expect(res.body.results.map((c: Contact) => c.id)).not.toContain(A.id);
  });
});

// ---------------------------------------------------------------------------------------------
// Large pages: no D1 parameter limit error
// ---------------------------------------------------------------------------------------------

describe("expand on a page of 100", () => {
  const big = "exp-big";
  const N = 105;
  const contactIds: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < N; i++) {
      const c = await createContact(big, `Person ${i}`);
      contactIds.push(c.id);
      await address(big, c.id, "Pune");
    }
    // a bank on every tenth contact and a relation chain on the first few
    for (let i = 0; i < N; i += 10) await bank(big, contactIds[i]!);
    for (let i = 0; i < 5; i++) await relation(big, contactIds[i]!, "sibling", contactIds[i + 1]!);
  }, 120_000);

  function checkPage(results: Contact[]) {
    for (const contact of results) {
      expect(contact.addresses?.length, contact.id).toBe(1);
      expect(contact.addresses?.[0]?.contact_id).toBe(contact.id);
      const index = contactIds.indexOf(contact.id);
      expect(contact.banks?.length, contact.id).toBe(index % 10 === 0 ? 1 : 0);
      for (const b of contact.banks ?? []) expect(b.contact_id).toBe(contact.id);
      const wantRelations = (index < 5 ? 1 : 0) + (index >= 1 && index <= 5 ? 1 : 0);
      expect(contact.relations?.length, contact.id).toBe(wantRelations);
      for (const r of contact.relations ?? []) expect([r.contact, r.related_contact]).toContain(contact.id);
    }
  }

  it("page_size=100 with expand embeds every contact's records", async () => {
    const res = await api("GET", `/contacts/?page_size=100&${EXPAND_ALL}&ordering=created_at`, {
      tenant: big,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.count).toBe(N);
    expect(res.body.results.length).toBe(100);
    expect(res.body.results.map((c: Contact) => c.id)).toEqual(contactIds.slice(0, 100));
    checkPage(res.body.results);
    const second = await api("GET", `/contacts/?page_size=100&page=2&${EXPAND_ALL}&ordering=created_at`, {
      tenant: big,
    });
    expect(second.body.results.map((c: Contact) => c.id)).toEqual(contactIds.slice(100));
    checkPage(second.body.results);
  });

  it("a clamped page_size (1000) with expand works", async () => {
    const res = await api("GET", `/contacts/?page_size=1000&${EXPAND_ALL}`, { tenant: big });
    expect(res.status, res.text).toBe(200);
    expect(res.body.results.length).toBe(100);
    checkPage(res.body.results);
  });

  it("cursor mode with page_size=100 and expand", async () => {
    const first = await api("GET", `/contacts/?cursor=&page_size=100&${EXPAND_ALL}`, { tenant: big });
    expect(first.status, first.text).toBe(200);
    expect(first.body.results.length).toBe(100);
    expect(first.body.has_next).toBe(true);
    checkPage(first.body.results);
    const second = await api(
      "GET",
      `/contacts/?cursor=${encodeURIComponent(first.body.next_cursor)}&page_size=100&${EXPAND_ALL}`,
      { tenant: big },
    );
    expect(second.status, second.text).toBe(200);
    expect(second.body.results.length).toBe(N - 100);
    checkPage(second.body.results);
    const seen = [...first.body.results, ...second.body.results].map((c: Contact) => c.id);
    expect(new Set(seen).size).toBe(N);
  });
});
