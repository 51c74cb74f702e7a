import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gstinCheckChar, verhoeffCheckDigit } from "../src/dedupe/identifiers";
import { type ApiResponse, api } from "./helpers/api";
import { authAndTenancyCases } from "./helpers/auth-cases";
import { expectInvalid, namespaceOf, UNKNOWN_ID } from "./helpers/fixtures";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

let seq = 0;
const unique = (prefix = "x") => `${prefix}-${Date.now()}-${seq++}`;
const DEDUPE = "/contacts/dedupe/";
const RULES = [
  "pan",
  "gstin",
  "aadhaar",
  "mobile",
  "email",
  "passport",
  "voter_id",
  "driving_licence",
  "dob",
  "bank_account",
  "name",
  "type",
];

type Prop = { key: string; value: string; type: string };
type Contact = {
  id: string;
  name: string;
  namespace: string;
  namespace_id: string;
  type: string;
  props: Prop[];
  tenant_id: string;
  [field: string]: unknown;
};
type Reason = { rule: string; field: string; match: string };
type Match = { contact: Contact; score: number; reasons: Reason[] };
type Link = { contact: { id: string }; shared: { rule: string; field: string }[] };
type DedupeBody = { count: number; results: Match[]; links: Link[] };

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const CONSONANTS = "bdfgklmnprstvz";
const VOWELS = "aeiou";
const pick = (chars: string) => chars.charAt(Math.floor(Math.random() * chars.length));
const digits = (n: number) => Array.from({ length: n }, () => pick("0123456789")).join("");
const letters = (n: number) => Array.from({ length: n }, () => pick(LETTERS)).join("");

/** A valid PAN that no other test uses; `holder` is the 4th character (P individual, F firm, C company). */
const newPan = (holder = "P") => `${letters(3)}${holder}${letters(1)}${digits(4)}${letters(1)}`;
/** A GSTIN with a correct check character, embedding the given PAN. */
const gstinOf = (pan: string, state = "29", entity = "1") => {
  const first14 = `${state}${pan}${entity}Z`;
  return `${first14}${gstinCheckChar(first14)}`;
};
/** A valid Aadhaar number: 12 digits, not starting with 0 or 1, Verhoeff check digit. */
const newAadhaar = () => {
  const first11 = `${pick("23456789")}${digits(10)}`;
  return `${first11}${verhoeffCheckDigit(first11)}`;
};
/** Ten digits of an Indian mobile number. */
const newMobile = () => `9${digits(9)}`;
/** A pronounceable made-up word: names no other test shares. */
const word = () => {
  let w = pick(CONSONANTS).toUpperCase();
  for (let i = 0; i < 4; i++) w += pick(VOWELS) + pick(CONSONANTS);
  return w;
};
const uniqueName = () => `${word()} ${word()}`;
const prop = (key: string, value: string): Prop => ({ key, value, type: "text" });

const namespaceCache = new Map<string, string>();
async function createNamespace(body: Record<string, unknown> = {}, tenant = "t1") {
  const res = await api("POST", "/namespaces/", { body: { name: unique("ns"), ...body }, tenant });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; name: string; contact_counter: number };
}
async function defaultNamespace(tenant = "t1"): Promise<string> {
  const known = namespaceCache.get(tenant);
  if (known) return known;
  const ns = await createNamespace({}, tenant);
  namespaceCache.set(tenant, ns.name);
  return ns.name;
}

type NewContact = {
  name?: string;
  type?: "individual" | "corporate";
  props?: Prop[];
  namespace?: string;
  tenant?: string;
};

function contactBody(c: NewContact, namespace: string) {
  return {
    name: c.name ?? uniqueName(),
    namespace,
    status: "active",
    type: c.type ?? "individual",
    props: c.props ?? [],
  };
}

