import { beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, api } from "./helpers/api";
import { authAndTenancyCases } from "./helpers/auth-cases";
import { createContact, errorPaths, expectProblem, historyOf, sleep, UNKNOWN_ID } from "./helpers/fixtures";
import { token } from "./helpers/tokens";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const BASE = "/contacts/banks/";

type Bank = {
  id: string;
  contact_id: string;
  account_number: string;
  ifsc: string;
  account_holder_name: string;
  bank_name: string | null;
  branch_name: string | null;
  account_type: string;
  is_primary: boolean;
  tags: string[];
  tenant_id: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string | null;
};
let accountSeq = 100000;
/** A fresh account number per call, so tests on one contact never collide on (account_number, ifsc). */
const nextAccount = () => `5010${accountSeq++}`;

const bankBody = (contactId: string, overrides: Record<string, unknown> = {}) => ({
  contact_id: contactId,
  account_number: nextAccount(),
  ifsc: "HDFC0001234",
  account_holder_name: "Ramesh Kumar",
  ...overrides,
});

async function createBank(
  contactId: string,
  overrides: Record<string, unknown> = {},
  tenant?: string,
): Promise<Bank> {
  const res = await api("POST", BASE, { body: bankBody(contactId, overrides), tenant });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const getBank = async (id: string, tenant?: string): Promise<Bank> => {
  const res = await api("GET", `${BASE}${id}/`, { tenant });
  expect(res.status, res.text).toBe(200);
  return res.body;
};

function expectInvalid(res: ApiResponse, paths: string[]) {
  expect(res.status, res.text).toBe(400);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body.type).toBe("/problems/validation");
  expect(errorPaths(res).sort()).toEqual([...paths].sort());
}

const ids = (res: ApiResponse) => res.body.results.map((r: { id: string }) => r.id);
const primaries = async (contactId: string) =>
  (await api("GET", `${BASE}?contact=${contactId}&page_size=100`)).body.results
    .filter((b: Bank) => b.is_primary)
    .map((b: Bank) => b.id);

let contactId: string;
let t2ContactId: string;

beforeAll(async () => {
  contactId = await createContact();
  t2ContactId = await createContact("t2");
});

// ---------------------------------------------------------------------------------------------
// Create and read
// ---------------------------------------------------------------------------------------------

