import { beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { createContact, createInOrder, expectInvalid, ids } from "./helpers/fixtures";
import { type Address, addressBody, ADDRESSES as BASE, createAddress } from "./helpers/sub-resources";

// The rules of addresses only. What every sub-resource shares (create and read, owner, tags, PATCH,
// DELETE, history, ETags, lists, cursors, auth and tenancy) is in sub-resources.test.ts.

let contactId: string;

beforeAll(async () => {
  contactId = await createContact();
});

// ---------------------------------------------------------------------------------------------
// Create and read
// ---------------------------------------------------------------------------------------------

describe("addresses: create and read", () => {
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
  ];
  for (const [label, overrides, path] of failing) {
    it(`400 for ${label}`, async () => {
      const res = await api("POST", BASE, { body: addressBody(contactId, overrides) });
      expectInvalid(res, [path]);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// PATCH
// ---------------------------------------------------------------------------------------------

describe("addresses: update", () => {
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

  it("type and tags are nullable like every optional field: null reads as their default (current, [])", async () => {
    const created = await createAddress(contactId, { type: null, tags: null });
    expect(created).toMatchObject({ type: "current", tags: [] });
    const office = await createAddress(contactId, { type: "office", tags: ["hq"] });
    const res = await api("PATCH", `${BASE}${office.id}/`, { body: { type: null, tags: null } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ type: "current", tags: [], version: 2 });
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

  it("codes are an unordered object: the same codes with their keys in another order change nothing", async () => {
    const a = await createAddress(contactId, { codes: { state_code: "KA", district: "BLR" } });
    expect(JSON.stringify(a.codes)).toBe('{"district":"BLR","state_code":"KA"}');
    const same = await api("PATCH", `${BASE}${a.id}/`, {
      body: { codes: { state_code: "KA", district: "BLR" } },
    });
    expect(same.status, same.text).toBe(200);
    expect(same.body).toEqual(a);
    const changed = await api("PATCH", `${BASE}${a.id}/`, {
      body: { codes: { state_code: "KA", district: "MYS" } },
    });
    expect(changed.body.version).toBe(a.version + 1);
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

  beforeAll(async () => {
    alice = await createContact(tenant, "Alice");
    bob = await createContact(tenant, "Bob");
    [a1, a2, a3, a4] = await createInOrder([
      () => createAddress(alice, { city: "Bengaluru", state: "Karnataka", pincode: "560001" }, tenant),
      () =>
        createAddress(
          alice,
          {
            address_line: "Plot 9, Hitech City",
            city: "Hyderabad",
            state: "Telangana",
            pincode: "500081",
            type: "office",
          },
          tenant,
        ),
      () =>
        createAddress(
          bob,
          {
            address_line: "4 Marine Drive",
            city: "Mumbai",
            state: "Maharashtra",
            pincode: "400002",
            country: "Bharat",
          },
          tenant,
        ),
      () =>
        createAddress(
          bob,
          {
            address_line: "Sector 17 Market",
            city: "Chandigarh",
            state: "Punjab",
            pincode: "160017",
            type: "permanent",
          },
          tenant,
        ),
    ]);
    // an address of another tenant with the same words, which no search here finds
    await createAddress(contactId, { city: "Bengaluru" });
  });

  const list = (query = "") => api("GET", `${BASE}?${query}`, { tenant });

  it("filters by type", async () => {
    expect(ids(await list("type=office"))).toEqual([a2.id]);
    expect(ids(await list("type=current"))).toEqual([a3.id, a1.id]);
    expect(ids(await list("type=other"))).toEqual([]);
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

  it("FTS syntax in a search is plain text: a * is no wildcard of its own", async () => {
    expect(ids(await list(`search=${encodeURIComponent("beng*")}`))).toEqual([a1.id]);
    expect(ids(await list(`search=${encodeURIComponent("city:beng")}`))).toEqual([]);
  });

  it("search combines with other filters, and with cursor mode", async () => {
    expect(ids(await list(`search=india&contact=${alice}&type=office`))).toEqual([a2.id]);
    expect(ids(await list("cursor=&search=beng"))).toEqual([a1.id]);
  });
});
