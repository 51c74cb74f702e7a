import { beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, api } from "./helpers/api";
import { authAndTenancyCases } from "./helpers/auth-cases";
import { createContact, errorPaths, expectProblem, historyOf, sleep, UNKNOWN_ID } from "./helpers/fixtures";
import { token } from "./helpers/tokens";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const BASE = "/contacts/relations/";

const RELATION_TYPES = [
  "father",
  "mother",
  "spouse",
  "child",
  "sibling",
  "friend",
  "co_applicant",
  "guarantor",
  "witness",
  "nominee",
  "director",
  "partner",
  "shareholder",
  "proprietor",
  "authorised_signatory",
];

type Relation = {
  id: string;
  contact: string;
  type: string;
  related_contact: string | null;
  tags: string[];
  tenant_id: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string | null;
};
async function createRelation(body: Record<string, unknown>, tenant?: string): Promise<Relation> {
  const res = await api("POST", BASE, { body, tenant });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

function expectInvalid(res: ApiResponse, paths: string[]) {
  expect(res.status, res.text).toBe(400);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body.type).toBe("/problems/validation");
  expect(errorPaths(res).sort()).toEqual([...paths].sort());
}

const ids = (res: ApiResponse) => res.body.results.map((r: { id: string }) => r.id);

let contactId: string;
let relatedId: string;
let t2ContactId: string;

beforeAll(async () => {
  contactId = await createContact();
  relatedId = await createContact("t1", "Sita Devi");
  t2ContactId = await createContact("t2");
});

// ---------------------------------------------------------------------------------------------
// Create and read
// ---------------------------------------------------------------------------------------------

