import { beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, api } from "./helpers/api";
import { authAndTenancyCases } from "./helpers/auth-cases";
import { createContact, errorPaths, expectProblem, historyOf, sleep, UNKNOWN_ID } from "./helpers/fixtures";
import { token } from "./helpers/tokens";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const BASE = "/contacts/addresses/";

type Address = {
  id: string;
  contact_id: string;
  address_line: string | null;
  city: string | null;
  state: string | null;
  pincode: string | null;
  country: string | null;
  type: string;
  coords: { lat: number; lng: number } | null;
  codes: Record<string, string> | null;
  tags: string[];
  tenant_id: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string | null;
};
const addressBody = (contactId: string, overrides: Record<string, unknown> = {}) => ({
  contact_id: contactId,
  address_line: "12, MG Road, Ashok Nagar",
  city: "Bengaluru",
  state: "Karnataka",
  pincode: "560001",
  country: "India",
  ...overrides,
});

async function createAddress(
  contactId: string,
  overrides: Record<string, unknown> = {},
  tenant?: string,
): Promise<Address> {
  const res = await api("POST", BASE, { body: addressBody(contactId, overrides), tenant });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

function expectInvalid(res: ApiResponse, paths: string[]) {
  expect(res.status, res.text).toBe(400);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body.type).toBe("/problems/validation");
  expect(res.body.status).toBe(400);
  expect(errorPaths(res).sort()).toEqual([...paths].sort());
}

const ids = (res: ApiResponse) => res.body.results.map((r: { id: string }) => r.id);

let contactId: string;
let t2ContactId: string;

beforeAll(async () => {
  contactId = await createContact();
  t2ContactId = await createContact("t2");
});

// ---------------------------------------------------------------------------------------------
// Create and read
// ---------------------------------------------------------------------------------------------

