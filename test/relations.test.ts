import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import {
  createContact,
  createInOrder,
  expectInvalid,
  expectProblem,
  historyOf,
  ids,
  UNKNOWN_ID,
} from "./helpers/fixtures";
import { RELATIONS as BASE, createRelation, type Relation } from "./helpers/sub-resources";

// The rules of relations only. What every sub-resource shares (create and read, owner, tags, PATCH,
// DELETE, history on every contact named, ETags, lists, cursors, auth and tenancy) is in
// sub-resources.test.ts.

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

  it("contact_id is no field of a relation: contact is", async () => {
    const a = await createContact();
    expectInvalid(await api("POST", BASE, { body: { contact_id: a, type: "witness" } }), [
      "contact",
      "contact_id",
    ]);
  });

  it("accepts related_contact in lower case and returns it upper-case", async () => {
    const a = await createContact();
    const r = await createRelation({ contact: a, type: "child", related_contact: relatedId.toLowerCase() });
    expect(r).toMatchObject({ contact: a, related_contact: relatedId });
  });
});

// ---------------------------------------------------------------------------------------------
// The linked contacts
// ---------------------------------------------------------------------------------------------

describe("relations: both contacts must be the tenant's", () => {
  for (const [label, value] of [
    ["an unknown contact", () => UNKNOWN_ID],
    ["another tenant's contact", () => t2ContactId],
    ["a malformed id", () => "nope"],
  ] as const) {
    it(`400 at contact for ${label} when related_contact is absent`, async () => {
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

  it("an erased contact cannot be related, on POST or PATCH (409), and nothing is written", async () => {
    const a = await createContact();
    const erased = await createContact();
    expect(
      (await api("POST", `/contacts/${erased}/erase/`, { body: { reason: "DPDP request" } })).status,
    ).toBe(200);
    expectProblem(
      await api("POST", BASE, { body: { contact: a, type: "friend", related_contact: erased } }),
      409,
      "/problems/contact_erased",
    );
    const r = await createRelation({ contact: a, type: "friend" });
    expectProblem(
      await api("PATCH", `${BASE}${r.id}/`, { body: { related_contact: erased } }),
      409,
      "/problems/contact_erased",
    );
    expect((await api("GET", `${BASE}${r.id}/`)).body).toEqual(r);
    expect((await historyOf(a)).map((h) => h.action)).toEqual(["relation_created", "created"]);
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

  it("after a DELETE the same relation may be created again", async () => {
    const a = await createContact();
    const b = await createContact();
    const r = await createRelation({ contact: a, type: "spouse", related_contact: b });
    expect((await api("DELETE", `${BASE}${r.id}/`)).status).toBe(204);
    await createRelation({ contact: a, type: "spouse", related_contact: b });
  });
});

// ---------------------------------------------------------------------------------------------
// History on both contacts
// ---------------------------------------------------------------------------------------------

describe("relations: history on both contacts", () => {
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
    const createdOn = async (owner: string) =>
      (await historyOf(owner)).find((h) => h.action === "relation_created" && h.subject.id === r.id);
    const atCreate = await createdOn(b);
    expect(atCreate?.changes).toEqual({
      contact: [null, a],
      type: [null, "friend"],
      related_contact: [null, b],
    });
    expect((await api("PATCH", `${BASE}${r.id}/`, { body: { related_contact: c } })).status).toBe(200);
    for (const owner of [a, b, c]) {
      const [last] = await historyOf(owner);
      expect(last?.action, owner).toBe("relation_updated");
      expect(last?.changes).toEqual({ related_contact: [b, c] });
    }
    // A and B keep the creation as it was; C joined later and has none.
    expect(await createdOn(a)).toEqual(atCreate);
    expect(await createdOn(b)).toEqual(atCreate);
    expect(await createdOn(c)).toBeUndefined();
  });

  it("the created entry is read from the relation, then kept with its fields through changes", async () => {
    const a = await createContact();
    const b = await createContact();
    const r = await createRelation({ contact: a, type: "spouse", related_contact: b, tags: ["joint"] });
    const [created] = await historyOf(b);
    expect(created).toEqual({
      id: r.id,
      at: r.created_at,
      actor: r.created_by,
      action: "relation_created",
      subject: { type: "relation", id: r.id },
      changes: {
        contact: [null, a],
        type: [null, "spouse"],
        related_contact: [null, b],
        tags: [null, ["joint"]],
      },
      reason: null,
    });
    // Read from the relation: no row yet. Its first change stores the entry, with its fields, on both.
    const storedCreated = async () =>
      (
        await env.DB.prepare(
          "select changes from contact_history where subject_id = ? and action = 'relation_created'",
        )
          .bind(r.id)
          .all<{ changes: string }>()
      ).results.map((row) => JSON.parse(row.changes));
    expect(await storedCreated()).toEqual([]);
    expect((await api("PATCH", `${BASE}${r.id}/`, { body: { type: "friend", tags: [] } })).status).toBe(200);
    expect(await storedCreated()).toEqual([created?.changes, created?.changes]);
    expect((await api("DELETE", `${BASE}${r.id}/`)).status).toBe(204);
    for (const owner of [a, b]) {
      const history = await historyOf(owner);
      expect(history.map((h) => h.action)).toEqual([
        "relation_deleted",
        "relation_updated",
        "relation_created",
        "created",
      ]);
      expect(history[2]).toEqual(created);
    }
  });

  it("erasing one contact records relation_deleted on the other, which keeps the creation with its fields", async () => {
    const a = await createContact();
    const b = await createContact();
    const r = await createRelation({ contact: b, type: "guarantor", related_contact: a });
    const [created] = await historyOf(b);
    expect(created?.action).toBe("relation_created");
    expect((await api("POST", `/contacts/${a}/erase/`, { body: { reason: "DPDP request" } })).status).toBe(
      200,
    );
    expect((await api("GET", `${BASE}${r.id}/`)).status).toBe(404);
    const other = await historyOf(b);
    expect(other[0]).toMatchObject({ action: "relation_deleted", subject: { type: "relation", id: r.id } });
    expect(other.slice(1)).toEqual([created, expect.objectContaining({ action: "created" })]);
    const erased = await historyOf(a);
    expect(erased.map((h) => [h.action, h.changes])).toEqual([
      ["erased", {}],
      ["relation_created", {}],
      ["created", {}],
    ]);
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
    [r1, r2, r3, r4] = await createInOrder([
      () => createRelation({ contact: a, type: "spouse", related_contact: b }, tenant),
      () => createRelation({ contact: c, type: "child", related_contact: a }, tenant),
      () => createRelation({ contact: b, type: "guarantor", related_contact: c }, tenant),
      () => createRelation({ contact: a, type: "nominee" }, tenant),
    ]);
  });

  const list = (query = "") => api("GET", `${BASE}?${query}`, { tenant });

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
    expect(ids(await list(`related_contact=${a.toLowerCase()}`))).toEqual([r2.id]);
  });

  it("a contact or related_contact filter that is not an id is 400, naming each", async () => {
    for (const value of ["", "nope", `${a}0`]) {
      const bad = encodeURIComponent(value);
      expectInvalid(await list(`contact=${bad}`), ["contact"]);
      expectInvalid(await list(`related_contact=${bad}`), ["related_contact"]);
    }
    expectInvalid(await list("contact=nope&related_contact=nope"), ["contact", "related_contact"]);
  });

  it("filters by type", async () => {
    expect(ids(await list("type=spouse"))).toEqual([r1.id]);
    expect(ids(await list("type=nominee"))).toEqual([r4.id]);
    expect(ids(await list("type=director"))).toEqual([]);
  });

  it("combines filters", async () => {
    expect(ids(await list(`contact=${a}&type=child`))).toEqual([r2.id]);
    expect(ids(await list(`contact=${a}&related_contact=${b}`))).toEqual([r1.id]);
    expect(ids(await list(`contact=${b}&type=child`))).toEqual([]);
  });

  it("another tenant's contact id as the related_contact filter is an empty list", async () => {
    const res = await api("GET", `${BASE}?related_contact=${b}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 0, results: [] });
  });
});
