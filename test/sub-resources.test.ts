import { beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { authAndTenancyCases } from "./helpers/auth-cases";
import {
  BAD_PAGE_PARAMS,
  createContact,
  createInOrder,
  expectInvalid,
  expectProblem,
  historyOf,
  ids,
  pageEnvelope,
  sleep,
  UNKNOWN_ID,
} from "./helpers/fixtures";
import {
  ADDRESSES,
  addressBody,
  BANKS,
  bankBody,
  createRecord,
  RELATIONS,
  readRecord,
} from "./helpers/sub-resources";
import { token } from "./helpers/tokens";

/**
 * The contract every sub-resource of contacts keeps (addresses, bank accounts, relations), run once per
 * resource from the table below. Each resource's own rules are in its own file beside this one
 * (addresses.test.ts, banks.test.ts, relations.test.ts).
 */

type Rec = Record<string, any> & { id: string; version: number; created_at: string; updated_at: string };
type Changes = Record<string, [unknown, unknown]>;

type SubResource = {
  name: string;
  base: string;
  /** What history entries call a record, and the prefix of their actions. */
  subject: "address" | "bank" | "relation";
  /** The body field naming the owning contact (it cannot change). */
  owner: "contact_id" | "contact";
  /** A valid create body for a contact of the tenant (a relation also gets a new related contact). */
  body: (owner: string, tenant?: string) => Promise<Record<string, unknown>>;
  /** What a record created from `body` holds besides the body's own fields. */
  defaults: Record<string, unknown>;
  /** The fields at which another tenant's `body` is refused. */
  links: string[];
  /** The contacts a record names: each gets its history entries, none goes with it. */
  linked: (record: Rec) => string[];
  /** Two different changes of a record created from `body`. */
  patches: [Record<string, unknown>, Record<string, unknown>];
  /** The paths named for an empty body. */
  required: string[];
  /** A field the resource does not have. */
  unknownField: string;
  /** A create body and a PATCH with several invalid fields, and the paths they are refused at. */
  invalid: { body: (owner: string) => Record<string, unknown>; paths: string[] };
  invalidPatch: { body: Record<string, unknown>; paths: string[] };
  /** A record created with `overrides`, changed by `patches[1]`, then deleted: the changes history shows. */
  history: {
    overrides: Record<string, unknown>;
    created: (record: Rec) => Changes;
    updated: Changes;
    deleted: (record: Rec) => Changes;
  };
  list: {
    /** A filter the list takes besides `contact`, to which a cursor is bound. */
    filter: string;
    /** Filter values refused, with the path each is refused at. */
    refused: [string, string][];
    /** A field the list may not be ordered by. */
    unorderable: string;
    tags: boolean;
    search: boolean;
  };
};

const RESOURCES: SubResource[] = [
  {
    name: "addresses",
    base: ADDRESSES,
    subject: "address",
    owner: "contact_id",
    body: async (owner) => addressBody(owner),
    defaults: { type: "current", coords: null, codes: null, tags: [] },
    links: ["contact_id"],
    linked: (record) => [record.contact_id],
    patches: [{ city: "Pune" }, { city: "Mysuru", pincode: "570001" }],
    required: ["contact_id"],
    unknownField: "colour",
    invalid: {
      body: (owner) => ({
        contact_id: owner,
        address_line: "x",
        city: "1",
        state: "K1",
        pincode: "1",
        country: "9",
      }),
      paths: ["address_line", "city", "state", "pincode", "country"],
    },
    invalidPatch: {
      body: { pincode: "12345", coords: { lat: 100, lng: 0 }, type: "home", city: "C1", extra: 1 },
      paths: ["pincode", "coords.lat", "type", "city", "extra"],
    },
    history: {
      overrides: {
        type: "office",
        coords: { lat: 1.5, lng: 2.5 },
        codes: { state_code: "KA" },
        tags: ["hq"],
      },
      created: () => ({
        address_line: [null, "12, MG Road, Ashok Nagar"],
        city: [null, "Bengaluru"],
        state: [null, "Karnataka"],
        pincode: [null, "560001"],
        country: [null, "India"],
        type: [null, "office"],
        coords: [null, { lat: 1.5, lng: 2.5 }],
        codes: [null, { state_code: "KA" }],
        tags: [null, ["hq"]],
      }),
      updated: { city: ["Bengaluru", "Mysuru"], pincode: ["560001", "570001"] },
      deleted: () => ({
        address_line: ["12, MG Road, Ashok Nagar", null],
        city: ["Mysuru", null],
        state: ["Karnataka", null],
        pincode: ["570001", null],
        country: ["India", null],
        type: ["office", null],
        coords: [{ lat: 1.5, lng: 2.5 }, null],
        codes: [{ state_code: "KA" }, null],
        tags: [["hq"], null],
      }),
    },
    list: {
      filter: "type=current",
      refused: [
        ["type=home", "type"],
        ["type=Office", "type"],
      ],
      unorderable: "city",
      tags: true,
      search: true,
    },
  },
  {
    name: "banks",
    base: BANKS,
    subject: "bank",
    owner: "contact_id",
    body: async (owner) => bankBody(owner),
    defaults: { bank_name: null, branch_name: null, account_type: "savings", is_primary: false, tags: [] },
    links: ["contact_id"],
    linked: (record) => [record.contact_id],
    patches: [{ account_type: "nre" }, { bank_name: "Kotak Mahindra Bank", branch_name: "Fort" }],
    required: ["contact_id", "account_number", "ifsc", "account_holder_name"],
    unknownField: "iban",
    invalid: {
      body: (owner) => ({
        contact_id: owner,
        account_number: "1",
        ifsc: "X",
        account_holder_name: "",
        extra: 1,
      }),
      paths: ["account_number", "ifsc", "account_holder_name", "extra"],
    },
    invalidPatch: {
      body: { account_number: "12", ifsc: "hdfc1001234", account_type: "x", is_primary: "no" },
      paths: ["account_number", "ifsc", "account_type", "is_primary"],
    },
    history: {
      overrides: {
        account_number: "112233445566",
        ifsc: "kkbk0000123",
        bank_name: "Kotak",
        is_primary: true,
        tags: ["salary"],
      },
      // History shows protected identifiers masked, always.
      created: () => ({
        account_number: [null, "XXXXXXXX5566"],
        ifsc: [null, "KKBK0000123"],
        account_holder_name: [null, "Ramesh Kumar"],
        bank_name: [null, "Kotak"],
        account_type: [null, "savings"],
        is_primary: [null, true],
        tags: [null, ["salary"]],
      }),
      updated: { bank_name: ["Kotak", "Kotak Mahindra Bank"], branch_name: [null, "Fort"] },
      deleted: () => ({
        account_number: ["XXXXXXXX5566", null],
        ifsc: ["KKBK0000123", null],
        account_holder_name: ["Ramesh Kumar", null],
        bank_name: ["Kotak Mahindra Bank", null],
        branch_name: ["Fort", null],
        account_type: ["savings", null],
        is_primary: [true, null],
        tags: [["salary"], null],
      }),
    },
    list: {
      filter: "ifsc=HDFC0001234",
      refused: [["account_type=salary", "account_type"]],
      unorderable: "account_number",
      tags: true,
      search: true,
    },
  },
  {
    name: "relations",
    base: RELATIONS,
    subject: "relation",
    owner: "contact",
    body: async (owner, tenant = "t1") => ({
      contact: owner,
      type: "guarantor",
      related_contact: await createContact(tenant, "Sita Devi"),
    }),
    defaults: { tags: [] },
    links: ["contact", "related_contact"],
    linked: (record) => [record.contact, record.related_contact],
    patches: [{ type: "sibling" }, { type: "co_applicant" }],
    required: ["contact", "type"],
    unknownField: "relation",
    invalid: {
      body: (owner) => ({ contact: owner, type: "uncle", tags: ["a", "a"], x: 1 }),
      paths: ["type", "tags", "x"],
    },
    invalidPatch: { body: { type: "uncle", tags: ["a", "a"], x: 1 }, paths: ["type", "tags", "x"] },
    history: {
      overrides: { tags: ["loan"] },
      created: (r) => ({
        contact: [null, r.contact],
        type: [null, "guarantor"],
        related_contact: [null, r.related_contact],
        tags: [null, ["loan"]],
      }),
      updated: { type: ["guarantor", "co_applicant"] },
      deleted: (r) => ({
        contact: [r.contact, null],
        type: ["co_applicant", null],
        related_contact: [r.related_contact, null],
        tags: [["loan"], null],
      }),
    },
    list: {
      filter: "type=guarantor",
      refused: [["type=uncle", "type"]],
      unorderable: "type",
      tags: false,
      search: false,
    },
  },
];

/** Search text in FTS5 syntax (phrases, prefixes, operators, columns): a list searches it as plain words. */
const FTS_SYNTAX = ["beng*", "alice*", "a OR b", "NEAR(x y)", "-1234", "city:beng", "digits:5678", "l5678"];
/** Syntax that names no word at all: 400 (lib/list-query searchQuery), never the whole list. */
const FTS_SYNTAX_ONLY = ['"', "-", "(", "^"];

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let contactId: string;
let t2ContactId: string;

beforeAll(async () => {
  contactId = await createContact();
  t2ContactId = await createContact("t2");
});

/** The values a record holds for the fields of a change (a PATCH of them changes nothing). */
const currentOf = (record: Rec, change: Record<string, unknown>) =>
  Object.fromEntries(Object.keys(change).map((key) => [key, record[key]]));

for (const r of RESOURCES) {
  const create = async (overrides: Record<string, unknown> = {}, owner = contactId, tenant?: string) =>
    createRecord<Rec>(r.base, { ...(await r.body(owner, tenant)), ...overrides }, tenant);
  const path = (id: string) => `${r.base}${id}/`;
  const read = (id: string) => readRecord<Rec>(r.base, id);
  const tenantCount = async () => (await api("GET", `${r.base}?page_size=1`)).body.count;

  describe(`${r.name}: create and read`, () => {
    it("creates with defaults and reads it back (with and without the trailing slash, any case)", async () => {
      const body = await r.body(contactId);
      const res = await api("POST", r.base, { body });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        ...r.defaults,
        ...body,
        tenant_id: "t1",
        version: 1,
        created_at: expect.stringMatching(ISO_MS),
        created_by: "u1",
        updated_at: res.body.created_at,
        updated_by: null,
      });
      for (const got of [path(res.body.id), `${r.base}${res.body.id}`, path(res.body.id.toLowerCase())]) {
        const again = await api("GET", got);
        expect(again.status, got).toBe(200);
        expect(again.body).toEqual(res.body);
      }
      const noSlash = await api("POST", r.base.slice(0, -1), { body: await r.body(contactId) });
      expect(noSlash.status, noSlash.text).toBe(201);
    });

    it("accepts the contact id in lower case and returns it upper-case", async () => {
      const record = await createRecord<Rec>(r.base, await r.body(contactId.toLowerCase()));
      expect(record[r.owner]).toBe(contactId);
    });

    it("ignores read-only fields in the body", async () => {
      const res = await api("POST", r.base, {
        body: {
          ...(await r.body(contactId)),
          id: UNKNOWN_ID,
          tenant_id: "t2",
          version: 7,
          created_at: "2000-01-01T00:00:00.000Z",
          created_by: "mallory",
          updated_at: "2000-01-01T00:00:00.000Z",
          updated_by: "mallory",
        },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body.id).not.toBe(UNKNOWN_ID);
      expect(res.body).toMatchObject({ tenant_id: "t1", version: 1, created_by: "u1", updated_by: null });
      expect(res.body.created_at.startsWith("2000")).toBe(false);
      expect(res.body.updated_at).toBe(res.body.created_at);
    });

    it("a malformed or unknown id is 404 on GET, PATCH and DELETE", async () => {
      for (const id of ["not-an-id", UNKNOWN_ID, "01ARZ3NDEKTSV4RRFFQ69G5FA!"]) {
        expectProblem(await api("GET", path(id)), 404, "/problems/not_found");
        expectProblem(await api("PATCH", path(id), { body: r.patches[0] }), 404, "/problems/not_found");
        expectProblem(await api("DELETE", path(id)), 404, "/problems/not_found");
      }
    });
  });

  describe(`${r.name}: fields every sub-resource shares`, () => {
    it("stores tags, and an empty list", async () => {
      expect((await create({ tags: ["home", "billing"] })).tags).toEqual(["home", "billing"]);
      expect((await create({ tags: [] })).tags).toEqual([]);
    });

    const refused: [string, () => Record<string, unknown>, string][] = [
      ["duplicate tags", () => ({ tags: ["a", "a"] }), "tags"],
      ["a tag of 51 characters", () => ({ tags: ["t".repeat(51)] }), "tags.0"],
      ["an empty tag", () => ({ tags: [""] }), "tags.0"],
      ["tags as a string", () => ({ tags: "a,b" }), "tags"],
      ["51 tags", () => ({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }), "tags"],
      ["an unknown field", () => ({ [r.unknownField]: "x" }), r.unknownField],
      [`a missing ${r.owner}`, () => ({ [r.owner]: undefined }), r.owner],
      [`${r.owner} null`, () => ({ [r.owner]: null }), r.owner],
      [`${r.owner} as a number`, () => ({ [r.owner]: 5 }), r.owner],
    ];
    for (const [label, overrides, at] of refused) {
      it(`400 at ${at} for ${label}`, async () => {
        const body = { ...(await r.body(contactId)), ...overrides() };
        expectInvalid(await api("POST", r.base, { body }), [at]);
      });
    }

    for (const [label, value] of [
      ["an unknown contact", () => UNKNOWN_ID],
      ["another tenant's contact", () => t2ContactId],
      ["a malformed id", () => "not-a-contact"],
      ["an empty id", () => ""],
    ] as const) {
      it(`400 at ${r.owner} for ${label}, and nothing is stored`, async () => {
        const before = await tenantCount();
        expectInvalid(await api("POST", r.base, { body: await r.body(value()) }), [r.owner]);
        expect(await tenantCount()).toBe(before);
      });
    }

    it("another tenant cannot attach a record to t1's contacts", async () => {
      const res = await api("POST", r.base, { body: await r.body(contactId), tenant: "t2" });
      expectInvalid(res, r.links);
      expect(res.text).not.toContain("Ramesh");
    });

    it("names every invalid field, not just the first", async () => {
      const res = await api("POST", r.base, { body: r.invalid.body(contactId) });
      expectInvalid(res, r.invalid.paths);
      expect(res.body.detail).toBe(`${r.invalid.paths.length} fields are invalid`);
    });

    it("an empty, non-object or malformed body is 400", async () => {
      expectInvalid(await api("POST", r.base, { body: {} }), r.required);
      expectProblem(await api("POST", r.base, { body: [] }), 400);
      const malformed = await api("POST", r.base, {
        rawBody: "{",
        headers: { "content-type": "application/json" },
      });
      expectProblem(malformed, 400);
    });
  });

  describe(`${r.name}: update and delete`, () => {
    it("PATCH changes only the fields sent, and names the user and time", async () => {
      const record = await create({ tags: ["x"] });
      await sleep(2);
      const res = await api("PATCH", path(record.id), {
        body: r.patches[0],
        token: await token({ sub: "u2" }),
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        ...record,
        ...r.patches[0],
        version: 2,
        updated_by: "u2",
        updated_at: expect.stringMatching(ISO_MS),
      });
      expect(res.body.updated_at > record.created_at).toBe(true);
      expect(await read(record.id)).toEqual(res.body);
    });

    it("a PATCH that changes nothing keeps version and updated_at", async () => {
      const record = await create();
      for (const body of [currentOf(record, r.patches[0]), {}]) {
        const res = await api("PATCH", path(record.id), { body });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toEqual(record);
      }
    });

    it("PATCH validates every field as on create, and changes nothing", async () => {
      const record = await create();
      expectInvalid(await api("PATCH", path(record.id), { body: r.invalidPatch.body }), r.invalidPatch.paths);
      expect(await read(record.id)).toEqual(record);
    });

    it(`PATCH with a different ${r.owner} is 400 and changes nothing`, async () => {
      const record = await create();
      const other = await createContact();
      for (const sent of [other, UNKNOWN_ID, t2ContactId, "not-an-id"]) {
        const res = await api("PATCH", path(record.id), { body: { [r.owner]: sent, ...r.patches[0] } });
        expectInvalid(res, [r.owner]);
      }
      expect(await read(record.id)).toEqual(record);
    });

    it(`PATCH with the same ${r.owner} (any case) is accepted, so a client can send back what it read`, async () => {
      const record = await create();
      const res = await api("PATCH", path(record.id), { body: { ...record, ...r.patches[0] } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ ...r.patches[0], [r.owner]: contactId, version: 2 });
      const lower = await api("PATCH", path(record.id), {
        body: { [r.owner]: contactId.toLowerCase(), ...r.patches[1] },
      });
      expect(lower.status, lower.text).toBe(200);
      expect(lower.body).toMatchObject({ ...r.patches[1], [r.owner]: contactId, version: 3 });
    });

    it("DELETE answers 204 with no body, then 404; the contacts it names stay", async () => {
      const record = await create();
      const res = await api("DELETE", path(record.id));
      expect(res.status).toBe(204);
      expect(res.text).toBe("");
      expectProblem(await api("GET", path(record.id)), 404, "/problems/not_found");
      expectProblem(await api("DELETE", path(record.id)), 404, "/problems/not_found");
      expectProblem(await api("PATCH", path(record.id), { body: r.patches[0] }), 404, "/problems/not_found");
      for (const contact of r.linked(record))
        expect((await api("GET", `/contacts/${contact}/`)).status, contact).toBe(200);
    });

    it("DELETE without the trailing slash and with a lower-case id", async () => {
      const record = await create();
      expect((await api("DELETE", `${r.base}${record.id.toLowerCase()}`)).status).toBe(204);
      expectProblem(await api("GET", path(record.id)), 404, "/problems/not_found");
    });
  });

  describe(`${r.name}: ETag and If-Match`, () => {
    it("create, retrieve and update carry the version's ETag; a matching If-None-Match is 304", async () => {
      const created = await api("POST", r.base, { body: await r.body(contactId) });
      expect(created.status, created.text).toBe(201);
      expect(created.headers.get("etag")).toBe('"1"');
      const got = await api("GET", path(created.body.id));
      expect(got.headers.get("etag")).toBe('"1"');
      const cached = await api("GET", path(created.body.id), { headers: { "If-None-Match": '"1"' } });
      expect(cached.status).toBe(304);
      expect(cached.text).toBe("");
      const patched = await api("PATCH", path(created.body.id), { body: r.patches[0] });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.headers.get("etag")).toBe('"2"');
      const fresh = await api("GET", path(created.body.id), { headers: { "If-None-Match": '"1"' } });
      expect(fresh.status).toBe(200);
      expect(fresh.body).toEqual(patched.body);
    });

    it("a list carries no ETag", async () => {
      const res = await api("GET", r.base);
      expect(res.status).toBe(200);
      expect(res.headers.get("etag")).toBeNull();
    });

    it("a stale If-Match is 412 with the current ETag; record and history unchanged; a current one applies", async () => {
      const record = await create();
      const histories = await Promise.all(r.linked(record).map((c) => historyOf(c)));
      const stale = { "If-Match": '"5"' };
      const patch = await api("PATCH", path(record.id), { body: r.patches[0], headers: stale });
      expectProblem(patch, 412);
      expect(patch.headers.get("etag")).toBe('"1"');
      const del = await api("DELETE", path(record.id), { headers: stale });
      expectProblem(del, 412);
      expect(del.headers.get("etag")).toBe('"1"');
      expect(await read(record.id)).toEqual(record);
      expect(await Promise.all(r.linked(record).map((c) => historyOf(c)))).toEqual(histories);
      const ok = await api("PATCH", path(record.id), { body: r.patches[0], headers: { "If-Match": '"1"' } });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.headers.get("etag")).toBe('"2"');
      expect((await api("DELETE", path(record.id), { headers: { "If-Match": '"2"' } })).status).toBe(204);
    });
  });

  describe(`${r.name}: history on the contacts a record names`, () => {
    it(`records ${r.subject}_created, ${r.subject}_updated and ${r.subject}_deleted with field changes and subject`, async () => {
      const owner = await createContact();
      const record = await create(r.history.overrides, owner);
      const patched = await api("PATCH", path(record.id), {
        body: r.patches[1],
        token: await token({ sub: "u2" }),
      });
      expect(patched.status, patched.text).toBe(200);
      const removed = await api("DELETE", path(record.id), { token: await token({ sub: "u3" }) });
      expect(removed.status).toBe(204);

      const linked = r.linked(record);
      expect(linked).toContain(owner);
      for (const contact of linked) {
        const history = await historyOf(contact);
        expect(
          history.map((h) => h.action),
          contact,
        ).toEqual([`${r.subject}_deleted`, `${r.subject}_updated`, `${r.subject}_created`, "created"]);
        const [deleted, updated, created] = history;
        for (const entry of [deleted, updated, created])
          expect(entry?.subject).toEqual({ type: r.subject, id: record.id });
        expect(created).toMatchObject({ actor: "u1", at: record.created_at, reason: null });
        expect(created?.changes).toEqual(r.history.created(record));
        expect(updated).toMatchObject({ actor: "u2", at: patched.body.updated_at, reason: null });
        expect(updated?.changes).toEqual(r.history.updated);
        expect(deleted).toMatchObject({ actor: "u3", reason: null });
        expect(deleted?.changes).toEqual(r.history.deleted(record));
      }
    });

    it("refused writes and no-op PATCHes write no history", async () => {
      const owner = await createContact();
      const record = await create({}, owner);
      expect((await api("PATCH", path(record.id), { body: r.invalidPatch.body })).status).toBe(400);
      expect((await api("PATCH", path(record.id), { body: currentOf(record, r.patches[0]) })).status).toBe(
        200,
      );
      const moved = await api("PATCH", path(record.id), { body: { [r.owner]: contactId, ...r.patches[0] } });
      expect(moved.status).toBe(400);
      for (const contact of r.linked(record))
        expect((await historyOf(contact)).map((h) => h.action)).toEqual([`${r.subject}_created`, "created"]);
    });
  });

  describe(`${r.name}: an erased contact`, () => {
    it("loses its records and gains no new one (409 contact_erased, nothing written)", async () => {
      const owner = await createContact();
      const record = await create({}, owner);
      const erased = await api("POST", `/contacts/${owner}/erase/`, { body: { reason: "DPDP request" } });
      expect(erased.status, erased.text).toBe(200);
      expectProblem(await api("GET", path(record.id)), 404, "/problems/not_found");
      expect((await api("GET", `${r.base}?contact=${owner}`)).body).toMatchObject({ count: 0, results: [] });
      const before = await tenantCount();
      const history = await historyOf(owner);
      expectProblem(
        await api("POST", r.base, { body: await r.body(owner) }),
        409,
        "/problems/contact_erased",
      );
      expect(await tenantCount()).toBe(before);
      expect(await historyOf(owner)).toEqual(history);
    });
  });

  describe(`${r.name}: list`, () => {
    const tenant = `${r.subject}-contract`;
    let alice: string;
    let bob: string;
    let r1: Rec;
    let r2: Rec;
    let r3: Rec;
    let r4: Rec;
    let t1Other: Rec;

    beforeAll(async () => {
      alice = await createContact(tenant, "Alice");
      bob = await createContact(tenant, "Bob");
      [r1, r2, r3, r4] = await createInOrder([
        () => create({ tags: ["home", "billing"] }, alice, tenant),
        () => create({ tags: ["billing"] }, alice, tenant),
        () => create({ tags: ["home"] }, bob, tenant),
        () => create({ tags: [] }, bob, tenant),
      ]);
      t1Other = await create();
    });

    const list = (query = "") => api("GET", `${r.base}?${query}`, { tenant });

    it("the Crego envelope, newest first, only the caller's tenant", async () => {
      const res = await list();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject(pageEnvelope(4, 1, 1));
      expect(ids(res)).toEqual([r4.id, r3.id, r2.id, r1.id]);
      expect(ids(res)).not.toContain(t1Other.id);
      expect(res.body.results[0]).toEqual(r4);
    });

    it("pages", async () => {
      const res = await list("page_size=3&page=2");
      expect(res.body).toMatchObject(pageEnvelope(4, 2, 2));
      expect(ids(res)).toEqual([r1.id]);
    });

    it("filters by contact (any case)", async () => {
      expect(ids(await list(`contact=${alice}`))).toEqual([r2.id, r1.id]);
      expect(ids(await list(`contact=${bob.toLowerCase()}`))).toEqual([r4.id, r3.id]);
      expect((await list(`contact=${UNKNOWN_ID}`)).body).toMatchObject({ count: 0, results: [] });
    });

    it("a contact filter that is not an id is 400 (API.md, Lists: a known parameter with a bad value)", async () => {
      for (const value of ["", "not-a-contact", `${alice}X`, alice.slice(1), "8ZZZZZZZZZZZZZZZZZZZZZZZZZ"])
        expectInvalid(await list(`contact=${encodeURIComponent(value)}`), ["contact"]);
    });

    it("another tenant's contact id as the contact filter is an empty list", async () => {
      const res = await api("GET", `${r.base}?contact=${alice}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ count: 0, results: [] });
      const t2 = await api("GET", `${r.base}?contact=${contactId}`, { tenant: "t2" });
      expect(t2.body).toMatchObject({ count: 0, results: [] });
    });

    it("refuses unknown filter values", async () => {
      for (const [query, at] of r.list.refused) expectInvalid(await list(query), [at]);
    });

    it("filters by created_at_after / created_at_before (inclusive)", async () => {
      const at = (record: Rec) => encodeURIComponent(record.created_at);
      expect(ids(await list(`created_at_after=${at(r2)}`))).toEqual([r4.id, r3.id, r2.id]);
      expect(ids(await list(`created_at_before=${at(r2)}`))).toEqual([r2.id, r1.id]);
      expect(ids(await list(`created_at_after=${at(r2)}&created_at_before=${at(r3)}`))).toEqual([
        r3.id,
        r2.id,
      ]);
      const today = r1.created_at.slice(0, 10);
      expect((await list(`created_at_before=${today}`)).body.count).toBe(4);
      expect((await list(`created_at_after=${today}`)).body.count).toBe(4);
      expect((await list("created_at_before=2000-01-01")).body.count).toBe(0);
      expect((await list("created_at_after=2999-01-01")).body.count).toBe(0);
      expectInvalid(await list("created_at_after=yesterday"), ["created_at_after"]);
      expectInvalid(await list("created_at_before=2025-02-30"), ["created_at_before"]);
    });

    it("orders by created_at and updated_at, either way", async () => {
      expect(ids(await list("ordering=created_at"))).toEqual([r1.id, r2.id, r3.id, r4.id]);
      expect(ids(await list("ordering=-created_at"))).toEqual([r4.id, r3.id, r2.id, r1.id]);
      const touched = await api("PATCH", path(r2.id), { body: r.patches[0], tenant });
      expect(touched.status, touched.text).toBe(200);
      expect(ids(await list("ordering=-updated_at"))[0]).toBe(r2.id);
      expect(ids(await list("ordering=updated_at")).at(-1)).toBe(r2.id);
      expectInvalid(await list("ordering=name"), ["ordering"]);
      expectInvalid(await list(`ordering=${r.list.unorderable}`), ["ordering"]);
    });

    it("bad page parameters are 400; a large page_size is clamped", async () => {
      for (const [q, at] of BAD_PAGE_PARAMS) expectInvalid(await list(q), [at]);
      const clamped = await list("page_size=1000");
      expect(clamped.status).toBe(200);
      expect(clamped.body.count).toBe(4);
    });

    it("cursor mode walks every record once, bound to its filters, ordering and tenant", async () => {
      const first = await list("cursor=&page_size=3");
      expect(first.status, first.text).toBe(200);
      expect(Object.keys(first.body).sort()).toEqual(["has_next", "next_cursor", "page_size", "results"]);
      expect(first.body).toMatchObject({ page_size: 3, has_next: true });
      expect(ids(first)).toEqual([r4.id, r3.id, r2.id]);
      const cursor = encodeURIComponent(first.body.next_cursor);
      const second = await list(`cursor=${cursor}&page_size=3`);
      expect(second.body).toMatchObject({ page_size: 3, has_next: false, next_cursor: null });
      expect(ids(second)).toEqual([r1.id]);

      const asc = await list(`cursor=&page_size=2&ordering=created_at&contact=${alice}`);
      expect(ids(asc)).toEqual([r1.id, r2.id]);
      expect(asc.body.has_next).toBe(false);

      expectInvalid(await list(`cursor=${cursor}&page_size=3&${r.list.filter}`), ["cursor"]);
      expectInvalid(await list(`cursor=${cursor}&page_size=3&contact=${alice}`), ["cursor"]);
      expectInvalid(await list(`cursor=${cursor}&ordering=created_at`), ["cursor"]);
      expectInvalid(await list("cursor=garbage"), ["cursor"]);
      expectInvalid(await api("GET", `${r.base}?cursor=${cursor}&page_size=3`), ["cursor"]);
      expectInvalid(await api("GET", `/contacts/?cursor=${cursor}&page_size=3`, { tenant }), ["cursor"]);
    });

    it("cursor mode with a filter", async () => {
      const res = await list(`cursor=&page_size=1&contact=${alice}`);
      expect(ids(res)).toEqual([r2.id]);
      const next = await list(
        `cursor=${encodeURIComponent(res.body.next_cursor)}&page_size=1&contact=${alice}`,
      );
      expect(ids(next)).toEqual([r1.id]);
      expect(next.body.has_next).toBe(false);
    });

    if (r.list.tags)
      it("filters by tags (every listed tag)", async () => {
        expect(ids(await list("tags=billing"))).toEqual([r2.id, r1.id]);
        expect(ids(await list("tags=home"))).toEqual([r3.id, r1.id]);
        expect(ids(await list("tags=home,billing"))).toEqual([r1.id]);
        expect(ids(await list("tags=nothing"))).toEqual([]);
      });

    if (r.list.search)
      it("search with FTS syntax is plain text, never a 500", async () => {
        for (const search of FTS_SYNTAX) {
          const res = await list(`search=${encodeURIComponent(search)}`);
          expect(res.status, search).toBe(200);
        }
        for (const search of FTS_SYNTAX_ONLY) {
          const res = await list(`search=${encodeURIComponent(search)}`);
          expect(res.status, search).toBe(400);
        }
      });
  });

  describe(`${r.name}: methods not allowed`, () => {
    it("405 with Allow on the item path", async () => {
      for (const method of ["PUT", "POST"]) {
        const res = await api(method, path(UNKNOWN_ID), { body: {} });
        expectProblem(res, 405, "/problems/method_not_allowed");
        expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "HEAD", "PATCH"]);
      }
    });

    it("405 with Allow on the collection path, for every method it does not serve", async () => {
      for (const method of ["PUT", "PATCH", "DELETE"]) {
        const res = await api(method, r.base, { body: method === "DELETE" ? undefined : {} });
        expectProblem(res, 405, "/problems/method_not_allowed");
        expect(res.headers.get("allow")?.split(", ").sort(), method).toEqual(["GET", "HEAD", "POST"]);
      }
    });
  });

  describe(`${r.name}: every route`, () => {
    const own = async () => path((await create()).id);
    const unchanged = async (at: string) => (await api("GET", at)).body;
    const item = `${r.base}{id}/`;
    authAndTenancyCases(`POST ${r.base}`, {
      method: "POST",
      path: r.base,
      body: () => r.body(contactId),
      scope: "contacts:write",
    });
    authAndTenancyCases(`GET ${r.base}`, {
      method: "GET",
      path: r.base,
      scope: "contacts:read",
      tenancy: { expect: "empty" },
    });
    authAndTenancyCases(`GET ${item}`, {
      method: "GET",
      path: own,
      scope: "contacts:read",
      tenancy: { expect: "not_found", unchanged },
    });
    authAndTenancyCases(`PATCH ${item}`, {
      method: "PATCH",
      path: own,
      body: r.patches[0],
      scope: "contacts:write",
      tenancy: { expect: "not_found", unchanged },
    });
    authAndTenancyCases(`DELETE ${item}`, {
      method: "DELETE",
      path: own,
      scope: "contacts:write",
      tenancy: { expect: "not_found", unchanged },
    });
  });
}