async function createContact(c: NewContact = {}): Promise<Contact> {
  const tenant = c.tenant ?? "t1";
  const res = await api("POST", "/contacts/", {
    body: contactBody(c, c.namespace ?? (await defaultNamespace(tenant))),
    tenant,
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function dedupe(body: Record<string, unknown>, tenant?: string): Promise<ApiResponse<DedupeBody>> {
  return api<DedupeBody>("POST", DEDUPE, { body, tenant });
}

/** A 200 dedupe answer, with the invariants every answer keeps checked. */
async function dedupeOk(body: Record<string, unknown>, tenant?: string): Promise<DedupeBody> {
  const res = await dedupe(body, tenant);
  expect(res.status, res.text).toBe(200);
  checkShape(res.body, tenant ?? "t1");
  return res.body;
}

function checkShape(body: DedupeBody, tenant: string) {
  expect(Object.keys(body).sort()).toEqual(["count", "links", "results"]);
  expect(body.count).toBe(body.results.length);
  for (let i = 0; i < body.results.length; i++) {
    const m = body.results[i] as Match;
    expect(Object.keys(m).sort()).toEqual(["contact", "reasons", "score"]);
    expect(m.score).toBeGreaterThanOrEqual(0);
    expect(m.score).toBeLessThanOrEqual(1);
    expect(m.contact.tenant_id).toBe(tenant);
    for (const r of m.reasons) {
      expect(Object.keys(r).sort()).toEqual(["field", "match", "rule"]);
      expect(RULES).toContain(r.rule);
      expect(["exact", "similar", "different"]).toContain(r.match);
    }
    if (i > 0) expect(m.score).toBeLessThanOrEqual((body.results[i - 1] as Match).score);
  }
}

const find = (body: DedupeBody, id: string) => body.results.find((m) => m.contact.id === id);
const ids = (body: DedupeBody) => body.results.map((m) => m.contact.id);

/** The reasons of every result, serialised: what must never carry an identifier value. */
const reasonsText = (body: { results?: Match[]; matches?: Match[] }) =>
  JSON.stringify((body.results ?? body.matches ?? []).map((m) => m.reasons));

function expectNoValues(text: string, values: string[]) {
  for (const v of values) {
    const variants = [v, v.toUpperCase(), v.toLowerCase(), v.replace(/[\s-]/g, "")];
    for (const variant of variants) expect(text).not.toContain(variant);
  }
  // Not even partly: no run of 4 or more digits and no PAN-like run.
  expect(text).not.toMatch(/[0-9]{4,}/);
  expect(text).not.toMatch(/[A-Z]{5}[0-9]{4}[A-Z]/i);
}

async function contactCount(tenant = "t1"): Promise<number> {
  const res = await api("GET", "/contacts/?page_size=1", { tenant });
  expect(res.status).toBe(200);
  return res.body.count;
}

async function tableCount(table: "contacts" | "contact_history" | "contact_identifiers"): Promise<number> {
  const row = await env.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>();
  return row?.n ?? 0;
}

async function createBank(contactId: string, accountNumber: string, ifsc = "HDFC0001234") {
  const res = await api("POST", "/contacts/banks/", {
    body: {
      contact_id: contactId,
      account_number: accountNumber,
      ifsc,
      account_holder_name: "Account Holder",
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

// ---------------------------------------------------------------------------------------------
// Body forms and validation
// ---------------------------------------------------------------------------------------------

describe("POST /contacts/dedupe/: body forms", () => {
  it("{contact_id}: finds duplicates of a stored contact and never the contact itself", async () => {
    const pan = newPan();
    const name = uniqueName();
    const a = await createContact({ name, props: [prop("pan", pan)] });
    const b = await createContact({ name, props: [prop("pan_no", pan)] });
    const body = await dedupeOk({ contact_id: a.id, threshold: 0 });
    expect(ids(body)).not.toContain(a.id);
    expect(ids(body)).toContain(b.id);
    const other = await dedupeOk({ contact_id: b.id, threshold: 0 });
    expect(ids(other)).not.toContain(b.id);
    expect(ids(other)).toContain(a.id);
  });

  it("{contact_id}: accepted in lower case", async () => {
    const pan = newPan();
    const a = await createContact({ props: [prop("pan", pan)] });
    const b = await createContact({ props: [prop("pan", pan)] });
    const body = await dedupeOk({ contact_id: a.id.toLowerCase() });
    expect(ids(body)).toEqual([b.id]);
  });

  it("{contact_id}: a stored contact without any duplicate gives an empty answer", async () => {
    const a = await createContact({ props: [prop("pan", newPan())] });
    const body = await dedupeOk({ contact_id: a.id });
    expect(body).toEqual({ count: 0, results: [], links: [] });
  });

  it("a shared mobile between two people whose names disagree is a link, never a result", async () => {
    const mobile = `9${digits(9)}`;
    const a = await createContact({ name: "Ramesh Kumar", props: [prop("mobile", mobile)] });
    const b = await createContact({ name: "Sunita Verma", props: [prop("mobile", mobile)] });
    const body = await dedupeOk({ contact_id: a.id });
    expect(ids(body)).not.toContain(b.id);
    expect(body.count).toBe(body.results.length);
    const link = (body.links as { contact: { id: string }; shared: unknown[] }[]).find(
      (l) => l.contact.id === b.id,
    );
    expect(link?.shared).toEqual([{ rule: "mobile", field: "props.mobile" }]);
    expect(JSON.stringify(body.links)).not.toContain(`"${mobile}"`.slice(0, 0) || "score");
  });

  it("{contact_id}: unknown, malformed or another tenant's id is 404", async () => {
    const t2 = await createContact({ tenant: "t2", props: [prop("pan", newPan())] });
    for (const contact_id of [UNKNOWN_ID, "not-a-ulid", "01ARZ3NDEKTSV4RRFFQ69G5FA!", t2.id]) {
      const res = await dedupe({ contact_id });
      expect(res.status, `${contact_id}: ${res.text}`).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect((res.body as unknown as { type: string }).type).toBe("/problems/not_found");
    }
  });

  it("{contact_id: ''} is not a silent empty answer (400 or 404)", async () => {
    const res = await dedupe({ contact_id: "" });
    expect([400, 404], res.text).toContain(res.status);
  });

  it("a candidate {name, type, namespace, props} finds stored contacts", async () => {
    const pan = newPan();
    const name = uniqueName();
    const a = await createContact({ name, props: [prop("pan", pan)] });
    const body = await dedupeOk({
      name,
      type: "individual",
      namespace: await defaultNamespace(),
      props: [prop("pan", pan)],
    });
    expect(ids(body)).toEqual([a.id]);
    expect(body.results[0]?.score).toBeGreaterThanOrEqual(0.9);
  });

  it("neither contact_id nor name/props is 400", async () => {
    for (const body of [
      {},
      { type: "individual" },
      { namespace: await defaultNamespace() },
      { props: [] },
      { limit: 5 },
      { name: "" },
      { name: "   " },
    ]) {
      const res = await dedupe(body);
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(400);
      expect((res.body as unknown as { type: string }).type).toBe("/problems/validation");
    }
  });

  it("contact_id together with candidate fields is 400", async () => {
    const a = await createContact({ props: [prop("pan", newPan())] });
    for (const extra of [
      { name: "Ramesh Kumar" },
      { props: [prop("pan", newPan())] },
      { type: "individual" },
      { namespace: await defaultNamespace() },
    ]) {
      const res = await dedupe({ contact_id: a.id, ...extra });
      expect(res.status, `${JSON.stringify(extra)}: ${res.text}`).toBe(400);
    }
  });

  it("unknown fields and wrong types are 400", async () => {
    for (const body of [
      { name: "Ramesh Kumar", foo: 1 },
      { contact_id: UNKNOWN_ID, mobile: "9845012345" },
      { name: 42 },
      { name: "Ramesh Kumar", type: "person" },
      { name: "Ramesh Kumar", props: [{ key: "pan", value: "ABCPK1234F" }] },
      { name: "Ramesh Kumar", props: [{ key: "pan", value: "ABCPK1234F", type: "text", x: 1 }] },
      { name: "Ramesh Kumar", props: "pan" },
      { name: "Ramesh Kumar", scope: "global" },
      { name: "Ramesh Kumar", limit: "5" },
      { name: "Ramesh Kumar", threshold: "0.5" },
    ]) {
      const res = await dedupe(body);
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(400);
    }
  });

  it("malformed JSON is 400", async () => {
    const res = await api("POST", DEDUPE, {
      rawBody: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

describe("POST /contacts/dedupe/: matching", () => {
  it("PAN in any formatting and alias key matches exactly, >= 0.9, with the stored key as field", async () => {
    const pan = newPan();
    const lower = pan.toLowerCase();
    const a = await createContact({ props: [prop("pan", pan)] });
    const b = await createContact({ props: [prop("PAN_NO", ` ${lower} `)] });
    const c = await createContact({
      props: [prop("PAN Number", `${lower.slice(0, 5)} ${lower.slice(5, 9)} ${lower.slice(9)}`)],
    });
    for (const probe of [pan, lower, ` ${lower} `, `${pan.slice(0, 5)}-${pan.slice(5)}`]) {
      for (const key of ["pan", "PAN_NO", "pan_number", "Pan No"]) {
        const body = await dedupeOk({ props: [prop(key, probe)] });
        expect(ids(body).sort(), `${key}=${probe}`).toEqual([a.id, b.id, c.id].sort());
        for (const [contact, field] of [
          [a, "props.pan"],
          [b, "props.PAN_NO"],
          [c, "props.PAN Number"],
        ] as const) {
          const m = find(body, contact.id) as Match;
          expect(m.score).toBeGreaterThanOrEqual(0.9);
          expect(m.reasons).toContainEqual({ rule: "pan", field, match: "exact" });
        }
        expectNoValues(reasonsText(body), [pan]);
      }
    }
  });

  it("an exact identity document gives >= 0.9 even when the names disagree", async () => {
    const pan = newPan();
    const a = await createContact({ name: "Ramesh Kumar Sharma", props: [prop("pan", pan)] });
    const body = await dedupeOk({ name: "Vijaya Lakshmi", type: "individual", props: [prop("pan", pan)] });
    expect((find(body, a.id) as Match).score).toBeGreaterThanOrEqual(0.9);
  });

  it("names of four and more words, with a date of birth, in any script: answered, never a 500", async () => {
    // Each name key is one branch of the name lookup: a long name with a dob has a dozen keys, past
    // D1's limit on the terms of one compound SELECT.
    const dob = prop("dob", "1985-01-20");
    const stored = await createContact({ name: "Ravi Teja Reddy Konda Venkata", props: [dob] });
    for (const name of [
      "Ravi Teja Reddy Konda Venkata",
      "Mr. Ramesh Kumar Sharma",
      "Shri Anil Kumar Gupta Agarwal",
      "रवि तेजा रेड्डी कोंडा वेंकट",
      "ரவி தேஜா ரெட்டி கொண்டா வெங்கட",
    ]) {
      const body = await dedupeOk({ name, type: "individual", props: [dob] });
      if (name.startsWith("Ravi") || name.startsWith("रवि") || name.startsWith("ரவி"))
        expect(ids(body), name).toContain(stored.id);
    }
    expect(ids(await dedupeOk({ contact_id: stored.id }))).not.toContain(stored.id);
    // dedupe=block builds its 409 from the same lookup.
    const pan = newPan();
    const first = { name: "Anil Kumar Gupta Agarwal", props: [prop("pan", pan), dob] };
    await createContact(first);
    const blocked = await api("POST", "/contacts/?dedupe=block", {
      body: contactBody(first, await defaultNamespace("t1")),
    });
    expect(blocked.status, blocked.text).toBe(409);
  });

  it("an invalid PAN (unknown holder type) is refused on its prop's path, never stored unindexed", async () => {
    // 4th character Z is not a holder type.
    const bad = `${letters(3)}Z${letters(1)}${digits(4)}${letters(1)}`;
    const ns = await namespaceOf();
    const res = await api("POST", "/contacts/", {
      body: {
        name: "Bad Pan",
        namespace: ns,
        status: "active",
        type: "individual",
        props: [prop("pan", bad)],
      },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: "props.0.value", code: "invalid_identifier" }),
    ]);
    expect(res.text).not.toContain(bad);
  });

  it("a bad identifier is named together with the body's other bad fields (errors[] names every bad field)", async () => {
    const bad = `${letters(3)}Z${letters(1)}${digits(4)}${letters(1)}`;
    const ns = await namespaceOf();
    const props = [prop("occupation", "Teacher"), prop("pan", bad), prop("mobile", "12345")];
    const paths = ["name", "props.1.value", "props.2.value"];
    const created = await api("POST", "/contacts/", {
      body: { name: "", namespace: ns, status: "active", type: "individual", props },
    });
    expectInvalid(created, paths);
    expect(created.body.errors.filter((e: { code: string }) => e.code === "invalid_identifier")).toHaveLength(
      2,
    );
    expect(created.text).not.toContain(bad);
    const id = (
      await api("POST", "/contacts/", {
        body: { name: "Good Pan", namespace: ns, status: "active", type: "individual", props: [] },
      })
    ).body.id;
    expectInvalid(await api("PATCH", `/contacts/${id}/`, { body: { name: "", props } }), paths);
    expectInvalid(await api("PUT", `/contacts/${id}/props/`, { body: props }), ["1.value", "2.value"]);
  });

  it("mobile: '+91 98450 12345' matches '09845012345' (and other Indian formats)", async () => {
    const m = newMobile();
    const spaced = `+91 ${m.slice(0, 5)} ${m.slice(5)}`;
    const a = await createContact({ props: [prop("mobile", spaced)] });
    for (const probe of [`0${m}`, m, `91${m}`, `+91-${m}`, `0091 ${m}`]) {
      for (const key of ["phone", "mobile", "phone_no"]) {
        const body = await dedupeOk({ props: [prop(key, probe)] });
        expect(ids(body), `${key}=${probe}`).toEqual([a.id]);
        const match = body.results[0] as Match;
        // A probe without a name cannot disagree: a shared contact point alone is >= 0.9.
        expect(match.score).toBeGreaterThanOrEqual(0.9);
        expect(match.reasons).toContainEqual({ rule: "mobile", field: "props.mobile", match: "exact" });
        expectNoValues(reasonsText(body), [m]);
      }
    }
  });

  it("mobile shared by contacts whose names agree is >= 0.9", async () => {
    const m = newMobile();
    const name = uniqueName();
    const a = await createContact({ name, props: [prop("mobile", `+91 ${m}`)] });
    const b = await createContact({ name, props: [prop("phone", `0${m}`)] });
    const body = await dedupeOk({ contact_id: a.id });
    expect(ids(body)).toEqual([b.id]);
    expect(body.results[0]?.score).toBeGreaterThanOrEqual(0.9);
    expect(body.results[0]?.reasons).toContainEqual({ rule: "mobile", field: "props.phone", match: "exact" });
    expect(body.results[0]?.reasons.map((r) => r.rule)).toContain("name");
  });

  it("email matches case-insensitively and trimmed", async () => {
    const local = word().toLowerCase();
    const a = await createContact({ props: [prop("email", `${local}.Rao@Example.COM`)] });
    const body = await dedupeOk({ props: [prop("email", `  ${local.toUpperCase()}.rao@example.com `)] });
    expect(ids(body)).toEqual([a.id]);
    expect(body.results[0]?.score).toBeGreaterThanOrEqual(0.9);
    expect(body.results[0]?.reasons).toContainEqual({ rule: "email", field: "props.email", match: "exact" });
    expect(reasonsText(body)).not.toContain("@");
    expect(reasonsText(body).toLowerCase()).not.toContain(local);
  });

  it("Aadhaar matches (any formatting) and is never in the reasons nor in the index in clear", async () => {
    const aadhaar = newAadhaar();
    const spaced = `${aadhaar.slice(0, 4)} ${aadhaar.slice(4, 8)} ${aadhaar.slice(8)}`;
    const a = await createContact({ props: [prop("aadhaar_no", spaced)] });
    const b = await createContact({ props: [prop("aadhaar", aadhaar)] });
    const body = await dedupeOk({ props: [prop("Aadhaar", `${aadhaar.slice(0, 4)}-${aadhaar.slice(4)}`)] });
    expect(ids(body).sort()).toEqual([a.id, b.id].sort());
    for (const m of body.results) {
      expect(m.score).toBeGreaterThanOrEqual(0.9);
      expect(m.reasons.find((r) => r.rule === "aadhaar")).toMatchObject({ match: "exact" });
    }
    expect((find(body, a.id) as Match).reasons).toContainEqual({
      rule: "aadhaar",
      field: "props.aadhaar_no",
      match: "exact",
    });
    expectNoValues(reasonsText(body), [aadhaar, spaced]);
    // The reasons carry no hash either: only rule names, fields and match kinds.
    expect(reasonsText(body)).not.toMatch(/[0-9a-f]{16,}/);
    // By contact_id too.
    const byId = await dedupeOk({ contact_id: a.id });
    expect(ids(byId)).toEqual([b.id]);
    expectNoValues(reasonsText(byId), [aadhaar, spaced]);
    // The identifier index holds no Aadhaar number in clear.
    const clear = await env.DB.prepare(
      "select count(*) as n from contact_identifiers where value like ? or value like ?",
    )
      .bind(`%${aadhaar}%`, `%${aadhaar.slice(0, 8)}%`)
      .first<{ n: number }>();
    expect(clear?.n).toBe(0);
  });

  it("an Aadhaar with a wrong Verhoeff digit is refused on its prop's path", async () => {
    const good = newAadhaar();
    const bad = `${good.slice(0, 11)}${(Number(good.charAt(11)) + 1) % 10}`;
    const ns = await namespaceOf();
    const res = await api("POST", "/contacts/", {
      body: {
        name: "Bad Uid",
        namespace: ns,
        status: "active",
        type: "individual",
        props: [prop("aadhaar", bad)],
      },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: "props.0.value", code: "invalid_identifier" }),
    ]);
    expect(res.text).not.toContain(bad);
  });

  it("a firm's GSTIN links it to its proprietor's PAN, both ways", async () => {
    const pan = newPan();
    const gstin = gstinOf(pan);
    const owner = await createContact({ name: "Suresh Patil", props: [prop("pan", pan)] });
    const firm = await createContact({
      name: "Patil Hardware Stores",
      type: "corporate",
      props: [prop("gstin", gstin)],
    });
    // From the firm: its proprietor.
    const fromFirm = await dedupeOk({ contact_id: firm.id });
    expect(ids(fromFirm)).toEqual([owner.id]);
    expect(fromFirm.results[0]?.score).toBeGreaterThanOrEqual(0.9);
    expect(fromFirm.results[0]?.reasons).toContainEqual({ rule: "pan", field: "props.pan", match: "exact" });
    // From the proprietor: the firm.
    const fromOwner = await dedupeOk({ contact_id: owner.id });
    expect(ids(fromOwner)).toEqual([firm.id]);
    expect(fromOwner.results[0]?.score).toBeGreaterThanOrEqual(0.9);
    expect(fromOwner.results[0]?.reasons).toContainEqual({
      rule: "pan",
      field: "props.gstin",
      match: "exact",
    });
    // A candidate GSTIN (lower case, spaced) finds both the proprietor and the firm.
    const spaced = `${gstin.slice(0, 2)} ${gstin.slice(2, 12).toLowerCase()} ${gstin.slice(12)}`;
    const candidate = await dedupeOk({ type: "corporate", props: [prop("gst_no", spaced)] });
    expect(ids(candidate).sort()).toEqual([owner.id, firm.id].sort());
    expect((find(candidate, firm.id) as Match).reasons).toContainEqual({
      rule: "gstin",
      field: "props.gstin",
      match: "exact",
    });
    expectNoValues(reasonsText(candidate), [gstin, pan]);
  });

  it("a GSTIN with a wrong check character is not an identifier: 400 on its value, as on create", async () => {
    const pan = newPan();
    const good = gstinOf(pan);
    const wrong = `${good.slice(0, 14)}${good.charAt(14) === "A" ? "B" : "A"}`;
    await createContact({ name: uniqueName(), props: [prop("pan", pan)] });
    const res = await dedupe({ props: [prop("gstin", wrong)], threshold: 0 });
    expect(res.status, res.text).toBe(400);
    expect((res.body as unknown as { errors: { path: string; code: string }[] }).errors).toEqual([
      expect.objectContaining({ path: "props.0.value", code: "invalid_identifier" }),
    ]);
    expect(res.text).not.toContain(wrong);
  });

  it("a candidate's props may name a bank account (account_number and ifsc): it meets the stored account", async () => {
    const a = await createContact({ name: uniqueName() });
    const number = digits(12);
    await createBank(a.id, number);
    const body = await dedupeOk({
      name: a.name,
      type: "individual",
      props: [prop("Account Number", number), prop("ifsc", "hdfc0001234")],
    });
    expect(ids(body)).toContain(a.id);
    expect(find(body, a.id)?.reasons).toContainEqual({
      rule: "bank_account",
      field: "banks.account_number",
      match: "exact",
    });
    expectNoValues(reasonsText(body), [number]);
    // Another IFSC is another account.
    const other = await dedupeOk({
      name: a.name,
      type: "individual",
      props: [prop("account_number", number), prop("ifsc", "ICIC0001234")],
    });
    expect(find(other, a.id)?.reasons.some((r) => r.rule === "bank_account") ?? false).toBe(false);
  });

  it("bank accounts: match after POST, follow a PATCH of the number, stop after DELETE", async () => {
    const name = uniqueName();
    const a = await createContact({ name });
    const b = await createContact({ name });
    const n1 = digits(12);
    const n2 = digits(14);
    const hasBank = (body: DedupeBody, id: string) =>
      find(body, id)?.reasons.some((r) => r.rule === "bank_account" && r.match === "exact") ?? false;

    await createBank(a.id, n1);
    const bankB = await createBank(b.id, n1, "hdfc0001234");
    let body = await dedupeOk({ contact_id: a.id });
    expect(ids(body)).toEqual([b.id]);
    expect(body.results[0]?.score).toBeGreaterThanOrEqual(0.9);
    expect(body.results[0]?.reasons).toContainEqual({
      rule: "bank_account",
      field: "banks.account_number",
      match: "exact",
    });
    expectNoValues(reasonsText(body), [n1]);
    expect(reasonsText(body)).not.toContain("HDFC");

    // B's account number changes: the old number no longer links them.
    const patched = await api("PATCH", `/contacts/banks/${bankB.id}/`, { body: { account_number: n2 } });
    expect(patched.status, patched.text).toBe(200);
    body = await dedupeOk({ contact_id: a.id, threshold: 0 });
    expect(hasBank(body, b.id)).toBe(false);
    body = await dedupeOk({ contact_id: b.id, threshold: 0 });
    expect(hasBank(body, a.id)).toBe(false);

    // The new number is indexed: A takes an account with it too.
    await createBank(a.id, n2);
    body = await dedupeOk({ contact_id: a.id });
    expect(hasBank(body, b.id)).toBe(true);

    // B's account is deleted: no longer a match.
    const deleted = await api("DELETE", `/contacts/banks/${bankB.id}/`);
    expect(deleted.status).toBe(204);
    body = await dedupeOk({ contact_id: a.id, threshold: 0 });
    expect(hasBank(body, b.id)).toBe(false);
    body = await dedupeOk({ contact_id: b.id, threshold: 0 });
    expect(hasBank(body, a.id)).toBe(false);
  });

  it("the same account number at another IFSC is not a match", async () => {
    const name = uniqueName();
    const a = await createContact({ name });
    const b = await createContact({ name });
    const n = digits(11);
    await createBank(a.id, n, "SBIN0000123");
    await createBank(b.id, n, "ICIC0000123");
    const body = await dedupeOk({ contact_id: a.id, threshold: 0 });
    expect(find(body, b.id)?.reasons.some((r) => r.rule === "bank_account" && r.match === "exact")).not.toBe(
      true,
    );
  });

  it("props PUT and DELETE keep the index in sync", async () => {
    const pan1 = newPan();
    const pan2 = newPan();
    const a = await createContact({ props: [prop("pan", pan1), prop("city", "Pune")] });
    expect(ids(await dedupeOk({ props: [prop("pan", pan1)] }))).toEqual([a.id]);

    const del = await api("DELETE", `/contacts/${a.id}/props/?key=pan`);
    expect(del.status, del.text).toBe(204);
    expect(ids(await dedupeOk({ props: [prop("pan", pan1)], threshold: 0 }))).toEqual([]);

    const put = await api("PUT", `/contacts/${a.id}/props/`, { body: [prop("pan_no", pan2)] });
    expect(put.status, put.text).toBe(200);
    const found = await dedupeOk({ props: [prop("pan", pan2)] });
    expect(ids(found)).toEqual([a.id]);
    expect(found.results[0]?.reasons).toContainEqual({ rule: "pan", field: "props.pan_no", match: "exact" });
    expect(ids(await dedupeOk({ props: [prop("pan", pan1)], threshold: 0 }))).toEqual([]);

    // PUT of an unrelated key keeps the PAN indexed.
    const other = await api("PUT", `/contacts/${a.id}/props/`, { body: { props: [prop("city", "Nashik")] } });
    expect(other.status, other.text).toBe(200);
    expect(ids(await dedupeOk({ props: [prop("pan", pan2)] }))).toEqual([a.id]);

    // PUT replacing the PAN's value: the old one goes, the new one comes.
    const pan3 = newPan();
    const replaced = await api("PUT", `/contacts/${a.id}/props/`, { body: [prop("pan_no", pan3)] });
    expect(replaced.status, replaced.text).toBe(200);
    expect(ids(await dedupeOk({ props: [prop("pan", pan2)], threshold: 0 }))).toEqual([]);
    expect(ids(await dedupeOk({ props: [prop("pan", pan3)] }))).toEqual([a.id]);
  });

  it("contact PATCH keeps the index in sync (props, name)", async () => {
    const pan1 = newPan();
    const pan2 = newPan();
    const a = await createContact({ props: [prop("pan", pan1)] });
    let res = await api("PATCH", `/contacts/${a.id}/`, { body: { props: [] } });
    expect(res.status, res.text).toBe(200);
    expect(ids(await dedupeOk({ props: [prop("pan", pan1)], threshold: 0 }))).toEqual([]);

    res = await api("PATCH", `/contacts/${a.id}/`, { body: { props: [prop("PAN_NO", pan2)] } });
    expect(res.status, res.text).toBe(200);
    expect(ids(await dedupeOk({ props: [prop("pan", pan2)] }))).toEqual([a.id]);
    expect(ids(await dedupeOk({ props: [prop("pan", pan1)], threshold: 0 }))).toEqual([]);

    // A PATCH of other fields leaves the PAN indexed.
    res = await api("PATCH", `/contacts/${a.id}/`, { body: { tags: ["vip"], status: "inactive" } });
    expect(res.status, res.text).toBe(200);
    expect(ids(await dedupeOk({ props: [prop("pan", pan2)] }))).toEqual([a.id]);

    // A renamed contact is found by its new name, not its old one.
    const oldName = uniqueName();
    const newName = uniqueName();
    const b = await createContact({ name: oldName });
    res = await api("PATCH", `/contacts/${b.id}/`, { body: { name: newName } });
    expect(res.status, res.text).toBe(200);
    expect(ids(await dedupeOk({ name: newName, threshold: 0 }))).toContain(b.id);
    expect(ids(await dedupeOk({ name: oldName, threshold: 0 }))).not.toContain(b.id);
  });

  it("a name-only probe finds a transliterated name with a name reason, below 0.9", async () => {
    const a = await createContact({ name: "Mohd Ikbal" });
    const body = await dedupeOk({ name: "Mohammed Iqbal", type: "individual", threshold: 0.1 });
    const m = find(body, a.id) as Match;
    expect(m).toBeDefined();
    expect(m.score).toBeLessThan(0.9);
    expect(m.score).toBeGreaterThanOrEqual(0.1);
    expect(m.reasons.find((r) => r.rule === "name")).toMatchObject({ field: "name" });
    expect(["exact", "similar"]).toContain(m.reasons.find((r) => r.rule === "name")?.match);
    // Honorifics and case do not matter either.
    const titled = await dedupeOk({ name: "Mr. MOHAMMED IQBAL", threshold: 0.1 });
    expect(ids(titled)).toContain(a.id);
    // Not at the default threshold: a name alone is not a duplicate.
    expect(ids(await dedupeOk({ name: "Mohammed Iqbal" }))).not.toContain(a.id);
  });

  it("a vowel variant of a transliterated name (Mohammad / Mohammed) is found too", async () => {
    // With a third shared name part the pair is found through another blocking key.
    const a = await createContact({ name: "Mohammed Rafiq Ansari" });
    const three = await dedupeOk({ name: "Mohammad Rafiq Ansari", type: "individual", threshold: 0.1 });
    expect(ids(three)).toContain(a.id);
    // With two name parts it must be found as well: the scorer rates the names 0.97 alike
    // (nameSimilarity), so the name index must offer the pair as a candidate.
    const b = await createContact({ name: "Mohammed Salim" });
    const two = await dedupeOk({ name: "Mohammad Salim", type: "individual", threshold: 0.1 });
    expect(ids(two)).toContain(b.id);
  });

  it("spouses sharing a mobile, with different names, are a link at any threshold, never a duplicate", async () => {
    const m = newMobile();
    const wife = await createContact({ name: "Sunita Deshpande", props: [prop("mobile", m)] });
    const husband = await createContact({ name: "Rajesh Deshpande", props: [prop("mobile", `+91 ${m}`)] });
    expect(ids(await dedupeOk({ contact_id: husband.id }))).not.toContain(wife.id);
    expect(ids(await dedupeOk({ contact_id: wife.id }))).not.toContain(husband.id);
    expect(
      ids(await dedupeOk({ name: "Rajesh Deshpande", type: "individual", props: [prop("mobile", m)] })),
    ).not.toContain(wife.id);
    // Judged two parties: a link at any threshold, never a result (API.md, Links).
    const all = await dedupeOk({ contact_id: husband.id, threshold: 0 });
    expect(ids(all)).not.toContain(wife.id);
    expect(all.links.find((l) => l.contact.id === wife.id)?.shared).toEqual([
      { rule: "mobile", field: "props.mobile" },
    ]);
  });

  it("a probe without a type is not known to be of the same type: a shared mobile keeps its 0.9 floor", async () => {
    const m = newMobile();
    const stored = await createContact({ name: "Sunita Deshpande", props: [prop("mobile", m)] });
    const untyped = await dedupeOk({ name: "Zara Khan", props: [prop("mobile", m)] });
    expect((find(untyped, stored.id) as Match).score).toBeGreaterThanOrEqual(0.9);
    expect(untyped.links.map((l) => l.contact.id)).not.toContain(stored.id);
    const typed = await dedupeOk({ name: "Zara Khan", type: "individual", props: [prop("mobile", m)] });
    expect(ids(typed)).not.toContain(stored.id);
    expect(typed.links.map((l) => l.contact.id)).toContain(stored.id);
  });
});

describe("POST /contacts/dedupe/: signals kept beside the hashed index", () => {
  /** A house number at a PIN code no other test uses, written two ways. */
  const newPlace = () => {
    const pin = `${pick("123456789")}${digits(5)}`;
    const house = `${1 + Math.floor(Math.random() * 900)}`;
    return [
      `${house}, Civil Lines, Ludhiana ${pin}`,
      `No. ${house} Civil Lines Ludhiana - ${pin.slice(0, 3)} ${pin.slice(3)}`,
    ];
  };

  it("a firm's PAN (hashed in the index) still tells the firm from a person on its phone", async () => {
    const m = newMobile();
    const person = await createContact({
      name: uniqueName(),
      props: [prop("mobile", m), prop("dob", "1970-01-01")],
    });
    const firm = await createContact({
      name: `${word()} Traders`,
      type: "corporate",
      props: [prop("pan", newPan("F")), prop("mobile", m)],
    });
    const body = await dedupeOk({ contact_id: person.id });
    expect(ids(body)).not.toContain(firm.id);
    expect(body.links.map((l) => l.contact.id)).toContain(firm.id);
    // A link at any threshold: the firm's PAN says two holders (scoring.test.ts shows the reason).
    const all = await dedupeOk({ contact_id: person.id, threshold: 0 });
    expect(ids(all)).not.toContain(firm.id);
    expect(all.links.map((l) => l.contact.id)).toContain(firm.id);
  });

  it("a PAN keyed with one wrong character is similar, not a second PAN", async () => {
    const pan = newPan();
    const typo = `${pan.slice(0, 6)}${pan.charAt(6) === "7" ? "8" : "7"}${pan.slice(7)}`;
    const name = uniqueName();
    const m = newMobile();
    const a = await createContact({ name, props: [prop("pan", pan), prop("mobile", m)] });
    const b = await createContact({ name, props: [prop("pan_no", typo), prop("mobile", m)] });
    const body = await dedupeOk({ contact_id: a.id });
    expect(ids(body)).toEqual([b.id]);
    expect((find(body, b.id) as Match).reasons).toContainEqual({
      rule: "pan",
      field: "props.pan_no",
      match: "similar",
    });
    expectNoValues(reasonsText(body), [pan, typo]);
    // Another person's PAN on the same phone and name stays a conflict.
    const c = await createContact({ name, props: [prop("pan", newPan()), prop("mobile", m)] });
    // Two PANs: two holders sharing a phone, a link at any threshold, never a result.
    const again = await dedupeOk({ contact_id: a.id, threshold: 0 });
    expect(ids(again)).toEqual([b.id]);
    expect(again.links.map((l) => l.contact.id)).toContain(c.id);
  });

  it("one name written differently at the same house number and PIN code is a duplicate; a sibling there is not", async () => {
    const [address, respelt] = newPlace() as [string, string];
    const first = word();
    const surname = word();
    const record = await createContact({ name: `${first} ${surname}`, props: [prop("address", address)] });
    const sibling = await createContact({ name: `${word()} ${surname}`, props: [prop("address", address)] });
    const elsewhere = await createContact({
      name: `${surname} ${first}`,
      props: [prop("address", newPlace()[0] as string)],
    });
    const body = await dedupeOk({
      name: `Mr ${surname.toUpperCase()} ${first.toUpperCase()}`, // titled, surname first, in capitals
      type: "individual",
      props: [prop("current_address", respelt)],
    });
    expect(ids(body)).toContain(record.id);
    // The place weighs, but API.md's rule names have no address: the reasons show the name.
    expect((find(body, record.id) as Match).reasons.map((r) => r.rule)).toEqual(["name", "type"]);
    expect(ids(body)).not.toContain(sibling.id);
    expect(ids(body)).not.toContain(elsewhere.id); // the same name elsewhere: a namesake
    // From the stored record too (its index rows carry the place).
    expect(ids(await dedupeOk({ contact_id: record.id }))).not.toContain(sibling.id);
  });

  it("'S. <surname>' at a house is not read as the <surname> living there without a date of birth", async () => {
    const [address] = newPlace() as [string];
    const surname = word();
    const full = await createContact({ name: `Suresh ${surname}`, props: [prop("address", address)] });
    const initial = await dedupeOk({
      name: `S. ${surname}`,
      type: "individual",
      props: [prop("address", address)],
    });
    expect(ids(initial)).not.toContain(full.id);
    // Still a candidate (the place-anchored key found it), scored below the threshold.
    const all = await dedupeOk({
      name: `S. ${surname}`,
      type: "individual",
      props: [prop("address", address)],
      threshold: 0,
    });
    expect(all.results.map((m) => m.contact.id)).toContain(full.id);
  });
});

// ---------------------------------------------------------------------------------------------
// Response shape, limit, threshold, scope
// ---------------------------------------------------------------------------------------------

describe("POST /contacts/dedupe/: response, limit, threshold, scope", () => {
  it("results are {contact, score, reasons}, best first, contact as GET returns it", async () => {
    const pan = newPan();
    const name = uniqueName();
    const best = await createContact({
      name,
      props: [prop("pan", pan), prop("dob", "1984-03-12")],
    });
    const weaker = await createContact({ name: uniqueName(), props: [prop("pan_no", pan)] });
    const body = await dedupeOk({
      name,
      type: "individual",
      props: [prop("pan", pan), prop("date_of_birth", "12/03/1984")],
    });
    expect(body.count).toBe(2);
    expect(ids(body)).toEqual([best.id, weaker.id]);
    expect(body.results[0]?.score).toBeGreaterThan(body.results[1]?.score as number);
    expect(body.results[0]?.reasons.map((r) => r.rule)).toEqual(
      expect.arrayContaining(["pan", "name", "dob", "type"]),
    );
    for (const m of body.results) {
      const got = await api("GET", `/contacts/${m.contact.id}/`);
      expect(got.status).toBe(200);
      expect(m.contact).toEqual(got.body);
    }
    expectNoValues(reasonsText(body), [pan, "1984"]);
  });

  it("limit: default 10, 1 returns one, 1-50 only", async () => {
    const pan = newPan();
    const made: string[] = [];
    for (let i = 0; i < 12; i++) made.push((await createContact({ props: [prop("pan", pan)] })).id);
    const all = await dedupeOk({ props: [prop("pan", pan)] });
    expect(all.count).toBe(10);
    const fifty = await dedupeOk({ props: [prop("pan", pan)], limit: 50 });
    expect(fifty.count).toBe(12);
    expect(ids(fifty).sort()).toEqual([...made].sort());
    const one = await dedupeOk({ props: [prop("pan", pan)], limit: 1 });
    expect(one.count).toBe(1);
    expect(one.results).toHaveLength(1);
    const byId = await dedupeOk({ contact_id: made[0], limit: 50 });
    expect(byId.count).toBe(11);
    for (const limit of [0, 51, -1, 2.5, "3", null]) {
      const res = await dedupe({ props: [prop("pan", pan)], limit });
      expect(res.status, `limit ${JSON.stringify(limit)}`).toBe(400);
    }
  });

  it("threshold: default 0.5, 0 returns more, a high one filters, outside 0-1 is 400", async () => {
    const pan = newPan();
    const name = uniqueName();
    const strong = await createContact({ name, props: [prop("pan", pan), prop("dob", "1990-01-05")] });
    const panOnly = await createContact({ props: [prop("pan", pan)] });
    const nameOnly = await createContact({ name });
    const probe = {
      name,
      type: "individual",
      props: [prop("pan", pan), prop("dob", "05-01-1990")],
    };
    const byDefault = await dedupeOk(probe);
    expect(ids(byDefault)).toEqual([strong.id, panOnly.id]);
    expect(byDefault.results.every((m) => m.score >= 0.5)).toBe(true);

    const zero = await dedupeOk({ ...probe, threshold: 0 });
    expect(zero.count).toBeGreaterThan(byDefault.count);
    expect(ids(zero)).toContain(nameOnly.id);
    const nameMatch = find(zero, nameOnly.id) as Match;
    expect(nameMatch.score).toBeLessThan(0.5);
    expect(nameMatch.reasons.map((r) => r.rule)).toContain("name");

    const panScore = (find(byDefault, panOnly.id) as Match).score;
    const high = await dedupeOk({ ...probe, threshold: Math.min(1, panScore + 0.01) });
    expect(ids(high)).toEqual([strong.id]);
    expect(high.results.every((m) => m.score >= panScore + 0.01 - 1e-9)).toBe(true);

    const one = await dedupeOk({ ...probe, threshold: 1 });
    expect(one.results.every((m) => m.score === 1)).toBe(true);

    for (const threshold of [1.5, -0.1, "0.5", null]) {
      const res = await dedupe({ ...probe, threshold });
      expect(res.status, `threshold ${JSON.stringify(threshold)}`).toBe(400);
    }
  });

  it("scope namespace restricts to the probe's namespace; tenant (default) does not", async () => {
    const ns1 = await createNamespace();
    const ns2 = await createNamespace();
    const pan = newPan();
    const a = await createContact({ namespace: ns1.name, props: [prop("pan", pan)] });
    const b = await createContact({ namespace: ns2.name, props: [prop("pan", pan)] });
    const c = await createContact({ namespace: ns1.name, props: [prop("pan", pan)] });

    expect(ids(await dedupeOk({ contact_id: a.id })).sort()).toEqual([b.id, c.id].sort());
    expect(ids(await dedupeOk({ contact_id: a.id, scope: "tenant" })).sort()).toEqual([b.id, c.id].sort());
    expect(ids(await dedupeOk({ contact_id: a.id, scope: "namespace" }))).toEqual([c.id]);
    expect(ids(await dedupeOk({ contact_id: b.id, scope: "namespace", threshold: 0 }))).toEqual([]);

    const candidate = { props: [prop("pan", pan)] };
    expect(ids(await dedupeOk(candidate)).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(ids(await dedupeOk({ ...candidate, namespace: ns2.name })).sort()).toEqual(
      [a.id, b.id, c.id].sort(),
    );
    expect(ids(await dedupeOk({ ...candidate, namespace: ns2.name, scope: "namespace" }))).toEqual([b.id]);
    // Namespace names are matched case-insensitively, as on create.
    expect(
      ids(await dedupeOk({ ...candidate, namespace: ns1.name.toUpperCase(), scope: "namespace" })).sort(),
    ).toEqual([a.id, c.id].sort());
  });

  it("scope namespace follows a contact moved to another namespace", async () => {
    const ns1 = await createNamespace();
    const ns2 = await createNamespace();
    const pan = newPan();
    const name = uniqueName();
    const a = await createContact({ namespace: ns1.name, name, props: [prop("pan", pan)] });
    const b = await createContact({ namespace: ns1.name, name, props: [prop("pan", pan)] });
    await createBank(b.id, digits(10));
    const moved = await api("PATCH", `/contacts/${b.id}/`, { body: { namespace: ns2.name } });
    expect(moved.status, moved.text).toBe(200);
    expect(ids(await dedupeOk({ contact_id: a.id, scope: "namespace", threshold: 0 }))).toEqual([]);
    const inNs2 = await dedupeOk({ props: [prop("pan", pan)], namespace: ns2.name, scope: "namespace" });
    expect(ids(inNs2)).toEqual([b.id]);
  });

  it("candidate with scope namespace but no namespace is 400; unknown namespace is 400", async () => {
    const pan = newPan();
    await createContact({ props: [prop("pan", pan)] });
    const missing = await dedupe({ props: [prop("pan", pan)], scope: "namespace" });
    expect(missing.status, missing.text).toBe(400);
    expect((missing.body as unknown as { type: string }).type).toBe("/problems/validation");
    for (const scope of [undefined, "namespace", "tenant"]) {
      const res = await dedupe({ props: [prop("pan", pan)], namespace: unique("nope"), scope });
      expect(res.status, `${scope}: ${res.text}`).toBe(400);
      expect(JSON.stringify((res.body as unknown as { errors: unknown[] }).errors)).toContain("namespace");
    }
    // Another tenant's namespace is unknown too.
    const t2ns = await createNamespace({}, "t2");
    const other = await dedupe({ props: [prop("pan", pan)], namespace: t2ns.name, scope: "namespace" });
    expect(other.status).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------
// Tenancy
// ---------------------------------------------------------------------------------------------

describe("POST /contacts/dedupe/: tenancy", () => {
  it("another tenant's identical PAN, mobile or name is never returned", async () => {
    const pan = newPan();
    const m = newMobile();
    const name = uniqueName();
    const mine = await createContact({ name, props: [prop("pan", pan), prop("mobile", m)] });
    const theirs = await createContact({
      tenant: "t2",
      name,
      props: [prop("pan", pan), prop("mobile", m)],
    });
    const t1 = await dedupeOk({ name, props: [prop("pan", pan), prop("mobile", m)], threshold: 0 });
    expect(ids(t1)).toEqual([mine.id]);
    expect(ids(await dedupeOk({ contact_id: mine.id, threshold: 0 }))).toEqual([]);
    const t2 = await dedupeOk({ name, props: [prop("pan", pan)], threshold: 0 }, "t2");
    expect(ids(t2)).toEqual([theirs.id]);
    expect(ids(await dedupeOk({ contact_id: theirs.id, threshold: 0 }, "t2"))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// POST /contacts/?dedupe=block
// ---------------------------------------------------------------------------------------------

describe("POST /contacts/?dedupe=block", () => {
  async function createBlocking(c: NewContact, query = "?dedupe=block") {
    const tenant = c.tenant ?? "t1";
    return api("POST", `/contacts/${query}`, {
      body: contactBody(c, c.namespace ?? (await defaultNamespace(tenant))),
      tenant,
    });
  }

  it("a PAN already on record (any formatting) is 409 duplicate with the match, and creates nothing", async () => {
    const ns = await createNamespace({ contact_pattern: "C-{seq:4}" });
    const pan = newPan();
    const existing = await createContact({ namespace: ns.name, props: [prop("pan", pan)] });
    const before = {
      list: await contactCount(),
      contacts: await tableCount("contacts"),
      history: await tableCount("contact_history"),
      index: await tableCount("contact_identifiers"),
      counter: (await api("GET", `/namespaces/${ns.id}/`)).body.contact_counter,
    };
    const newName = uniqueName();
    const lower = pan.toLowerCase();
    for (const [key, value] of [
      ["pan", pan],
      ["PAN_NO", ` ${lower} `],
      ["Pan Number", `${lower.slice(0, 5)} ${lower.slice(5)}`],
    ] as const) {
      const res = await createBlocking({
        namespace: ns.name,
        name: newName,
        props: [prop(key, value), prop("mobile", newMobile())],
      });
      expect(res.status, res.text).toBe(409);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body).toMatchObject({ type: "/problems/duplicate", status: 409 });
      const matches = res.body.matches as Match[];
      expect(Array.isArray(matches)).toBe(true);
      expect(matches.map((m) => m.contact.id)).toEqual([existing.id]);
      expect(matches[0]?.contact).toEqual((await api("GET", `/contacts/${existing.id}/`)).body);
      expect(matches[0]?.score).toBeGreaterThanOrEqual(0.9);
      expect(matches[0]?.reasons).toContainEqual({ rule: "pan", field: "props.pan", match: "exact" });
      expectNoValues(JSON.stringify(matches.map((m) => m.reasons)), [pan]);
      // The body says nothing of the identifier outside the matched contact's own record.
      const { matches: _m, ...rest } = res.body as Record<string, unknown>;
      expect(JSON.stringify(rest).toUpperCase()).not.toContain(pan);
    }
    expect(await contactCount()).toBe(before.list);
    expect(await tableCount("contacts")).toBe(before.contacts);
    expect(await tableCount("contact_history")).toBe(before.history);
    expect(await tableCount("contact_identifiers")).toBe(before.index);
    expect((await api("GET", `/namespaces/${ns.id}/`)).body.contact_counter).toBe(before.counter);
    const search = await api("GET", `/contacts/?search=${encodeURIComponent(newName)}`);
    expect(search.body.count).toBe(0);
  });

  it("blocks across namespaces of the tenant, but not on another tenant's PAN", async () => {
    const pan = newPan();
    const ns1 = await createNamespace();
    const ns2 = await createNamespace();
    await createContact({ namespace: ns1.name, props: [prop("pan", pan)] });
    const res = await createBlocking({ namespace: ns2.name, props: [prop("pan", pan)] });
    expect(res.status, res.text).toBe(409);
    const other = await createBlocking({ tenant: "t2", props: [prop("pan", pan)] });
    expect(other.status, other.text).toBe(201);
  });

  it("blocks on other identity documents: Aadhaar, GSTIN, passport", async () => {
    const aadhaar = newAadhaar();
    const gstin = gstinOf(newPan("F"));
    const passport = `${letters(1)}${digits(7)}`;
    const a = await createContact({ props: [prop("aadhaar", aadhaar)] });
    const f = await createContact({ type: "corporate", props: [prop("gstin", gstin)] });
    const p = await createContact({ props: [prop("passport_no", passport)] });
    for (const [props, owner, rule] of [
      [[prop("aadhaar_no", `${aadhaar.slice(0, 4)} ${aadhaar.slice(4)}`)], a, "aadhaar"],
      [[prop("gst_no", gstin.toLowerCase())], f, "gstin"],
      [[prop("passport", passport.toLowerCase())], p, "passport"],
    ] as const) {
      const res = await createBlocking({ props: [...props] });
      expect(res.status, `${rule}: ${res.text}`).toBe(409);
      const matches = res.body.matches as Match[];
      expect(matches.map((m) => m.contact.id)).toEqual([owner.id]);
      expect(matches[0]?.reasons.some((r) => r.rule === rule && r.match === "exact")).toBe(true);
      expectNoValues(JSON.stringify(matches.map((m) => m.reasons)), [aadhaar, gstin, passport]);
    }
  });

  it("a contact sharing only a mobile or an email is created", async () => {
    const m = newMobile();
    const email = `${word().toLowerCase()}@example.com`;
    const name = uniqueName();
    const existing = await createContact({ name, props: [prop("mobile", m), prop("email", email)] });
    const res = await createBlocking({
      name,
      props: [prop("phone", `+91 ${m}`), prop("email", email.toUpperCase())],
    });
    expect(res.status, res.text).toBe(201);
    // It is still a dedupe candidate of the existing one.
    expect(ids(await dedupeOk({ contact_id: res.body.id }))).toContain(existing.id);
  });

  it("a PAN embedded in a firm's GSTIN does not block, either way", async () => {
    const pan = newPan();
    // A proprietorship on record; its proprietor is created with blocking on.
    const firm = await createContact({ type: "corporate", props: [prop("gstin", gstinOf(pan))] });
    const owner = await createBlocking({ props: [prop("pan", pan)] });
    expect(owner.status, owner.text).toBe(201);
    // The proprietor on record; a second firm of the same proprietor (another state) is created too.
    const firm2 = await createBlocking({ type: "corporate", props: [prop("gstin", gstinOf(pan, "27"))] });
    expect(firm2.status, firm2.text).toBe(201);
    // Both are dedupe candidates of the proprietor.
    const body = await dedupeOk({ contact_id: owner.body.id });
    expect(ids(body).sort()).toEqual([firm.id, firm2.body.id].sort());
  });

  it("409 matches list only the contacts holding the blocking identity document", async () => {
    // The proprietor and the firm are on record; a second individual with the proprietor's PAN is
    // blocked by the proprietor's PAN alone: the firm (linked only by its GSTIN's embedded PAN,
    // which never blocks) is not why the create was refused.
    const pan = newPan();
    const owner = await createContact({ props: [prop("pan", pan)] });
    const firm = await createContact({ type: "corporate", props: [prop("gstin", gstinOf(pan))] });
    const res = await createBlocking({ props: [prop("pan", pan)] });
    expect(res.status, res.text).toBe(409);
    const listed = (res.body.matches as Match[]).map((m) => m.contact.id);
    expect(listed).toContain(owner.id);
    expect(listed).not.toContain(firm.id);
  });

  it("without dedupe=block (or with dedupe=off) the same PAN is created", async () => {
    const pan = newPan();
    await createContact({ props: [prop("pan", pan)] });
    const res = await createBlocking({ props: [prop("pan", pan.toLowerCase())] }, "");
    expect(res.status, res.text).toBe(201);
    const off = await createBlocking({ props: [prop("PAN_NO", pan)] }, "?dedupe=off");
    expect(off.status, off.text).toBe(201);
    expect((await dedupeOk({ props: [prop("pan", pan)] })).count).toBe(3);
  });

  it("a PAN removed from the contact on record no longer blocks", async () => {
    const pan = newPan();
    const a = await createContact({ props: [prop("pan", pan)] });
    expect((await createBlocking({ props: [prop("pan", pan)] })).status).toBe(409);
    const del = await api("DELETE", `/contacts/${a.id}/props/?key=pan`);
    expect(del.status).toBe(204);
    expect((await createBlocking({ props: [prop("pan", pan)] })).status).toBe(201);
  });

  it("a contact with no identity document is created in block mode", async () => {
    const res = await createBlocking({ props: [] });
    expect(res.status, res.text).toBe(201);
  });

  it("two concurrent creates with the same new PAN: exactly one 201 and one 409", async () => {
    for (let round = 0; round < 3; round++) {
      const pan = newPan();
      const before = await contactCount();
      const [x, y] = await Promise.all([
        createBlocking({ props: [prop("pan", pan)] }),
        createBlocking({ props: [prop("pan_no", pan.toLowerCase())] }),
      ]);
      expect([x.status, y.status].sort(), `${x.text} ${y.text}`).toEqual([201, 409]);
      expect(await contactCount()).toBe(before + 1);
      const created = x.status === 201 ? x : y;
      const refused = x.status === 409 ? x : y;
      expect(refused.body.type).toBe("/problems/duplicate");
      expect((refused.body.matches as Match[]).map((m) => m.contact.id)).toEqual([created.body.id]);
    }
  });

  it("dedupe=bogus (or any other value) is 400", async () => {
    const before = await contactCount();
    for (const query of ["?dedupe=bogus", "?dedupe=BLOCK", "?dedupe="]) {
      const res = await createBlocking({ props: [prop("pan", newPan())] }, query);
      expect(res.status, `${query}: ${res.text}`).toBe(400);
      expect(res.body.type).toBe("/problems/validation");
    }
    expect(await contactCount()).toBe(before);
  });

  it("an unknown namespace in block mode is 400, not 409", async () => {
    const pan = newPan();
    await createContact({ props: [prop("pan", pan)] });
    const res = await createBlocking({ namespace: unique("nope"), props: [prop("pan", pan)] });
    expect(res.status, res.text).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------
// Auth and tenancy
// ---------------------------------------------------------------------------------------------

let t1Contact: string | undefined;
authAndTenancyCases("POST /contacts/dedupe/", {
  method: "POST",
  path: DEDUPE,
  body: async () => {
    t1Contact ??= (await createContact({ props: [prop("pan", newPan())] })).id;
    return { contact_id: t1Contact };
  },
  scope: "contacts:read",
  tenancy: { expect: "not_found" },
});