describe("relations: create and read", () => {
  it("creates and reads it back", async () => {
    const a = await createContact();
    const res = await api("POST", BASE, {
      body: { contact: a, type: "guarantor", related_contact: relatedId },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      contact: a,
      type: "guarantor",
      related_contact: relatedId,
      tags: [],
      tenant_id: "t1",
      version: 1,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      created_by: "u1",
      updated_at: res.body.created_at,
      updated_by: null,
    });
    for (const path of [
      `${BASE}${res.body.id}/`,
      `${BASE}${res.body.id}`,
      `${BASE}${res.body.id.toLowerCase()}/`,
    ]) {
      const got = await api("GET", path);
      expect(got.status, path).toBe(200);
      expect(got.body).toEqual(res.body);
    }
  });

  for (const type of RELATION_TYPES) {
    it(`accepts type ${type}`, async () => {
      const res = await api("POST", BASE, { body: { contact: contactId, type, related_contact: relatedId } });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ type, contact: contactId, related_contact: relatedId });
    });
  }

  it("any type may be used with any contact (corporate types on an individual and the reverse)", async () => {
    const firm = await createContact("t1", "Acme Traders", "corporate");
    const person = await createContact();
    expect(
      (await api("POST", BASE, { body: { contact: person, type: "director", related_contact: firm } }))
        .status,
    ).toBe(201);
    expect(
      (await api("POST", BASE, { body: { contact: firm, type: "father", related_contact: person } })).status,
    ).toBe(201);
  });

  for (const [label, type] of [
    ["an unknown type", "uncle"],
    ["a type in another case", "Father"],
    ["an empty type", ""],
    ["a type with a space", "co applicant"],
  ] as const) {
    it(`400 at type for ${label}`, async () => {
      expectInvalid(
        await api("POST", BASE, { body: { contact: contactId, type, related_contact: relatedId } }),
        ["type"],
      );
    });
  }

  it("400 at type when it is missing, null or a number", async () => {
    for (const type of [undefined, null, 3]) {
      expectInvalid(await api("POST", BASE, { body: { contact: contactId, type } }), ["type"]);
    }
  });

  it("related_contact is optional: absent, null and empty mean none", async () => {
    const a = await createContact();
    const absent = await createRelation({ contact: a, type: "father" });
    expect(absent.related_contact).toBeNull();
    const nulled = await createRelation({ contact: a, type: "mother", related_contact: null });
    expect(nulled.related_contact).toBeNull();
    const empty = await createRelation({ contact: a, type: "spouse", related_contact: "" });
    expect(empty.related_contact).toBeNull();
  });

  it("stores tags and validates them", async () => {
    const a = await createContact();
    const r = await createRelation({ contact: a, type: "friend", tags: ["close", "school"] });
    expect(r.tags).toEqual(["close", "school"]);
    expectInvalid(await api("POST", BASE, { body: { contact: a, type: "witness", tags: ["x", "x"] } }), [
      "tags",
    ]);
    expectInvalid(
      await api("POST", BASE, { body: { contact: a, type: "witness", tags: ["t".repeat(51)] } }),
      ["tags.0"],
    );
  });

  it("ignores read-only fields and rejects unknown ones", async () => {
    const a = await createContact();
    const r = await createRelation({
      contact: a,
      type: "nominee",
      id: UNKNOWN_ID,
      tenant_id: "t2",
      version: 9,
    });
    expect(r.id).not.toBe(UNKNOWN_ID);
    expect(r).toMatchObject({ tenant_id: "t1", version: 1 });
    expectInvalid(await api("POST", BASE, { body: { contact: a, type: "witness", relation: "x" } }), [
      "relation",
    ]);
    expectInvalid(await api("POST", BASE, { body: { contact_id: a, type: "witness" } }), [
      "contact",
      "contact_id",
    ]);
  });

  it("accepts the ids in lower case and returns them upper-case", async () => {
    const a = await createContact();
    const r = await createRelation({
      contact: a.toLowerCase(),
      type: "child",
      related_contact: relatedId.toLowerCase(),
    });
    expect(r).toMatchObject({ contact: a, related_contact: relatedId });
  });

  it("a malformed or unknown id is 404 on GET, PATCH and DELETE", async () => {
    for (const id of ["not-an-id", UNKNOWN_ID]) {
      expectProblem(await api("GET", `${BASE}${id}/`), 404, "/problems/not_found");
      expectProblem(
        await api("PATCH", `${BASE}${id}/`, { body: { type: "friend" } }),
        404,
        "/problems/not_found",
      );
      expectProblem(await api("DELETE", `${BASE}${id}/`), 404, "/problems/not_found");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The linked contacts
// ---------------------------------------------------------------------------------------------

describe("relations: both contacts must be the tenant's", () => {
  it("contact is required", async () => {
    expectInvalid(await api("POST", BASE, { body: { type: "father", related_contact: relatedId } }), [
      "contact",
    ]);
    expectInvalid(await api("POST", BASE, { body: { contact: null, type: "father" } }), ["contact"]);
  });

  for (const [label, value] of [
    ["an unknown contact", () => UNKNOWN_ID],
    ["another tenant's contact", () => t2ContactId],
    ["a malformed id", () => "nope"],
  ] as const) {
    it(`400 at contact for ${label}`, async () => {
      expectInvalid(
        await api("POST", BASE, { body: { contact: value(), type: "father", related_contact: relatedId } }),
        ["contact"],
      );
      expectInvalid(await api("POST", BASE, { body: { contact: value(), type: "father" } }), ["contact"]);
    });

    it(`400 at related_contact for ${label}`, async () => {
      const a = await createContact();
      expectInvalid(
        await api("POST", BASE, { body: { contact: a, type: "father", related_contact: value() } }),
        ["related_contact"],
      );
      expect((await api("GET", `${BASE}?contact=${a}`)).body.count).toBe(0);
      expect((await historyOf(a)).map((h) => h.action)).toEqual(["created"]);
    });
  }

  it("both unknown: both paths are named", async () => {
    expectInvalid(
      await api("POST", BASE, {
        body: { contact: UNKNOWN_ID, type: "father", related_contact: t2ContactId },
      }),
      ["contact", "related_contact"],
    );
  });

  it("another tenant cannot relate t1's contacts", async () => {
    const res = await api("POST", BASE, {
      body: { contact: contactId, type: "friend", related_contact: relatedId },
      tenant: "t2",
    });
    expect(res.status).toBe(400);
    expect(errorPaths(res)).toContain("contact");
    expect(errorPaths(res)).toContain("related_contact");
  });

  it("a self relation is 400 at related_contact (any case)", async () => {
    const a = await createContact();
    for (const related of [a, a.toLowerCase()]) {
      expectInvalid(
        await api("POST", BASE, { body: { contact: a, type: "friend", related_contact: related } }),
        ["related_contact"],
      );
    }
    const r = await createRelation({ contact: a, type: "friend" });
    expectInvalid(await api("PATCH", `${BASE}${r.id}/`, { body: { related_contact: a } }), [
      "related_contact",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Duplicates
// ---------------------------------------------------------------------------------------------

describe("relations: duplicates", () => {
  it("the same (contact, type, related_contact) twice is 409", async () => {
    const a = await createContact();
    await createRelation({ contact: a, type: "guarantor", related_contact: relatedId });
    const again = await api("POST", BASE, {
      body: { contact: a.toLowerCase(), type: "guarantor", related_contact: relatedId.toLowerCase() },
    });
    expectProblem(again, 409, "/problems/conflict");
    expect((await api("GET", `${BASE}?contact=${a}`)).body.count).toBe(1);
  });

  it("also when related_contact is null twice (null, absent or empty)", async () => {
    const a = await createContact();
    await createRelation({ contact: a, type: "nominee" });
    for (const related of [null, undefined, ""]) {
      expectProblem(
        await api("POST", BASE, { body: { contact: a, type: "nominee", related_contact: related } }),
        409,
        "/problems/conflict",
      );
    }
  });

  it("another type, another related contact, or the reverse direction is not a duplicate", async () => {
    const a = await createContact();
    const b = await createContact();
    const c = await createContact();
    await createRelation({ contact: a, type: "sibling", related_contact: b });
    await createRelation({ contact: a, type: "friend", related_contact: b });
    await createRelation({ contact: a, type: "sibling", related_contact: c });
    await createRelation({ contact: b, type: "sibling", related_contact: a });
    await createRelation({ contact: a, type: "sibling" });
  });

  it("a PATCH that makes a duplicate is 409 and changes nothing", async () => {
    const a = await createContact();
    await createRelation({ contact: a, type: "witness", related_contact: relatedId });
    const r = await createRelation({ contact: a, type: "nominee", related_contact: relatedId });
    expectProblem(
      await api("PATCH", `${BASE}${r.id}/`, { body: { type: "witness" } }),
      409,
      "/problems/conflict",
    );
    expect((await api("GET", `${BASE}${r.id}/`)).body).toEqual(r);
    const nulls = await createRelation({ contact: a, type: "witness" });
    const n2 = await createRelation({ contact: a, type: "friend" });
    expectProblem(
      await api("PATCH", `${BASE}${n2.id}/`, { body: { type: "witness" } }),
      409,
      "/problems/conflict",
    );
    expect((await api("GET", `${BASE}${nulls.id}/`)).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// PATCH and DELETE
// ---------------------------------------------------------------------------------------------

describe("relations: update and delete", () => {
  it("PATCH changes only the fields sent", async () => {
    const a = await createContact();
    const r = await createRelation({ contact: a, type: "friend", related_contact: relatedId, tags: ["x"] });
    await sleep(2);
    const res = await api("PATCH", `${BASE}${r.id}/`, {
      body: { type: "sibling" },
      token: await token({ sub: "u2" }),
    });
    expect(res.status, res.text).toBe(200);
    const { type, version, updated_at, updated_by, ...rest } = res.body;
    const { type: _t, version: _v, updated_at: _u, updated_by: _b, ...before } = r;
    expect(rest).toEqual(before);
    expect({ type, version, updated_by }).toEqual({ type: "sibling", version: 2, updated_by: "u2" });
    expect(updated_at > r.created_at).toBe(true);
  });

  it("PATCH related_contact to another contact, then to null", async () => {
    const a = await createContact();
    const b = await createContact();
    const r = await createRelation({ contact: a, type: "guarantor", related_contact: relatedId });
    const moved = await api("PATCH", `${BASE}${r.id}/`, { body: { related_contact: b } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.related_contact).toBe(b);
    const cleared = await api("PATCH", `${BASE}${r.id}/`, { body: { related_contact: null } });
    expect(cleared.body.related_contact).toBeNull();
    const back = await api("PATCH", `${BASE}${r.id}/`, {
      body: { related_contact: relatedId.toLowerCase() },
    });
    expect(back.body.related_contact).toBe(relatedId);
  });

  it("PATCH with a different contact is 400; the same contact is accepted", async () => {
    const a = await createContact();
    const r = await createRelation({ contact: a, type: "friend" });
    for (const sent of [relatedId, UNKNOWN_ID, t2ContactId, "nope"]) {
      expectInvalid(await api("PATCH", `${BASE}${r.id}/`, { body: { contact: sent, type: "sibling" } }), [
        "contact",
      ]);
    }
    expect((await api("GET", `${BASE}${r.id}/`)).body).toEqual(r);
    const { type: _t, ...readBack } = r;
    const same = await api("PATCH", `${BASE}${r.id}/`, { body: { ...readBack, type: "sibling" } });
    expect(same.status, same.text).toBe(200);
    expect(same.body).toMatchObject({ contact: a, type: "sibling" });
  });

  for (const [label, value] of [
    ["an unknown contact", () => UNKNOWN_ID],
    ["another tenant's contact", () => t2ContactId],
    ["a malformed id", () => "nope"],
  ] as const) {
    it(`PATCH related_contact to ${label} is 400 at related_contact, and changes nothing (no history)`, async () => {
      const a = await createContact();
      const r = await createRelation({ contact: a, type: "friend", related_contact: relatedId });
      const historyBefore = await historyOf(a);
      const relatedBefore = await historyOf(relatedId);
      expectInvalid(await api("PATCH", `${BASE}${r.id}/`, { body: { related_contact: value() } }), [
        "related_contact",
      ]);
      expect((await api("GET", `${BASE}${r.id}/`)).body).toEqual(r);
      expect(await historyOf(a)).toEqual(historyBefore);
      expect(await historyOf(relatedId)).toEqual(relatedBefore);
    });
  }

  it("PATCH validates type and tags", async () => {
    const a = await createContact();
    const r = await createRelation({ contact: a, type: "friend" });
    expectInvalid(
      await api("PATCH", `${BASE}${r.id}/`, { body: { type: "uncle", tags: ["a", "a"], x: 1 } }),
      ["type", "tags", "x"],
    );
  });

  it("DELETE answers 204, then 404; never deletes the contacts", async () => {
    const a = await createContact();
    const b = await createContact();
    const r = await createRelation({ contact: a, type: "spouse", related_contact: b });
    const res = await api("DELETE", `${BASE}${r.id}/`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectProblem(await api("GET", `${BASE}${r.id}/`), 404, "/problems/not_found");
    expectProblem(await api("DELETE", `${BASE}${r.id}/`), 404, "/problems/not_found");
    expect((await api("GET", `/contacts/${a}/`)).status).toBe(200);
    expect((await api("GET", `/contacts/${b}/`)).status).toBe(200);
    // and the same relation may be created again
    await createRelation({ contact: a, type: "spouse", related_contact: b });
  });
});

// ---------------------------------------------------------------------------------------------
// History on both contacts
// ---------------------------------------------------------------------------------------------

describe("relations: history on both contacts", () => {
  it("relation_created, relation_updated and relation_deleted on both sides", async () => {
    const a = await createContact();
    const b = await createContact();
    const r = await createRelation({ contact: a, type: "guarantor", related_contact: b, tags: ["loan"] });
    const patched = await api("PATCH", `${BASE}${r.id}/`, {
      body: { type: "co_applicant" },
      token: await token({ sub: "u2" }),
    });
    expect(patched.status).toBe(200);
    expect((await api("DELETE", `${BASE}${r.id}/`, { token: await token({ sub: "u3" }) })).status).toBe(204);

    for (const owner of [a, b]) {
      const history = await historyOf(owner);
      expect(history.map((h) => h.action)).toEqual([
        "relation_deleted",
        "relation_updated",
        "relation_created",
        "created",
      ]);
      const [deleted, updated, created] = history;
      for (const entry of [deleted, updated, created])
        expect(entry?.subject).toEqual({ type: "relation", id: r.id });
      expect(created).toMatchObject({ actor: "u1", at: r.created_at, reason: null });
      expect(created?.changes).toEqual({
        contact: [null, a],
        type: [null, "guarantor"],
        related_contact: [null, b],
        tags: [null, ["loan"]],
      });
      expect(updated).toMatchObject({ actor: "u2", at: patched.body.updated_at });
      expect(updated?.changes).toEqual({ type: ["guarantor", "co_applicant"] });
      expect(deleted).toMatchObject({ actor: "u3" });
      expect(deleted?.changes).toEqual({
        contact: [a, null],
        type: ["co_applicant", null],
        related_contact: [b, null],
        tags: [["loan"], null],
      });
    }
  });

  it("a relation without related_contact is recorded on its contact only", async () => {
    const a = await createContact();
    const r = await createRelation({ contact: a, type: "nominee" });
    const [created] = await historyOf(a);
    expect(created?.action).toBe("relation_created");
    expect(created?.changes).toEqual({ contact: [null, a], type: [null, "nominee"] });
    expect(created?.subject).toEqual({ type: "relation", id: r.id });
  });

  it("moving related_contact from B to C is recorded on A, B and C", async () => {
    const a = await createContact();
    const b = await createContact();
    const c = await createContact();
    const r = await createRelation({ contact: a, type: "friend", related_contact: b });
    expect((await api("PATCH", `${BASE}${r.id}/`, { body: { related_contact: c } })).status).toBe(200);
    for (const owner of [a, b, c]) {
      const [last] = await historyOf(owner);
      expect(last?.action, owner).toBe("relation_updated");
      expect(last?.changes).toEqual({ related_contact: [b, c] });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

describe("relations: list", () => {
  const tenant = "rel-list";
  let a: string;
  let b: string;
  let c: string;
  let r1: Relation;
  let r2: Relation;
  let r3: Relation;
  let r4: Relation;

  beforeAll(async () => {
    a = await createContact(tenant, "Anil");
    b = await createContact(tenant, "Bina");
    c = await createContact(tenant, "Chandra");
    r1 = await createRelation({ contact: a, type: "spouse", related_contact: b }, tenant);
    await sleep(3);
    r2 = await createRelation({ contact: c, type: "child", related_contact: a }, tenant);
    await sleep(3);
    r3 = await createRelation({ contact: b, type: "guarantor", related_contact: c }, tenant);
    await sleep(3);
    r4 = await createRelation({ contact: a, type: "nominee" }, tenant);
  });

  const list = (query = "") => api("GET", `${BASE}?${query}`, { tenant });

  it("the Crego envelope, newest first", async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 4, total_pages: 1, current_page: 1, has_next: false });
    expect(ids(res)).toEqual([r4.id, r3.id, r2.id, r1.id]);
    expect(res.body.results[0]).toEqual(r4);
  });

  it("contact lists relations where it is either side", async () => {
    expect(ids(await list(`contact=${a}`))).toEqual([r4.id, r2.id, r1.id]);
    expect(ids(await list(`contact=${b.toLowerCase()}`))).toEqual([r3.id, r1.id]);
    expect(ids(await list(`contact=${c}`))).toEqual([r3.id, r2.id]);
    expect((await list(`contact=${a}`)).body.count).toBe(3);
  });

  it("filters by related_contact", async () => {
    expect(ids(await list(`related_contact=${a}`))).toEqual([r2.id]);
    expect(ids(await list(`related_contact=${b}`))).toEqual([r1.id]);
    expect(ids(await list(`related_contact=${UNKNOWN_ID}`))).toEqual([]);
  });

  it("filters by type", async () => {
    expect(ids(await list("type=spouse"))).toEqual([r1.id]);
    expect(ids(await list("type=nominee"))).toEqual([r4.id]);
    expect(ids(await list("type=director"))).toEqual([]);
    expectInvalid(await list("type=uncle"), ["type"]);
  });

  it("combines filters", async () => {
    expect(ids(await list(`contact=${a}&type=child`))).toEqual([r2.id]);
    expect(ids(await list(`contact=${a}&related_contact=${b}`))).toEqual([r1.id]);
    expect(ids(await list(`contact=${b}&type=child`))).toEqual([]);
  });

  it("another tenant's contact id as a filter is an empty list", async () => {
    for (const q of [`contact=${a}`, `related_contact=${b}`]) {
      const res = await api("GET", `${BASE}?${q}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ count: 0, results: [] });
    }
  });

  it("orders", async () => {
    expect(ids(await list("ordering=created_at"))).toEqual([r1.id, r2.id, r3.id, r4.id]);
    const touched = await api("PATCH", `${BASE}${r1.id}/`, { body: { tags: ["t"] }, tenant });
    expect(touched.status).toBe(200);
    expect(ids(await list("ordering=-updated_at"))[0]).toBe(r1.id);
    expectInvalid(await list("ordering=type"), ["ordering"]);
  });

  it("cursor mode", async () => {
    const first = await list(`cursor=&page_size=2&contact=${a}`);
    expect(ids(first)).toEqual([r4.id, r2.id]);
    expect(first.body.has_next).toBe(true);
    const second = await list(
      `cursor=${encodeURIComponent(first.body.next_cursor)}&page_size=2&contact=${a}`,
    );
    expect(ids(second)).toEqual([r1.id]);
    expect(second.body).toMatchObject({ has_next: false, next_cursor: null });
    expectInvalid(
      await list(`cursor=${encodeURIComponent(first.body.next_cursor)}&page_size=2&contact=${b}`),
      ["cursor"],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

describe("relations: methods not allowed", () => {
  it("405 with Allow on the item path", async () => {
    for (const method of ["PUT", "POST"]) {
      const res = await api(method, `${BASE}${UNKNOWN_ID}/`, { body: {} });
      expectProblem(res, 405, "/problems/method_not_allowed");
      expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "HEAD", "PATCH"]);
    }
  });

  it("405 with Allow on the collection path, for every method it does not serve", async () => {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const res = await api(method, BASE, { body: method === "DELETE" ? undefined : {} });
      expectProblem(res, 405, "/problems/method_not_allowed");
      expect(res.headers.get("allow")?.split(", ").sort(), method).toEqual(["GET", "HEAD", "POST"]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Auth and tenancy, every route
// ---------------------------------------------------------------------------------------------

const ownRelation = async () =>
  `${BASE}${(await createRelation({ contact: await createContact(), type: "friend", related_contact: relatedId })).id}/`;
const unchanged = async (path: string) => (await api("GET", path)).body;

authAndTenancyCases("POST /contacts/relations/", {
  method: "POST",
  path: BASE,
  body: async () => ({ contact: contactId, type: "witness", related_contact: relatedId }),
  scope: "contacts:write",
});
authAndTenancyCases("GET /contacts/relations/", {
  method: "GET",
  path: BASE,
  scope: "contacts:read",
  tenancy: { expect: "empty" },
});
authAndTenancyCases("GET /contacts/relations/{id}/", {
  method: "GET",
  path: ownRelation,
  scope: "contacts:read",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("PATCH /contacts/relations/{id}/", {
  method: "PATCH",
  path: ownRelation,
  body: { type: "sibling", related_contact: null },
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("DELETE /contacts/relations/{id}/", {
  method: "DELETE",
  path: ownRelation,
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