describe("addresses: create and read", () => {
  it("creates with defaults and reads it back (with and without the trailing slash, any case)", async () => {
    const res = await api("POST", BASE, { body: addressBody(contactId) });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      contact_id: contactId,
      address_line: "12, MG Road, Ashok Nagar",
      city: "Bengaluru",
      state: "Karnataka",
      pincode: "560001",
      country: "India",
      type: "current",
      coords: null,
      codes: null,
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
    const noSlash = await api("POST", "/contacts/addresses", { body: addressBody(contactId) });
    expect(noSlash.status).toBe(201);
  });

  it("stores every optional field", async () => {
    const res = await api("POST", BASE, {
      body: addressBody(contactId, {
        type: "office",
        coords: { lat: 12.9716, lng: 77.5946 },
        codes: { state_code: "KA", district_code: "BLR" },
        tags: ["hq", "billing"],
      }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      type: "office",
      coords: { lat: 12.9716, lng: 77.5946 },
      codes: { state_code: "KA", district_code: "BLR" },
      tags: ["hq", "billing"],
    });
    expect((await api("GET", `${BASE}${res.body.id}/`)).body).toEqual(res.body);
  });

  it("only contact_id is required: the address fields are stored as null", async () => {
    const res = await api("POST", BASE, { body: { contact_id: contactId } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      contact_id: contactId,
      address_line: null,
      city: null,
      state: null,
      pincode: null,
      country: null,
      type: "current",
      coords: null,
      codes: null,
      tags: [],
    });
    expect((await api("GET", `${BASE}${res.body.id}/`)).body).toEqual(res.body);
  });

  it("blank strings and null are stored as null", async () => {
    for (const blank of ["", "   ", null]) {
      const res = await api("POST", BASE, {
        body: {
          contact_id: contactId,
          address_line: blank,
          city: blank,
          state: blank,
          pincode: blank,
          country: blank,
        },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({
        address_line: null,
        city: null,
        state: null,
        pincode: null,
        country: null,
      });
      expect((await api("GET", `${BASE}${res.body.id}/`)).body).toEqual(res.body);
    }
    const some = await createAddress(contactId, { address_line: "", pincode: "" });
    expect(some).toMatchObject({
      address_line: null,
      city: "Bengaluru",
      state: "Karnataka",
      pincode: null,
      country: "India",
    });
  });

  it("accepts the contact id in lower case and returns it upper-case", async () => {
    const a = await createAddress(contactId.toLowerCase());
    expect(a.contact_id).toBe(contactId);
  });

  it("trims text fields", async () => {
    const a = await createAddress(contactId, {
      address_line: "  7 Park Street  ",
      city: " Kolkata ",
      state: " West Bengal ",
      country: " India ",
    });
    expect(a).toMatchObject({ address_line: "7 Park Street", city: "Kolkata", state: "West Bengal" });
    expect(a.country).toBe("India");
  });

  it("ignores read-only fields in the body", async () => {
    const res = await api("POST", BASE, {
      body: addressBody(contactId, {
        id: UNKNOWN_ID,
        tenant_id: "t2",
        version: 7,
        created_at: "2000-01-01T00:00:00.000Z",
        created_by: "mallory",
        updated_at: "2000-01-01T00:00:00.000Z",
        updated_by: "mallory",
      }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).not.toBe(UNKNOWN_ID);
    expect(res.body).toMatchObject({ tenant_id: "t1", version: 1, created_by: "u1", updated_by: null });
    expect(res.body.created_at.startsWith("2000")).toBe(false);
  });

  it("a malformed or unknown id is 404 on GET, PATCH and DELETE", async () => {
    for (const id of ["not-an-id", UNKNOWN_ID, "01ARZ3NDEKTSV4RRFFQ69G5FA!"]) {
      expectProblem(await api("GET", `${BASE}${id}/`), 404, "/problems/not_found");
      expectProblem(
        await api("PATCH", `${BASE}${id}/`, { body: { city: "Pune" } }),
        404,
        "/problems/not_found",
      );
      expectProblem(await api("DELETE", `${BASE}${id}/`), 404, "/problems/not_found");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Field rules: one passing and one failing case per rule
// ---------------------------------------------------------------------------------------------

describe("addresses: field rules", () => {
  const passing: [string, Record<string, unknown>, Partial<Address>][] = [
    ["address_line of 5 characters", { address_line: "1 Rd." }, { address_line: "1 Rd." }],
    ["address_line of 100 characters", { address_line: "a".repeat(100) }, { address_line: "a".repeat(100) }],
    [
      "address_line with every allowed symbol",
      { address_line: "Flat #4/2, O'Neil Rd. - Block B" },
      { address_line: "Flat #4/2, O'Neil Rd. - Block B" },
    ],
    [
      "address_line in another script (with marks)",
      { address_line: "फ्लैट 12, गांधी मार्ग" },
      { address_line: "फ्लैट 12, गांधी मार्ग" },
    ],
    ["city of 2 characters", { city: "Ab" }, { city: "Ab" }],
    ["city with space, - and .", { city: "St. Louis-East Side" }, { city: "St. Louis-East Side" }],
    ["city in another script", { city: "बेंगलुरु" }, { city: "बेंगलुरु" }],
    ["city of 50 characters", { city: "c".repeat(50) }, { city: "c".repeat(50) }],
    ["state of 3 characters", { state: "Goa" }, { state: "Goa" }],
    ["state with space and -", { state: "Jammu-Kashmir Region" }, { state: "Jammu-Kashmir Region" }],
    ["state in another script", { state: "கர்நாடகா" }, { state: "கர்நாடகா" }],
    ["state of 50 characters", { state: "s".repeat(50) }, { state: "s".repeat(50) }],
    ["pincode of 6 digits", { pincode: "000001" }, { pincode: "000001" }],
    ["country of 2 letters", { country: "IN" }, { country: "IN" }],
    ["country with spaces", { country: "United Arab Emirates" }, { country: "United Arab Emirates" }],
    ["country in another script", { country: "भारत" }, { country: "भारत" }],
    ["country of 50 characters", { country: "n".repeat(50) }, { country: "n".repeat(50) }],
    ["coords at the bounds", { coords: { lat: -90, lng: 180 } }, { coords: { lat: -90, lng: 180 } }],
    ["coords at the other bounds", { coords: { lat: 90, lng: -180 } }, { coords: { lat: 90, lng: -180 } }],
    ["coords null", { coords: null }, { coords: null }],
    ["codes object of strings", { codes: { state_code: "KA" } }, { codes: { state_code: "KA" } }],
    ["codes null", { codes: null }, { codes: null }],
    ["codes empty object", { codes: {} }, { codes: {} }],
    ["tags", { tags: ["home", "billing"] }, { tags: ["home", "billing"] }],
    ["empty tags", { tags: [] }, { tags: [] }],
  ];
  for (const type of ["permanent", "current", "office", "registered", "communication", "other"]) {
    passing.push([`type ${type}`, { type }, { type }]);
  }
  for (const [label, overrides, expected] of passing) {
    it(`accepts ${label}`, async () => {
      const res = await api("POST", BASE, { body: addressBody(contactId, overrides) });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject(expected);
    });
  }

  const failing: [string, Record<string, unknown>, string][] = [
    ["address_line of 4 characters", { address_line: "1 Rd" }, "address_line"],
    ["address_line of 4 characters after trimming", { address_line: "  1 Rd  " }, "address_line"],
    ["address_line of 101 characters", { address_line: "a".repeat(101) }, "address_line"],
    ["address_line with @", { address_line: "12 MG Road @ corner" }, "address_line"],
    ["address_line with a control character", { address_line: "12 MG\u0007 Road" }, "address_line"],
    ["address_line as a number", { address_line: 12345 }, "address_line"],
    ["city of 1 character", { city: "B" }, "city"],
    ["city of 51 characters", { city: "c".repeat(51) }, "city"],
    ["city with a digit", { city: "Sector 5" }, "city"],
    ["city with a comma", { city: "Pune, MH" }, "city"],
    ["state of 2 characters", { state: "KA" }, "state"],
    ["state of 51 characters", { state: "s".repeat(51) }, "state"],
    ["state with a dot", { state: "Karnataka." }, "state"],
    ["state with a digit", { state: "Zone 1" }, "state"],
    ["pincode of 5 digits", { pincode: "56000" }, "pincode"],
    ["pincode of 7 digits", { pincode: "5600011" }, "pincode"],
    ["pincode with a letter", { pincode: "56000A" }, "pincode"],
    ["pincode with a space", { pincode: "560 001" }, "pincode"],
    ["pincode as a number", { pincode: 560001 }, "pincode"],
    ["country of 1 letter", { country: "I" }, "country"],
    ["country of 51 characters", { country: "n".repeat(51) }, "country"],
    ["country with a dot", { country: "U.S" }, "country"],
    ["country with a hyphen", { country: "Timor-Leste" }, "country"],
    ["unknown type", { type: "home" }, "type"],
    ["type in another case", { type: "Office" }, "type"],
    ["type null", { type: null }, "type"],
    ["lat over 90", { coords: { lat: 90.0001, lng: 0 } }, "coords.lat"],
    ["lat under -90", { coords: { lat: -91, lng: 0 } }, "coords.lat"],
    ["lng over 180", { coords: { lat: 0, lng: 180.5 } }, "coords.lng"],
    ["lng under -180", { coords: { lat: 0, lng: -181 } }, "coords.lng"],
    ["coords without lng", { coords: { lat: 12 } }, "coords.lng"],
    ["coords without lat", { coords: { lng: 77 } }, "coords.lat"],
    ["lat as a string", { coords: { lat: "12.9", lng: 77 } }, "coords.lat"],
    ["coords with an unknown key", { coords: { lat: 1, lng: 2, alt: 3 } }, "coords.alt"],
    ["coords as an array", { coords: [12, 77] }, "coords"],
    ["codes with a number value", { codes: { state_code: 29 } }, "codes.state_code"],
    ["codes as an array", { codes: ["KA"] }, "codes"],
    ["codes as a string", { codes: "KA" }, "codes"],
    ["duplicate tags", { tags: ["a", "a"] }, "tags"],
    ["a tag of 51 characters", { tags: ["t".repeat(51)] }, "tags.0"],
    ["an empty tag", { tags: [""] }, "tags.0"],
    ["tags as a string", { tags: "a,b" }, "tags"],
    ["51 tags", { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, "tags"],
    ["an unknown field", { colour: "red" }, "colour"],
  ];
  for (const [label, overrides, path] of failing) {
    it(`400 for ${label}`, async () => {
      const res = await api("POST", BASE, { body: addressBody(contactId, overrides) });
      expectInvalid(res, [path]);
    });
  }

  it("names every invalid field, not just the first", async () => {
    const res = await api("POST", BASE, {
      body: { contact_id: contactId, address_line: "x", city: "1", state: "K1", pincode: "1", country: "9" },
    });
    expectInvalid(res, ["address_line", "city", "state", "pincode", "country"]);
    expect(res.body.detail).toBe("5 fields are invalid");
  });

  it("an empty or non-object body is 400", async () => {
    expectInvalid(await api("POST", BASE, { body: {} }), ["contact_id"]);
    expect((await api("POST", BASE, { body: [] })).status).toBe(400);
    const malformed = await api("POST", BASE, {
      rawBody: "{",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------
// contact_id
// ---------------------------------------------------------------------------------------------

describe("addresses: contact_id", () => {
  it("is required", async () => {
    expectInvalid(await api("POST", BASE, { body: addressBody(contactId, { contact_id: undefined }) }), [
      "contact_id",
    ]);
  });

  for (const [label, value] of [
    ["an unknown contact", () => UNKNOWN_ID],
    ["another tenant's contact", () => t2ContactId],
    ["a malformed id", () => "not-a-contact"],
    ["an empty id", () => ""],
  ] as const) {
    it(`400 at contact_id for ${label}, and nothing is stored`, async () => {
      const before = await api("GET", `${BASE}?page_size=1`);
      const res = await api("POST", BASE, { body: addressBody(value()) });
      expectInvalid(res, ["contact_id"]);
      const after = await api("GET", `${BASE}?page_size=1`);
      expect(after.body.count).toBe(before.body.count);
    });
  }

  it("a number is 400 at contact_id", async () => {
    expectInvalid(await api("POST", BASE, { body: addressBody(contactId, { contact_id: 5 }) }), [
      "contact_id",
    ]);
  });

  it("another tenant cannot attach an address to t1's contact", async () => {
    const res = await api("POST", BASE, { body: addressBody(contactId), tenant: "t2" });
    expectInvalid(res, ["contact_id"]);
    expect(res.text).not.toContain("Ramesh");
  });
});

// ---------------------------------------------------------------------------------------------
// PATCH and DELETE
// ---------------------------------------------------------------------------------------------

describe("addresses: update and delete", () => {
  it("PATCH changes only the fields sent", async () => {
    const a = await createAddress(contactId, { codes: { state_code: "KA" }, tags: ["x"] });
    await sleep(2);
    const res = await api("PATCH", `${BASE}${a.id}/`, {
      body: { city: "Mysuru" },
      token: await token({ sub: "u2" }),
    });
    expect(res.status, res.text).toBe(200);
    const { city, version, updated_at, updated_by, ...rest } = res.body;
    const { city: _c, version: _v, updated_at: _u, updated_by: _b, ...before } = a;
    expect(rest).toEqual(before);
    expect(city).toBe("Mysuru");
    expect(version).toBe(2);
    expect(updated_by).toBe("u2");
    expect(updated_at > a.created_at).toBe(true);
    expect((await api("GET", `${BASE}${a.id}/`)).body).toEqual(res.body);
  });

  it("PATCH every field at once", async () => {
    const a = await createAddress(contactId);
    const body = {
      address_line: "221B Baker Street",
      city: "Chennai",
      state: "Tamil Nadu",
      pincode: "600001",
      country: "Bharat",
      type: "permanent",
      coords: { lat: 13.08, lng: 80.27 },
      codes: { state_code: "TN" },
      tags: ["moved"],
    };
    const res = await api("PATCH", `${BASE}${a.id}/`, { body });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject(body);
  });

  it("PATCH null coords and codes clears them", async () => {
    const a = await createAddress(contactId, { coords: { lat: 1, lng: 2 }, codes: { c: "1" } });
    const res = await api("PATCH", `${BASE}${a.id}/`, { body: { coords: null, codes: null } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ coords: null, codes: null });
  });

  it("PATCH null or blank clears the address fields, and sets them again", async () => {
    const a = await createAddress(contactId);
    const cleared = await api("PATCH", `${BASE}${a.id}/`, {
      body: { address_line: null, city: "", state: "  ", pincode: null, country: "" },
    });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body).toMatchObject({
      address_line: null,
      city: null,
      state: null,
      pincode: null,
      country: null,
      version: 2,
    });
    expect((await api("GET", `${BASE}${a.id}/`)).body).toEqual(cleared.body);
    // clearing what is already null changes nothing
    const again = await api("PATCH", `${BASE}${a.id}/`, { body: { city: null, pincode: "" } });
    expect(again.body).toEqual(cleared.body);
    const set = await api("PATCH", `${BASE}${a.id}/`, { body: { city: "Mysuru", pincode: " 570001 " } });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ address_line: null, city: "Mysuru", pincode: "570001", version: 3 });
  });

  it("PATCH validates every field as on create", async () => {
    const a = await createAddress(contactId);
    const res = await api("PATCH", `${BASE}${a.id}/`, {
      body: { pincode: "12345", coords: { lat: 100, lng: 0 }, type: "home", city: "C1", extra: 1 },
    });
    expectInvalid(res, ["pincode", "coords.lat", "type", "city", "extra"]);
    expect((await api("GET", `${BASE}${a.id}/`)).body).toEqual(a);
  });

  it("PATCH with a different contact_id is 400 and changes nothing", async () => {
    const a = await createAddress(contactId);
    const other = await createContact();
    for (const sent of [other, UNKNOWN_ID, t2ContactId, "not-an-id"]) {
      const res = await api("PATCH", `${BASE}${a.id}/`, { body: { contact_id: sent, city: "Pune" } });
      expectInvalid(res, ["contact_id"]);
    }
    expect((await api("GET", `${BASE}${a.id}/`)).body).toEqual(a);
  });

  it("PATCH with the same contact_id (any case) is accepted, so a client can send back what it read", async () => {
    const a = await createAddress(contactId);
    const { city: _c, ...readBack } = a;
    const res = await api("PATCH", `${BASE}${a.id}/`, { body: { ...readBack, city: "Pune" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ contact_id: contactId, city: "Pune", version: 2 });
    const lower = await api("PATCH", `${BASE}${a.id}/`, {
      body: { contact_id: contactId.toLowerCase(), city: "Nashik" },
    });
    expect(lower.status, lower.text).toBe(200);
    expect(lower.body).toMatchObject({ contact_id: contactId, city: "Nashik", version: 3 });
  });

  it("a PATCH that changes nothing keeps version and updated_at", async () => {
    const a = await createAddress(contactId);
    const res = await api("PATCH", `${BASE}${a.id}/`, { body: { city: a.city } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(a);
    const empty = await api("PATCH", `${BASE}${a.id}/`, { body: {} });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual(a);
  });

  it("DELETE answers 204 with no body, then 404", async () => {
    const a = await createAddress(contactId);
    const res = await api("DELETE", `${BASE}${a.id}/`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectProblem(await api("GET", `${BASE}${a.id}/`), 404, "/problems/not_found");
    expectProblem(await api("DELETE", `${BASE}${a.id}/`), 404, "/problems/not_found");
    expectProblem(
      await api("PATCH", `${BASE}${a.id}/`, { body: { city: "Pune" } }),
      404,
      "/problems/not_found",
    );
    // the contact itself is untouched
    expect((await api("GET", `/contacts/${contactId}/`)).status).toBe(200);
  });

  it("DELETE without the trailing slash and with a lower-case id", async () => {
    const a = await createAddress(contactId);
    expect((await api("DELETE", `${BASE}${a.id.toLowerCase()}`)).status).toBe(204);
  });
});

// ---------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------

describe("addresses: history on the owning contact", () => {
  it("records address_created, address_updated and address_deleted with field changes", async () => {
    const owner = await createContact();
    const a = await createAddress(owner, {
      type: "office",
      coords: { lat: 1.5, lng: 2.5 },
      codes: { state_code: "KA" },
      tags: ["hq"],
    });
    const patched = await api("PATCH", `${BASE}${a.id}/`, {
      body: { city: "Mysuru", pincode: "570001" },
      token: await token({ sub: "u2" }),
    });
    expect(patched.status).toBe(200);
    expect((await api("DELETE", `${BASE}${a.id}/`, { token: await token({ sub: "u3" }) })).status).toBe(204);

    const history = await historyOf(owner);
    expect(history.map((h) => h.action)).toEqual([
      "address_deleted",
      "address_updated",
      "address_created",
      "created",
    ]);
    const [deleted, updated, created] = history;
    for (const entry of [deleted, updated, created])
      expect(entry?.subject).toEqual({ type: "address", id: a.id });
    expect(created).toMatchObject({ actor: "u1", at: a.created_at, reason: null });
    expect(created?.changes).toEqual({
      address_line: [null, "12, MG Road, Ashok Nagar"],
      city: [null, "Bengaluru"],
      state: [null, "Karnataka"],
      pincode: [null, "560001"],
      country: [null, "India"],
      type: [null, "office"],
      coords: [null, { lat: 1.5, lng: 2.5 }],
      codes: [null, { state_code: "KA" }],
      tags: [null, ["hq"]],
    });
    expect(updated).toMatchObject({ actor: "u2", at: patched.body.updated_at, reason: null });
    expect(updated?.changes).toEqual({
      city: ["Bengaluru", "Mysuru"],
      pincode: ["560001", "570001"],
    });
    expect(deleted).toMatchObject({ actor: "u3", reason: null });
    expect(deleted?.changes).toMatchObject({
      address_line: ["12, MG Road, Ashok Nagar", null],
      city: ["Mysuru", null],
      pincode: ["570001", null],
    });
  });

  it("refused writes and no-op PATCHes write no history", async () => {
    const owner = await createContact();
    const a = await createAddress(owner);
    expect((await api("PATCH", `${BASE}${a.id}/`, { body: { pincode: "1" } })).status).toBe(400);
    expect((await api("PATCH", `${BASE}${a.id}/`, { body: { city: a.city } })).status).toBe(200);
    expect(
      (await api("PATCH", `${BASE}${a.id}/`, { body: { contact_id: contactId, city: "Pune" } })).status,
    ).toBe(400);
    expect((await historyOf(owner)).map((h) => h.action)).toEqual(["address_created", "created"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

describe("addresses: list", () => {
  const tenant = "addr-list";
  let alice: string;
  let bob: string;
  let a1: Address;
  let a2: Address;
  let a3: Address;
  let a4: Address;
  let t1Other: string;

  beforeAll(async () => {
    alice = await createContact(tenant, "Alice");
    bob = await createContact(tenant, "Bob");
    a1 = await createAddress(
      alice,
      { city: "Bengaluru", state: "Karnataka", pincode: "560001", tags: ["home", "billing"] },
      tenant,
    );
    await sleep(3);
    a2 = await createAddress(
      alice,
      {
        address_line: "Plot 9, Hitech City",
        city: "Hyderabad",
        state: "Telangana",
        pincode: "500081",
        type: "office",
        tags: ["billing"],
      },
      tenant,
    );
    await sleep(3);
    a3 = await createAddress(
      bob,
      {
        address_line: "4 Marine Drive",
        city: "Mumbai",
        state: "Maharashtra",
        pincode: "400002",
        country: "Bharat",
        tags: ["home"],
      },
      tenant,
    );
    await sleep(3);
    a4 = await createAddress(
      bob,
      {
        address_line: "Sector 17 Market",
        city: "Chandigarh",
        state: "Punjab",
        pincode: "160017",
        type: "permanent",
      },
      tenant,
    );
    // an address of another tenant with the same words
    t1Other = (await createAddress(contactId, { city: "Bengaluru" })).id;
  });

  const list = (query = "") => api("GET", `${BASE}?${query}`, { tenant });

  it("the Crego envelope, newest first, only the caller's tenant", async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      count: 4,
      total_pages: 1,
      current_page: 1,
      has_previous: false,
      has_next: false,
      previous_page: null,
      next_page: null,
    });
    expect(ids(res)).toEqual([a4.id, a3.id, a2.id, a1.id]);
    expect(ids(res)).not.toContain(t1Other);
    expect(res.body.results[0]).toEqual(a4);
  });

  it("pages", async () => {
    const res = await list("page_size=3&page=2");
    expect(res.body).toMatchObject({
      count: 4,
      total_pages: 2,
      current_page: 2,
      has_previous: true,
      previous_page: 1,
      has_next: false,
      next_page: null,
    });
    expect(ids(res)).toEqual([a1.id]);
  });

  it("filters by contact (any case)", async () => {
    expect(ids(await list(`contact=${alice}`))).toEqual([a2.id, a1.id]);
    expect(ids(await list(`contact=${bob.toLowerCase()}`))).toEqual([a4.id, a3.id]);
    expect((await list(`contact=${UNKNOWN_ID}`)).body).toMatchObject({ count: 0, results: [] });
  });

  it("another tenant's contact id as the contact filter is an empty list", async () => {
    const res = await api("GET", `${BASE}?contact=${alice}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 0, results: [] });
    const t2 = await api("GET", `${BASE}?contact=${contactId}`, { tenant: "t2" });
    expect(t2.body).toMatchObject({ count: 0, results: [] });
  });

  it("filters by type", async () => {
    expect(ids(await list("type=office"))).toEqual([a2.id]);
    expect(ids(await list("type=current"))).toEqual([a3.id, a1.id]);
    expect(ids(await list("type=other"))).toEqual([]);
    expectInvalid(await list("type=home"), ["type"]);
    expectInvalid(await list("type=Office"), ["type"]);
  });

  it("searches word prefixes of address_line, city, state, country and pincode", async () => {
    const cases: [string, string[]][] = [
      ["beng", [a1.id]],
      ["BENGALURU", [a1.id]],
      ["5600", [a1.id]],
      ["560001", [a1.id]],
      ["hitech", [a2.id]],
      ["hyder", [a2.id]],
      ["telan", [a2.id]],
      ["karnataka", [a1.id]],
      ["bharat", [a3.id]],
      ["india", [a4.id, a2.id, a1.id]],
      ["marine drive", [a3.id]],
      ["mum 4000", [a3.id]],
      ["mumbai punjab", []],
      ["sector", [a4.id]],
      ["road", [a1.id]],
      ["ashok", [a1.id]],
      ["zzz", []],
      ["angalore", []],
    ];
    for (const [search, expected] of cases) {
      const res = await list(`search=${encodeURIComponent(search)}`);
      expect(res.status, search).toBe(200);
      expect(ids(res), search).toEqual(expected);
      expect(res.body.count, search).toBe(expected.length);
    }
  });

  it("search finds words of any script and folds Latin diacritics", async () => {
    const scripts = "addr-scripts";
    const owner = await createContact(scripts);
    const hindi = await createAddress(
      owner,
      { address_line: "फ्लैट 12, गांधी मार्ग", city: "बेंगलुरु", state: "कर्नाटक", country: "भारत" },
      scripts,
    );
    const accented = await createAddress(owner, { city: "Bengalūru", state: "Škoda Land" }, scripts);
    const cases: [string, string[]][] = [
      ["बेंगलुरु", [hindi.id]],
      ["बेंग", [hindi.id]],
      ["गांधी", [hindi.id]],
      ["कर्नाटक", [hindi.id]],
      ["भारत", [hindi.id]],
      ["bengaluru", [accented.id]],
      ["Bengalūru", [accented.id]],
      ["skoda", [accented.id]],
    ];
    for (const [search, expected] of cases) {
      const res = await api("GET", `${BASE}?search=${encodeURIComponent(search)}`, { tenant: scripts });
      expect(res.status, search).toBe(200);
      expect(ids(res), search).toEqual(expected);
    }
  });

  it("search finds addresses with null fields by the fields they have, and follows a PATCH to null", async () => {
    const sparse = "addr-sparse";
    const owner = await createContact(sparse);
    const cityOnly = await createAddress(
      owner,
      { address_line: null, state: "", pincode: null, country: null, city: "Tiruchirappalli" },
      sparse,
    );
    const noCity = await createAddress(
      owner,
      { address_line: "14 Lake View Road", city: null, state: null, pincode: "620001", country: "" },
      sparse,
    );
    const bare = (await api("POST", BASE, { body: { contact_id: owner }, tenant: sparse })).body as Address;
    const search = async (words: string) =>
      ids(await api("GET", `${BASE}?search=${encodeURIComponent(words)}`, { tenant: sparse }));
    expect(await search("tiruchi")).toEqual([cityOnly.id]);
    expect(await search("lake view")).toEqual([noCity.id]);
    expect(await search("6200")).toEqual([noCity.id]);
    expect(await search("india")).toEqual([]);
    // the address with no text is listed, and found by no search
    expect(ids(await api("GET", `${BASE}?contact=${owner}`, { tenant: sparse }))).toEqual([
      bare.id,
      noCity.id,
      cityOnly.id,
    ]);
    // a PATCH to null takes the words out of the index; setting a field puts them in
    await api("PATCH", `${BASE}${noCity.id}/`, { body: { address_line: null }, tenant: sparse });
    expect(await search("lake")).toEqual([]);
    expect(await search("620001")).toEqual([noCity.id]);
    await api("PATCH", `${BASE}${bare.id}/`, { body: { city: "Madurai" }, tenant: sparse });
    expect(await search("madu")).toEqual([bare.id]);
  });

  it("search with FTS syntax is plain text, never a 500", async () => {
    for (const search of ['"', "beng*", "a OR b", "NEAR(x y)", "-", "(", "city:beng", "^"]) {
      const res = await list(`search=${encodeURIComponent(search)}`);
      expect(res.status, search).toBe(200);
    }
    expect(ids(await list(`search=${encodeURIComponent("beng*")}`))).toEqual([a1.id]);
  });

  it("search combines with other filters", async () => {
    expect(ids(await list(`search=india&contact=${alice}&type=office`))).toEqual([a2.id]);
  });

  it("filters by tags (every listed tag)", async () => {
    expect(ids(await list("tags=billing"))).toEqual([a2.id, a1.id]);
    expect(ids(await list("tags=home"))).toEqual([a3.id, a1.id]);
    expect(ids(await list("tags=home,billing"))).toEqual([a1.id]);
    expect(ids(await list("tags=nothing"))).toEqual([]);
  });

  it("filters by created_at_after / created_at_before (inclusive)", async () => {
    expect(ids(await list(`created_at_after=${encodeURIComponent(a2.created_at)}`))).toEqual([
      a4.id,
      a3.id,
      a2.id,
    ]);
    expect(ids(await list(`created_at_before=${encodeURIComponent(a2.created_at)}`))).toEqual([a2.id, a1.id]);
    expect(
      ids(
        await list(
          `created_at_after=${encodeURIComponent(a2.created_at)}&created_at_before=${encodeURIComponent(a3.created_at)}`,
        ),
      ),
    ).toEqual([a3.id, a2.id]);
    const today = a1.created_at.slice(0, 10);
    expect((await list(`created_at_before=${today}`)).body.count).toBe(4);
    expect((await list(`created_at_after=${today}`)).body.count).toBe(4);
    expect((await list("created_at_before=2000-01-01")).body.count).toBe(0);
    expect((await list("created_at_after=2999-01-01")).body.count).toBe(0);
    expectInvalid(await list("created_at_after=yesterday"), ["created_at_after"]);
    expectInvalid(await list("created_at_before=2025-02-30"), ["created_at_before"]);
  });

  it("orders by created_at and updated_at, either way", async () => {
    expect(ids(await list("ordering=created_at"))).toEqual([a1.id, a2.id, a3.id, a4.id]);
    expect(ids(await list("ordering=-created_at"))).toEqual([a4.id, a3.id, a2.id, a1.id]);
    const touched = await api("PATCH", `${BASE}${a2.id}/`, { body: { tags: ["billing", "x"] }, tenant });
    expect(touched.status).toBe(200);
    expect(ids(await list("ordering=-updated_at"))[0]).toBe(a2.id);
    expect(ids(await list("ordering=updated_at")).at(-1)).toBe(a2.id);
    await api("PATCH", `${BASE}${a2.id}/`, { body: { tags: ["billing"] }, tenant });
    expectInvalid(await list("ordering=name"), ["ordering"]);
    expectInvalid(await list("ordering=city"), ["ordering"]);
  });

  it("bad page parameters are 400", async () => {
    for (const q of ["page=0", "page=-1", "page=x", "page_size=0", "page_size=1.5"]) {
      expect((await list(q)).status, q).toBe(400);
    }
    const clamped = await list("page_size=1000");
    expect(clamped.status).toBe(200);
    expect(clamped.body.count).toBe(4);
  });

  it("cursor mode walks every record once, bound to its filters and ordering", async () => {
    const first = await list("cursor=&page_size=3");
    expect(first.status, first.text).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(["has_next", "next_cursor", "page_size", "results"]);
    expect(first.body).toMatchObject({ page_size: 3, has_next: true });
    expect(ids(first)).toEqual([a4.id, a3.id, a2.id]);
    const cursor = encodeURIComponent(first.body.next_cursor);
    const second = await list(`cursor=${cursor}&page_size=3`);
    expect(second.body).toMatchObject({ page_size: 3, has_next: false, next_cursor: null });
    expect(ids(second)).toEqual([a1.id]);

    const asc = await list("cursor=&page_size=2&ordering=created_at&tags=billing");
    expect(ids(asc)).toEqual([a1.id, a2.id]);
    expect(asc.body.has_next).toBe(false);

    expectInvalid(await list(`cursor=${cursor}&page_size=3&type=office`), ["cursor"]);
    expectInvalid(await list(`cursor=${cursor}&ordering=created_at`), ["cursor"]);
    expectInvalid(await list("cursor=garbage"), ["cursor"]);
    const otherTenant = await api("GET", `${BASE}?cursor=${cursor}&page_size=3`);
    expectInvalid(otherTenant, ["cursor"]);
    const contactsCursor = await api("GET", `/contacts/?cursor=${cursor}&page_size=3`, { tenant });
    expectInvalid(contactsCursor, ["cursor"]);
  });

  it("cursor mode with filters and search", async () => {
    const res = await list(`cursor=&page_size=1&contact=${alice}`);
    expect(ids(res)).toEqual([a2.id]);
    const next = await list(
      `cursor=${encodeURIComponent(res.body.next_cursor)}&page_size=1&contact=${alice}`,
    );
    expect(ids(next)).toEqual([a1.id]);
    expect(next.body.has_next).toBe(false);
    expect(ids(await list("cursor=&search=beng"))).toEqual([a1.id]);
  });
});

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

describe("addresses: methods not allowed", () => {
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

const ownAddress = async () => `${BASE}${(await createAddress(contactId)).id}/`;
const unchanged = async (path: string) => (await api("GET", path)).body;

authAndTenancyCases("POST /contacts/addresses/", {
  method: "POST",
  path: BASE,
  body: async () => addressBody(contactId),
  scope: "contacts:write",
});
authAndTenancyCases("GET /contacts/addresses/", {
  method: "GET",
  path: BASE,
  scope: "contacts:read",
  tenancy: { expect: "empty" },
});
authAndTenancyCases("GET /contacts/addresses/{id}/", {
  method: "GET",
  path: ownAddress,
  scope: "contacts:read",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("PATCH /contacts/addresses/{id}/", {
  method: "PATCH",
  path: ownAddress,
  body: { city: "Pune" },
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("DELETE /contacts/addresses/{id}/", {
  method: "DELETE",
  path: ownAddress,
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
