import { beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import {
  createContact,
  createInOrder,
  expectInvalid,
  expectProblem,
  historyOf,
  ids,
  sleep,
} from "./helpers/fixtures";
import { BANKS as BASE, type Bank, bankBody, createBank, readRecord } from "./helpers/sub-resources";
import { ALL_SCOPES, token } from "./helpers/tokens";

// The rules of bank accounts only. What every sub-resource shares (create and read, owner, tags,
// PATCH, DELETE, history, ETags, lists, cursors, auth and tenancy) is in sub-resources.test.ts.

const getBank = (id: string, tenant?: string) => readRecord<Bank>(BASE, id, tenant);

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
  ];
  for (const [label, overrides, path] of failing) {
    it(`400 for ${label}`, async () => {
      expectInvalid(await api("POST", BASE, { body: bankBody(contactId, overrides) }), [path]);
    });
  }

  it("PATCH upper-cases ifsc and stores an empty bank_name as null", async () => {
    const b = await createBank(contactId, { bank_name: "HDFC Bank" });
    const res = await api("PATCH", `${BASE}${b.id}/`, { body: { ifsc: "icic0000999", bank_name: "" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ ifsc: "ICIC0000999", bank_name: null, version: 2 });
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
// PATCH
// ---------------------------------------------------------------------------------------------

describe("banks: update", () => {
  it("PATCH with branch_name null or empty clears it", async () => {
    const b = await createBank(contactId, { bank_name: "HDFC Bank", branch_name: "MG Road" });
    const res = await api("PATCH", `${BASE}${b.id}/`, { body: { branch_name: null, bank_name: "" } });
    expect(res.body).toMatchObject({ branch_name: null, bank_name: null });
  });
});

// ---------------------------------------------------------------------------------------------
// The account number: personal data
// ---------------------------------------------------------------------------------------------

describe("banks: the account number is read in clear only with contacts:pii", () => {
  const withoutPii = ALL_SCOPES.replace("contacts:pii", "").trim();

  it("a reader without contacts:pii sees every digit but the last four as X, in a record and in lists", async () => {
    const owner = await createContact();
    const b = await createBank(owner, { account_number: "50100012345678" });
    expect(b.account_number).toBe("50100012345678");
    const masked = await api("GET", `${BASE}${b.id}/`, { scope: withoutPii });
    expect(masked.status, masked.text).toBe(200);
    expect(masked.body).toEqual({ ...b, account_number: "XXXXXXXXXX5678" });
    const listed = await api("GET", `${BASE}?contact=${owner}`, { scope: withoutPii });
    expect(listed.body.results).toEqual([{ ...b, account_number: "XXXXXXXXXX5678" }]);
    expect(listed.text).not.toContain("50100012345678");
    expect((await getBank(b.id)).account_number).toBe("50100012345678");
  });

  it("a masked number is no number to create an account with", async () => {
    const owner = await createContact();
    const res = await api("POST", BASE, { body: bankBody(owner, { account_number: "XXXXXXXXXX5678" }) });
    expectInvalid(res, ["account_number"]);
    expect((await api("GET", `${BASE}?contact=${owner}`)).body.count).toBe(0);
  });

  it("sending back the masked number as read keeps the stored one; another mask is 400", async () => {
    const owner = await createContact();
    const b = await createBank(owner, { account_number: "50100012345678" });
    const read = (await api("GET", `${BASE}${b.id}/`, { scope: withoutPii })).body;
    const same = await api("PATCH", `${BASE}${b.id}/`, { body: read, scope: withoutPii });
    expect(same.status, same.text).toBe(200);
    expect(same.body).toEqual(read);
    const changed = await api("PATCH", `${BASE}${b.id}/`, {
      body: { ...read, bank_name: "HDFC Bank" },
      scope: withoutPii,
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      account_number: "XXXXXXXXXX5678",
      bank_name: "HDFC Bank",
      version: 2,
    });
    expect(await getBank(b.id)).toMatchObject({ account_number: "50100012345678", version: 2 });
    const other = await api("PATCH", `${BASE}${b.id}/`, { body: { account_number: "XXXXXXXXXX9999" } });
    expectInvalid(other, ["account_number"]);
    expect(await getBank(b.id)).toMatchObject({ account_number: "50100012345678", version: 2 });
    expect((await historyOf(owner)).filter((h) => h.changes.account_number)).toHaveLength(1);
  });

  it("a new number with the same last four digits is written; history shows no pair its mask cannot tell apart", async () => {
    const owner = await createContact();
    const b = await createBank(owner, { account_number: "50100012345678" });
    const res = await api("PATCH", `${BASE}${b.id}/`, { body: { account_number: "50999912345678" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ account_number: "50999912345678", version: 2 });
    expect(await getBank(b.id)).toMatchObject({ account_number: "50999912345678", version: 2 });
    const [entry] = await historyOf(owner);
    expect(entry).toMatchObject({ action: "bank_updated", subject: { type: "bank", id: b.id } });
    expect(entry?.changes).toEqual({});
    // The old number is free again on the contact, the new one taken.
    const again = await api("POST", BASE, {
      body: bankBody(owner, { account_number: "50999912345678", ifsc: b.ifsc }),
    });
    expect(again.status, again.text).toBe(409);
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
    [b1, b2, b3, b4] = await createInOrder([
      () =>
        createBank(
          alice,
          {
            account_number: "50100012345678",
            ifsc: "HDFC0001234",
            account_holder_name: "Alice Fernandes",
            bank_name: "HDFC Bank",
          },
          tenant,
        ),
      () =>
        createBank(
          alice,
          {
            account_number: "000987654321",
            ifsc: "SBIN0005555",
            account_holder_name: "Alice Fernandes",
            bank_name: "State Bank of India",
            account_type: "current",
          },
          tenant,
        ),
      () =>
        createBank(
          bob,
          {
            account_number: "112200998877",
            ifsc: "ICIC0000001",
            account_holder_name: "Bob Menon Traders",
            bank_name: "ICICI Bank",
            account_type: "overdraft",
          },
          tenant,
        ),
      () =>
        createBank(
          bob,
          {
            account_number: "445566",
            ifsc: "HDFC0001234",
            account_holder_name: "Bob Menon",
          },
          tenant,
        ),
    ]);
    // the same words in t1
    await createBank(contactId, { account_holder_name: "Alice Fernandes", bank_name: "HDFC Bank" });
  });

  const list = (query = "") => api("GET", `${BASE}?${query}`, { tenant });

  it("filters by ifsc (any case)", async () => {
    expect(ids(await list("ifsc=HDFC0001234"))).toEqual([b4.id, b1.id]);
    expect(ids(await list("ifsc=sbin0005555"))).toEqual([b2.id]);
    expect(ids(await list("ifsc=UTIB0000001"))).toEqual([]);
  });

  it("filters by account_type", async () => {
    expect(ids(await list("account_type=savings"))).toEqual([b4.id, b1.id]);
    expect(ids(await list("account_type=overdraft"))).toEqual([b3.id]);
    expect(ids(await list("account_type=nro"))).toEqual([]);
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

  it("FTS syntax in a search is plain text: l5678 is not the digits column", async () => {
    expect(ids(await list("search=l5678"))).toEqual([]);
    expect(ids(await list(`search=${encodeURIComponent("digits:5678")}`))).toEqual([]);
  });
});