describe("banks: create and read", () => {
  it("creates with defaults and reads it back", async () => {
    const res = await api("POST", BASE, {
      body: bankBody(contactId, { account_number: "50100012345678" }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      contact_id: contactId,
      account_number: "50100012345678",
      ifsc: "HDFC0001234",
      account_holder_name: "Ramesh Kumar",
      bank_name: null,
      branch_name: null,
      account_type: "savings",
      is_primary: false,
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

  it("stores every optional field", async () => {
    const b = await createBank(contactId, {
      bank_name: "HDFC Bank",
      branch_name: "MG Road, Bengaluru",
      account_type: "current",
      is_primary: false,
      tags: ["salary"],
    });
    expect(b).toMatchObject({
      bank_name: "HDFC Bank",
      branch_name: "MG Road, Bengaluru",
      account_type: "current",
      is_primary: false,
      tags: ["salary"],
    });
    expect(await getBank(b.id)).toEqual(b);
  });

  it("ignores read-only fields in the body", async () => {
    const res = await api("POST", BASE, {
      body: bankBody(contactId, { id: UNKNOWN_ID, tenant_id: "t2", version: 3, created_by: "mallory" }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).not.toBe(UNKNOWN_ID);
    expect(res.body).toMatchObject({ tenant_id: "t1", version: 1, created_by: "u1" });
  });

  it("a malformed or unknown id is 404 on GET, PATCH and DELETE", async () => {
    for (const id of ["not-an-id", UNKNOWN_ID]) {
      expectProblem(await api("GET", `${BASE}${id}/`), 404, "/problems/not_found");
      expectProblem(
        await api("PATCH", `${BASE}${id}/`, { body: { bank_name: "X" } }),
        404,
        "/problems/not_found",
      );
      expectProblem(await api("DELETE", `${BASE}${id}/`), 404, "/problems/not_found");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Field rules
// ---------------------------------------------------------------------------------------------

describe("banks: field rules", () => {
  const passing: [string, Record<string, unknown>, Partial<Bank>][] = [
    ["account_number of 6 digits", { account_number: "000123" }, { account_number: "000123" }],
    [
      "account_number of 18 digits",
      { account_number: "123456789012345678" },
      { account_number: "123456789012345678" },
    ],
    ["ifsc in lower case (upper-cased)", { ifsc: "hdfc0001234" }, { ifsc: "HDFC0001234" }],
    ["ifsc in mixed case with letters after the 0", { ifsc: "Sbin0aB12c9" }, { ifsc: "SBIN0AB12C9" }],
    [
      "account_holder_name in another script",
      { account_holder_name: "रमेश कुमार" },
      { account_holder_name: "रमेश कुमार" },
    ],
    [
      "account_holder_name with every allowed symbol",
      { account_holder_name: "O'Brien & Sons (P) Ltd., No-1" },
      { account_holder_name: "O'Brien & Sons (P) Ltd., No-1" },
    ],
    ["account_holder_name of 1 character", { account_holder_name: "R" }, { account_holder_name: "R" }],
    [
      "account_holder_name of 100 characters",
      { account_holder_name: "r".repeat(100) },
      { account_holder_name: "r".repeat(100) },
    ],
    ["account_holder_name trimmed", { account_holder_name: "  Sita  " }, { account_holder_name: "Sita" }],
    ["bank_name", { bank_name: "State Bank of India" }, { bank_name: "State Bank of India" }],
    ["bank_name of 1 character", { bank_name: "X" }, { bank_name: "X" }],
    ["bank_name of 100 characters", { bank_name: "b".repeat(100) }, { bank_name: "b".repeat(100) }],
    ["bank_name empty (stored as null)", { bank_name: "" }, { bank_name: null }],
    ["bank_name null", { bank_name: null }, { bank_name: null }],
    ["branch_name", { branch_name: "Koramangala #2" }, { branch_name: "Koramangala #2" }],
    ["branch_name of 100 characters", { branch_name: "c".repeat(100) }, { branch_name: "c".repeat(100) }],
    ["branch_name empty (stored as null)", { branch_name: "" }, { branch_name: null }],
    ["branch_name null", { branch_name: null }, { branch_name: null }],
    ["is_primary false", { is_primary: false }, { is_primary: false }],
    ["tags", { tags: ["salary", "emi"] }, { tags: ["salary", "emi"] }],
  ];
  for (const account_type of ["savings", "current", "overdraft", "cash_credit", "nre", "nro"]) {
    passing.push([`account_type ${account_type}`, { account_type }, { account_type }]);
  }
  for (const [label, overrides, expected] of passing) {
    it(`accepts ${label}`, async () => {
      const res = await api("POST", BASE, { body: bankBody(contactId, overrides) });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject(expected);
    });
  }

  const failing: [string, Record<string, unknown>, string][] = [
    ["missing account_number", { account_number: undefined }, "account_number"],
    ["account_number of 5 digits", { account_number: "12345" }, "account_number"],
    ["account_number of 19 digits", { account_number: "1234567890123456789" }, "account_number"],
    ["account_number with a letter", { account_number: "12345A78" }, "account_number"],
    ["account_number with a space", { account_number: "1234 5678" }, "account_number"],
    ["account_number as a number", { account_number: 12345678 }, "account_number"],
    ["missing ifsc", { ifsc: undefined }, "ifsc"],
    ["ifsc without the 0 in fifth place", { ifsc: "HDFC1001234" }, "ifsc"],
    ["ifsc in lower case without the 0", { ifsc: "hdfc1001234" }, "ifsc"],
    ["ifsc too short", { ifsc: "HDFC000123" }, "ifsc"],
    ["ifsc too long", { ifsc: "HDFC00012345" }, "ifsc"],
    ["ifsc with a digit in the bank code", { ifsc: "HD1C0001234" }, "ifsc"],
    ["ifsc with a symbol", { ifsc: "HDFC0-01234" }, "ifsc"],
    ["ifsc as a number", { ifsc: 1234 }, "ifsc"],
    ["missing account_holder_name", { account_holder_name: undefined }, "account_holder_name"],
    ["empty account_holder_name", { account_holder_name: "" }, "account_holder_name"],
    ["blank account_holder_name", { account_holder_name: "   " }, "account_holder_name"],
    [
      "account_holder_name of 101 characters",
      { account_holder_name: "r".repeat(101) },
      "account_holder_name",
    ],
    ["account_holder_name with @", { account_holder_name: "Ramesh@Kumar" }, "account_holder_name"],
    ["account_holder_name with /", { account_holder_name: "Ramesh/Kumar" }, "account_holder_name"],
    ["account_holder_name null", { account_holder_name: null }, "account_holder_name"],
    ["bank_name of 101 characters", { bank_name: "b".repeat(101) }, "bank_name"],
    ["bank_name with a control character", { bank_name: "HDFC\u0000Bank" }, "bank_name"],
    ["bank_name as a number", { bank_name: 5 }, "bank_name"],
    ["branch_name of 101 characters", { branch_name: "c".repeat(101) }, "branch_name"],
    ["branch_name as a boolean", { branch_name: true }, "branch_name"],
    ["unknown account_type", { account_type: "salary" }, "account_type"],
    ["account_type in another case", { account_type: "Savings" }, "account_type"],
    ["account_type null", { account_type: null }, "account_type"],
    ["is_primary as a string", { is_primary: "true" }, "is_primary"],
    ["is_primary as a number", { is_primary: 1 }, "is_primary"],
    ["is_primary null", { is_primary: null }, "is_primary"],
    ["duplicate tags", { tags: ["a", "a"] }, "tags"],
    ["a tag of 51 characters", { tags: ["t".repeat(51)] }, "tags.0"],
    ["an unknown field", { iban: "X" }, "iban"],
  ];
  for (const [label, overrides, path] of failing) {
    it(`400 for ${label}`, async () => {
      expectInvalid(await api("POST", BASE, { body: bankBody(contactId, overrides) }), [path]);
    });
  }

  it("names every invalid field", async () => {
    const res = await api("POST", BASE, {
      body: { contact_id: contactId, account_number: "1", ifsc: "X", account_holder_name: "", extra: 1 },
    });
    expectInvalid(res, ["account_number", "ifsc", "account_holder_name", "extra"]);
  });

  it("PATCH applies the same rules and upper-cases ifsc", async () => {
    const b = await createBank(contactId, { bank_name: "HDFC Bank" });
    expectInvalid(
      await api("PATCH", `${BASE}${b.id}/`, {
        body: { account_number: "12", ifsc: "hdfc1001234", account_type: "x", is_primary: "no" },
      }),
      ["account_number", "ifsc", "account_type", "is_primary"],
    );
    expect(await getBank(b.id)).toEqual(b);
    const res = await api("PATCH", `${BASE}${b.id}/`, { body: { ifsc: "icic0000999", bank_name: "" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ ifsc: "ICIC0000999", bank_name: null, version: 2 });
  });
});

// ---------------------------------------------------------------------------------------------
// contact_id
// ---------------------------------------------------------------------------------------------

describe("banks: contact_id", () => {
  it("is required", async () => {
    expectInvalid(await api("POST", BASE, { body: bankBody(contactId, { contact_id: undefined }) }), [
      "contact_id",
    ]);
  });

  for (const [label, value] of [
    ["an unknown contact", () => UNKNOWN_ID],
    ["another tenant's contact", () => t2ContactId],
    ["a malformed id", () => "nope"],
  ] as const) {
    it(`400 at contact_id for ${label}`, async () => {
      expectInvalid(await api("POST", BASE, { body: bankBody(value()) }), ["contact_id"]);
    });
  }

  it("a different contact_id in a PATCH is 400; the same one is accepted", async () => {
    const b = await createBank(contactId);
    const other = await createContact();
    for (const sent of [other, UNKNOWN_ID, t2ContactId]) {
      expectInvalid(await api("PATCH", `${BASE}${b.id}/`, { body: { contact_id: sent, bank_name: "X" } }), [
        "contact_id",
      ]);
    }
    expect(await getBank(b.id)).toEqual(b);
    const same = await api("PATCH", `${BASE}${b.id}/`, {
      body: { contact_id: contactId.toLowerCase(), bank_name: "Axis Bank" },
    });
    expect(same.status, same.text).toBe(200);
    expect(same.body).toMatchObject({ contact_id: contactId, bank_name: "Axis Bank" });
  });
});

// ---------------------------------------------------------------------------------------------
// Primary account
// ---------------------------------------------------------------------------------------------

describe("banks: at most one primary per contact", () => {
  it("is_primary defaults to false", async () => {
    const owner = await createContact();
    const b = await createBank(owner);
    expect(b.is_primary).toBe(false);
    expect(await primaries(owner)).toEqual([]);
  });

  it("a second primary via POST clears the first", async () => {
    const owner = await createContact();
    const first = await createBank(owner, { is_primary: true });
    expect(first.is_primary).toBe(true);
    const second = await createBank(owner, { is_primary: true });
    expect(second.is_primary).toBe(true);
    const firstNow = await getBank(first.id);
    expect(firstNow.is_primary).toBe(false);
    expect(firstNow.version).toBe(2);
    expect(await primaries(owner)).toEqual([second.id]);
  });

  it("a primary via PATCH clears the other", async () => {
    const owner = await createContact();
    const first = await createBank(owner, { is_primary: true });
    const second = await createBank(owner);
    const res = await api("PATCH", `${BASE}${second.id}/`, { body: { is_primary: true } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.is_primary).toBe(true);
    expect((await getBank(first.id)).is_primary).toBe(false);
    expect(await primaries(owner)).toEqual([second.id]);
    // and back again
    const back = await api("PATCH", `${BASE}${first.id}/`, { body: { is_primary: true } });
    expect(back.body.is_primary).toBe(true);
    expect(await primaries(owner)).toEqual([first.id]);
  });

  it("the cleared account's audit fields name the user and time of the change that cleared it", async () => {
    const owner = await createContact();
    const first = await createBank(owner, { is_primary: true });
    const second = await createBank(owner);
    await sleep(5);
    // via POST
    const third = await api("POST", BASE, {
      body: bankBody(owner, { is_primary: true }),
      token: await token({ sub: "u2" }),
    });
    expect(third.status).toBe(201);
    expect(await getBank(first.id)).toMatchObject({
      is_primary: false,
      version: 2,
      updated_by: "u2",
      updated_at: third.body.created_at,
    });
    await sleep(5);
    // via PATCH
    const patched = await api("PATCH", `${BASE}${second.id}/`, {
      body: { is_primary: true },
      token: await token({ sub: "u3" }),
    });
    expect(patched.status).toBe(200);
    expect(await getBank(third.body.id)).toMatchObject({
      is_primary: false,
      version: 2,
      updated_by: "u3",
      updated_at: patched.body.updated_at,
    });
  });

  it("re-sending is_primary true on the primary keeps it primary", async () => {
    const owner = await createContact();
    const b = await createBank(owner, { is_primary: true });
    const res = await api("PATCH", `${BASE}${b.id}/`, { body: { is_primary: true } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(b);
    expect(await primaries(owner)).toEqual([b.id]);
  });

  it("un-setting the primary leaves none", async () => {
    const owner = await createContact();
    const b = await createBank(owner, { is_primary: true });
    const res = await api("PATCH", `${BASE}${b.id}/`, { body: { is_primary: false } });
    expect(res.body.is_primary).toBe(false);
    expect(await primaries(owner)).toEqual([]);
  });

  it("primaries of different contacts are independent", async () => {
    const a = await createContact();
    const b = await createContact();
    const pa = await createBank(a, { is_primary: true });
    const pb = await createBank(b, { is_primary: true });
    expect((await getBank(pa.id)).is_primary).toBe(true);
    expect((await getBank(pb.id)).is_primary).toBe(true);
  });

  it("a refused primary write leaves the current primary in place (atomic)", async () => {
    const owner = await createContact();
    const first = await createBank(owner, { is_primary: true, account_number: "777777777" });
    // a duplicate account (409) asking to be primary must not clear the first
    const dup = await api("POST", BASE, {
      body: bankBody(owner, { account_number: "777777777", is_primary: true }),
    });
    expectProblem(dup, 409, "/problems/conflict");
    expect(await getBank(first.id)).toEqual(first);
    // nor a PATCH that is refused as a duplicate
    const other = await createBank(owner, { account_number: "888888888" });
    const clash = await api("PATCH", `${BASE}${other.id}/`, {
      body: { account_number: "777777777", is_primary: true },
    });
    expectProblem(clash, 409, "/problems/conflict");
    expect(await getBank(first.id)).toEqual(first);
    expect(await getBank(other.id)).toEqual(other);
    expect(await primaries(owner)).toEqual([first.id]);
  });

  it("concurrent primaries end with exactly one primary", async () => {
    const owner = await createContact();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => api("POST", BASE, { body: bankBody(owner, { is_primary: true }) })),
    );
    for (const r of results) expect(r.status, r.text).toBe(201);
    expect((await primaries(owner)).length).toBe(1);
  });

  it("clearing the other primary is recorded in the contact's history", async () => {
    const owner = await createContact();
    const first = await createBank(owner, { is_primary: true });
    const second = await createBank(owner, { is_primary: true });
    const history = await historyOf(owner);
    const cleared = history.find((h) => h.action === "bank_updated" && h.subject.id === first.id);
    expect(cleared, JSON.stringify(history.map((h) => [h.action, h.changes]))).toBeDefined();
    expect(cleared?.changes).toEqual({ is_primary: [true, false] });
    expect(cleared?.subject).toEqual({ type: "bank", id: first.id });
    expect(
      history
        .map((h) => h.action)
        .slice(0, 2)
        .sort(),
    ).toEqual(["bank_created", "bank_updated"]);
    expect(second.is_primary).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Duplicates
// ---------------------------------------------------------------------------------------------

describe("banks: duplicates", () => {
  it("the same account_number + ifsc twice on one contact is 409 (ifsc in any case)", async () => {
    const owner = await createContact();
    await createBank(owner, { account_number: "123123123", ifsc: "SBIN0000001" });
    for (const ifsc of ["SBIN0000001", "sbin0000001"]) {
      const res = await api("POST", BASE, { body: bankBody(owner, { account_number: "123123123", ifsc }) });
      expectProblem(res, 409, "/problems/conflict");
      expect(res.body.status).toBe(409);
    }
    expect((await api("GET", `${BASE}?contact=${owner}`)).body.count).toBe(1);
  });

  it("the same number with another ifsc, or on another contact, is allowed", async () => {
    const a = await createContact();
    const b = await createContact();
    await createBank(a, { account_number: "456456456", ifsc: "SBIN0000001" });
    await createBank(a, { account_number: "456456456", ifsc: "SBIN0000002" });
    await createBank(b, { account_number: "456456456", ifsc: "SBIN0000001" });
    // and in another tenant
    await createBank(t2ContactId, { account_number: "456456456", ifsc: "SBIN0000001" }, "t2");
  });

  it("a PATCH that makes a duplicate is 409 and changes nothing", async () => {
    const owner = await createContact();
    await createBank(owner, { account_number: "999000111", ifsc: "UTIB0000001" });
    const b = await createBank(owner, { account_number: "999000222", ifsc: "UTIB0000001" });
    const res = await api("PATCH", `${BASE}${b.id}/`, { body: { account_number: "999000111" } });
    expectProblem(res, 409, "/problems/conflict");
    expect(await getBank(b.id)).toEqual(b);
    expect((await historyOf(owner)).filter((h) => h.action === "bank_updated")).toEqual([]);
  });

  it("after a DELETE the same account can be added again", async () => {
    const owner = await createContact();
    const b = await createBank(owner, { account_number: "31415926" });
    expect((await api("DELETE", `${BASE}${b.id}/`)).status).toBe(204);
    await createBank(owner, { account_number: "31415926" });
  });
});

// ---------------------------------------------------------------------------------------------
// PATCH, DELETE, history
// ---------------------------------------------------------------------------------------------

describe("banks: update, delete and history", () => {
  it("PATCH changes only the fields sent", async () => {
    const b = await createBank(contactId, { bank_name: "HDFC Bank", branch_name: "MG Road" });
    await sleep(2);
    const res = await api("PATCH", `${BASE}${b.id}/`, {
      body: { account_type: "nre" },
      token: await token({ sub: "u2" }),
    });
    expect(res.status, res.text).toBe(200);
    const { account_type, version, updated_at, updated_by, ...rest } = res.body;
    const { account_type: _a, version: _v, updated_at: _u, updated_by: _b, ...before } = b;
    expect(rest).toEqual(before);
    expect({ account_type, version, updated_by }).toEqual({
      account_type: "nre",
      version: 2,
      updated_by: "u2",
    });
    expect(updated_at > b.created_at).toBe(true);
  });

  it("PATCH with branch_name null or empty clears it", async () => {
    const b = await createBank(contactId, { bank_name: "HDFC Bank", branch_name: "MG Road" });
    const res = await api("PATCH", `${BASE}${b.id}/`, { body: { branch_name: null, bank_name: "" } });
    expect(res.body).toMatchObject({ branch_name: null, bank_name: null });
  });

  it("DELETE answers 204, then 404; the contact stays", async () => {
    const b = await createBank(contactId);
    const res = await api("DELETE", `${BASE}${b.id}/`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectProblem(await api("GET", `${BASE}${b.id}/`), 404, "/problems/not_found");
    expectProblem(await api("DELETE", `${BASE}${b.id}/`), 404, "/problems/not_found");
    expect((await api("GET", `/contacts/${contactId}/`)).status).toBe(200);
  });

  it("records bank_created, bank_updated and bank_deleted with field changes", async () => {
    const owner = await createContact();
    const b = await createBank(owner, {
      account_number: "112233445566",
      ifsc: "kkbk0000123",
      bank_name: "Kotak",
      is_primary: true,
      tags: ["salary"],
    });
    const patched = await api("PATCH", `${BASE}${b.id}/`, {
      body: { bank_name: "Kotak Mahindra Bank", branch_name: "Fort" },
      token: await token({ sub: "u2" }),
    });
    expect(patched.status).toBe(200);
    expect((await api("DELETE", `${BASE}${b.id}/`)).status).toBe(204);
    const history = await historyOf(owner);
    expect(history.map((h) => h.action)).toEqual(["bank_deleted", "bank_updated", "bank_created", "created"]);
    const [deleted, updated, created] = history;
    for (const entry of [deleted, updated, created])
      expect(entry?.subject).toEqual({ type: "bank", id: b.id });
    expect(created).toMatchObject({ actor: "u1", at: b.created_at, reason: null });
    expect(created?.changes).toEqual({
      // History shows protected identifiers masked, always.
      account_number: [null, "XXXXXXXX5566"],
      ifsc: [null, "KKBK0000123"],
      account_holder_name: [null, "Ramesh Kumar"],
      bank_name: [null, "Kotak"],
      account_type: [null, "savings"],
      is_primary: [null, true],
      tags: [null, ["salary"]],
    });
    expect(updated).toMatchObject({ actor: "u2", at: patched.body.updated_at });
    expect(updated?.changes).toEqual({
      bank_name: ["Kotak", "Kotak Mahindra Bank"],
      branch_name: [null, "Fort"],
    });
    expect(deleted?.changes).toMatchObject({
      account_number: ["XXXXXXXX5566", null],
      ifsc: ["KKBK0000123", null],
      bank_name: ["Kotak Mahindra Bank", null],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

describe("banks: list", () => {
  const tenant = "bank-list";
  let alice: string;
  let bob: string;
  let b1: Bank;
  let b2: Bank;
  let b3: Bank;
  let b4: Bank;

  beforeAll(async () => {
    alice = await createContact(tenant, "Alice");
    bob = await createContact(tenant, "Bob");
    b1 = await createBank(
      alice,
      {
        account_number: "50100012345678",
        ifsc: "HDFC0001234",
        account_holder_name: "Alice Fernandes",
        bank_name: "HDFC Bank",
        tags: ["salary", "emi"],
      },
      tenant,
    );
    await sleep(3);
    b2 = await createBank(
      alice,
      {
        account_number: "000987654321",
        ifsc: "SBIN0005555",
        account_holder_name: "Alice Fernandes",
        bank_name: "State Bank of India",
        account_type: "current",
        tags: ["emi"],
      },
      tenant,
    );
    await sleep(3);
    b3 = await createBank(
      bob,
      {
        account_number: "112200998877",
        ifsc: "ICIC0000001",
        account_holder_name: "Bob Menon Traders",
        bank_name: "ICICI Bank",
        account_type: "overdraft",
        tags: ["salary"],
      },
      tenant,
    );
    await sleep(3);
    b4 = await createBank(
      bob,
      {
        account_number: "445566",
        ifsc: "HDFC0001234",
        account_holder_name: "Bob Menon",
      },
      tenant,
    );
    // the same words in t1
    await createBank(contactId, { account_holder_name: "Alice Fernandes", bank_name: "HDFC Bank" });
  });

  const list = (query = "") => api("GET", `${BASE}?${query}`, { tenant });

  it("the Crego envelope, newest first, only the caller's tenant", async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 4, total_pages: 1, current_page: 1, has_next: false });
    expect(ids(res)).toEqual([b4.id, b3.id, b2.id, b1.id]);
    expect(res.body.results[0]).toEqual(b4);
  });

  it("filters by contact", async () => {
    expect(ids(await list(`contact=${alice}`))).toEqual([b2.id, b1.id]);
    expect(ids(await list(`contact=${bob.toLowerCase()}`))).toEqual([b4.id, b3.id]);
  });

  it("another tenant's contact id as the contact filter is an empty list", async () => {
    const res = await api("GET", `${BASE}?contact=${alice}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 0, results: [] });
  });

  it("filters by ifsc (any case)", async () => {
    expect(ids(await list("ifsc=HDFC0001234"))).toEqual([b4.id, b1.id]);
    expect(ids(await list("ifsc=sbin0005555"))).toEqual([b2.id]);
    expect(ids(await list("ifsc=UTIB0000001"))).toEqual([]);
  });

  it("filters by account_type", async () => {
    expect(ids(await list("account_type=savings"))).toEqual([b4.id, b1.id]);
    expect(ids(await list("account_type=overdraft"))).toEqual([b3.id]);
    expect(ids(await list("account_type=nro"))).toEqual([]);
    expectInvalid(await list("account_type=salary"), ["account_type"]);
  });

  it("searches holder name and bank name word prefixes, and the last 4-8 digits of the account", async () => {
    const cases: [string, string[]][] = [
      ["alice", [b2.id, b1.id]],
      ["ALI", [b2.id, b1.id]],
      ["fern", [b2.id, b1.id]],
      ["menon trad", [b3.id]],
      ["bob", [b4.id, b3.id]],
      ["hdfc", [b1.id]],
      ["state bank", [b2.id]],
      ["icici", [b3.id]],
      ["5678", [b1.id]],
      ["45678", [b1.id]],
      ["12345678", [b1.id]],
      ["8877", [b3.id]],
      ["98877", [b3.id]],
      ["00998877", [b3.id]],
      ["4321", [b2.id]],
      ["5566", [b4.id]],
      ["445566", [b4.id]],
      ["50100012345678", [b1.id]],
      ["1234", []],
      ["zzz", []],
    ];
    for (const [search, expected] of cases) {
      const res = await list(`search=${encodeURIComponent(search)}`);
      expect(res.status, search).toBe(200);
      expect(ids(res), search).toEqual(expected);
    }
  });

  it("search finds holder names of any script", async () => {
    const scripts = "bank-scripts";
    const owner = await createContact(scripts);
    const b = await createBank(
      owner,
      { account_holder_name: "रमेश कुमार", bank_name: "भारतीय स्टेट बैंक" },
      scripts,
    );
    for (const search of ["रमेश", "कुमार", "भारतीय", "स्टेट बैंक", "रमे"]) {
      const res = await api("GET", `${BASE}?search=${encodeURIComponent(search)}`, { tenant: scripts });
      expect(res.status, search).toBe(200);
      expect(ids(res), search).toEqual([b.id]);
    }
  });

  it("search with FTS syntax is plain text, never a 500", async () => {
    for (const search of ['"', "alice*", "a OR b", "NEAR(a b)", "digits:5678", "-1234", "l5678"]) {
      const res = await list(`search=${encodeURIComponent(search)}`);
      expect(res.status, search).toBe(200);
    }
    expect(ids(await list("search=l5678"))).toEqual([]);
  });

  it("filters by tags", async () => {
    expect(ids(await list("tags=emi"))).toEqual([b2.id, b1.id]);
    expect(ids(await list("tags=salary,emi"))).toEqual([b1.id]);
    expect(ids(await list("tags=none"))).toEqual([]);
  });

  it("filters by created_at", async () => {
    expect(ids(await list(`created_at_after=${encodeURIComponent(b3.created_at)}`))).toEqual([b4.id, b3.id]);
    expect(ids(await list(`created_at_before=${encodeURIComponent(b2.created_at)}`))).toEqual([b2.id, b1.id]);
    expect((await list("created_at_before=2000-01-01")).body.count).toBe(0);
  });

  it("orders", async () => {
    expect(ids(await list("ordering=created_at"))).toEqual([b1.id, b2.id, b3.id, b4.id]);
    const touched = await api("PATCH", `${BASE}${b1.id}/`, {
      body: { tags: ["salary", "emi", "x"] },
      tenant,
    });
    expect(touched.status).toBe(200);
    expect(ids(await list("ordering=-updated_at"))[0]).toBe(b1.id);
    await api("PATCH", `${BASE}${b1.id}/`, { body: { tags: ["salary", "emi"] }, tenant });
    expectInvalid(await list("ordering=account_number"), ["ordering"]);
  });

  it("cursor mode", async () => {
    const first = await list("cursor=&page_size=3");
    expect(ids(first)).toEqual([b4.id, b3.id, b2.id]);
    expect(first.body.has_next).toBe(true);
    const second = await list(`cursor=${encodeURIComponent(first.body.next_cursor)}&page_size=3`);
    expect(ids(second)).toEqual([b1.id]);
    expect(second.body).toMatchObject({ has_next: false, next_cursor: null });
    expectInvalid(
      await list(`cursor=${encodeURIComponent(first.body.next_cursor)}&page_size=3&ifsc=HDFC0001234`),
      ["cursor"],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

describe("banks: methods not allowed", () => {
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

const ownBank = async () => `${BASE}${(await createBank(contactId)).id}/`;
const unchanged = async (path: string) => (await api("GET", path)).body;

authAndTenancyCases("POST /contacts/banks/", {
  method: "POST",
  path: BASE,
  body: async () => bankBody(contactId),
  scope: "contacts:write",
});
authAndTenancyCases("GET /contacts/banks/", {
  method: "GET",
  path: BASE,
  scope: "contacts:read",
  tenancy: { expect: "empty" },
});
authAndTenancyCases("GET /contacts/banks/{id}/", {
  method: "GET",
  path: ownBank,
  scope: "contacts:read",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("PATCH /contacts/banks/{id}/", {
  method: "PATCH",
  path: ownBank,
  body: { bank_name: "Changed", is_primary: true },
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("DELETE /contacts/banks/{id}/", {
  method: "DELETE",
  path: ownBank,
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
