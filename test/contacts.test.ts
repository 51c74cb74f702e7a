import { describe, expect, it } from "vitest";
import { type ApiResponse, api } from "./helpers/api";
import { authAndTenancyCases } from "./helpers/auth-cases";
import {
  type Audit,
  BAD_PAGE_PARAMS,
  contactBody,
  createNamespace,
  errorPaths,
  expectInvalid,
  expectProblem,
  type HistoryEntry,
  historyOf,
  ids,
  type Namespace,
  pageEnvelope,
  sleep,
  UNKNOWN_ID,
  unique,
} from "./helpers/fixtures";
import { token } from "./helpers/tokens";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const YEAR = new Date().getUTCFullYear();

type Prop = { key: string; value: string; type: string };
type Contact = Audit & {
  name: string;
  namespace: string;
  namespace_id: string;
  ref_id: string | null;
  status: string;
  type: string;
  approval_status: string;
  tags: string[];
  refs: Record<string, unknown> | null;
  props: Prop[];
  rm_id: string | null;
  branch_id: string | null;
};

async function counter(nsId: string, tenant?: string): Promise<number> {
  const res = await api("GET", `/namespaces/${nsId}/`, { tenant });
  expect(res.status).toBe(200);
  return res.body.contact_counter;
}

async function createContact(
  namespace: string,
  overrides: Record<string, unknown> = {},
  tenant?: string,
): Promise<Contact> {
  const res = await api("POST", "/contacts/", { body: contactBody(namespace, overrides), tenant });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function getContact(id: string, tenant?: string): Promise<Contact> {
  const res = await api("GET", `/contacts/${id}/`, { tenant });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const names = (res: ApiResponse) => res.body.results.map((c: { name: string }) => c.name);

/** A namespace of tenant t1 shared by tests that do not count anything in it. */
let sharedNs: Promise<Namespace> | undefined;
const shared = () => {
  sharedNs ??= createNamespace({ name: unique("Shared") });
  return sharedNs;
};

const DOCUMENTED_FIELDS = [
  "id",
  "name",
  "namespace",
  "ref_id",
  "status",
  "type",
  "approval_status",
  "tags",
  "refs",
  "props",
  "rm_id",
  "branch_id",
  "tenant_id",
  "created_at",
  "created_by",
  "updated_at",
  "updated_by",
];

const ENVELOPE_KEYS = [
  "count",
  "current_page",
  "has_next",
  "has_previous",
  "next_page",
  "previous_page",
  "results",
  "total_pages",
];

// ---------------------------------------------------------------------------------------------
// 1. Create
// ---------------------------------------------------------------------------------------------

describe("contacts: create", () => {
  it("creates a contact with every field and reads it back", async () => {
    const ns = await shared();
    const body = {
      name: "Ramesh Kumar",
      namespace: ns.name,
      status: "active",
      type: "individual",
      tags: ["vip", "msme"],
      refs: { crm_id: "C-7781", nested: { a: [1, 2] } },
      props: [
        { key: "pan_no", value: "ABCPK1234F", type: "text" },
        { key: "income", value: "-3.5", type: "number" },
      ],
      rm_id: "RM_102",
      branch_id: "BLR-01",
      ref_id: "EXT/2025_01.a-1",
    };
    const res = await api("POST", "/contacts/", { body });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.body).toMatchObject({
      ...body,
      namespace: ns.name,
      namespace_id: ns.id,
      approval_status: "pending",
      tenant_id: "t1",
      created_by: "u1",
      updated_by: null,
      version: 1,
    });
    expect(Object.keys(res.body)).toEqual(expect.arrayContaining(DOCUMENTED_FIELDS));
    for (const absent of ["addresses", "banks", "relations"]) expect(res.body).not.toHaveProperty(absent);
    expect(res.body.id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(res.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(res.body.updated_at).toBe(res.body.created_at);
    expect(await getContact(res.body.id)).toEqual(res.body);
  });

  it("defaults: no tags -> [], no refs -> null, optional strings absent -> null", async () => {
    const ns = await shared();
    const c = await createContact(ns.name);
    expect(c).toMatchObject({ tags: [], refs: null, props: [], rm_id: null, branch_id: null, ref_id: null });
  });

  it("blank optional strings are stored as null; text fields are trimmed", async () => {
    const ns = await shared();
    const c = await createContact(ns.name, {
      name: "  Sita   Devi  ",
      rm_id: "",
      branch_id: "",
      ref_id: "",
      tags: [" vip "],
      props: [{ key: " city ", value: " X1 ", type: "text" }],
    });
    expect(c.name).toBe("Sita   Devi");
    expect(c.rm_id).toBeNull();
    expect(c.branch_id).toBeNull();
    expect(c.ref_id).toBeNull();
    expect(c.tags).toEqual(["vip"]);
    expect(c.props).toEqual([{ key: "city", value: "X1", type: "text" }]);
    const back = await getContact(c.id);
    expect(back).toMatchObject({ rm_id: null, branch_id: null, ref_id: null });
  });

  it("null optional fields are accepted and stored as null", async () => {
    const ns = await shared();
    const c = await createContact(ns.name, { rm_id: null, branch_id: null, ref_id: null, refs: null });
    expect(c).toMatchObject({ rm_id: null, branch_id: null, ref_id: null, refs: null });
  });

  it("ignores read-only fields (id, tenant_id, created_*, updated_*, version, approval_status)", async () => {
    const ns = await shared();
    const res = await api("POST", "/contacts/", {
      body: contactBody(ns.name, {
        id: UNKNOWN_ID,
        tenant_id: "mallory",
        created_at: "2001-01-01T00:00:00.000Z",
        created_by: "mallory",
        updated_at: "2001-01-01T00:00:00.000Z",
        updated_by: "mallory",
        version: 42,
        approval_status: "approved",
      }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).not.toBe(UNKNOWN_ID);
    expect(res.body).toMatchObject({
      tenant_id: "t1",
      created_by: "u1",
      updated_by: null,
      version: 1,
      approval_status: "pending",
    });
    expect(res.body.created_at).not.toBe("2001-01-01T00:00:00.000Z");
    expect(res.body.updated_at).toBe(res.body.created_at);
    expect((await api("GET", `/contacts/${UNKNOWN_ID}/`)).status).toBe(404);
  });

  it("records the token's user as created_by", async () => {
    const ns = await shared();
    const res = await api("POST", "/contacts/", {
      body: contactBody(ns.name),
      token: await token({ sub: "user-42" }),
    });
    expect(res.status).toBe(201);
    expect(res.body.created_by).toBe("user-42");
    expect(res.body.updated_by).toBeNull();
  });

  it("namespace is matched by name, case-insensitively", async () => {
    const ns = await createNamespace({ name: unique("Vayana") });
    const c = await createContact(ns.name.toUpperCase());
    expect(c.namespace).toBe(ns.name);
    expect(c.namespace_id).toBe(ns.id);
  });

  it("namespaces of another tenant are unknown (400 namespace)", async () => {
    const other = await createNamespace({}, "t2");
    const res = await api("POST", "/contacts/", { body: contactBody(other.name) });
    expectInvalid(res, ["namespace"]);
  });

  // One passing case per rule.
  const passing: [string, Record<string, unknown>, (c: Contact) => void][] = [
    [
      "a Devanagari name with vowel signs",
      { name: "सीता रामेश्वर" },
      (c) => expect(c.name).toBe("सीता रामेश्वर"),
    ],
    ["a Tamil name with marks", { name: "முருகன் செல்வம்" }, (c) => expect(c.name).toBe("முருகன் செல்வம்")],
    [
      "a name with a combining mark (NFD)",
      { name: "Jose\u0301 Garci\u0301a" },
      (c) => expect(c.name).toBe("Jose\u0301 Garci\u0301a"),
    ],
    [
      "a name with every allowed punctuation and digits",
      { name: "O'Brien & Sons (India) Pvt. Ltd., Unit-2" },
      (c) => expect(c.name).toBe("O'Brien & Sons (India) Pvt. Ltd., Unit-2"),
    ],
    ["a name of 100 characters", { name: "a".repeat(100) }, (c) => expect(c.name).toHaveLength(100)],
    ["a name of 1 character", { name: "A" }, (c) => expect(c.name).toBe("A")],
    ["status inactive", { status: "inactive" }, (c) => expect(c.status).toBe("inactive")],
    ["type corporate", { type: "corporate" }, (c) => expect(c.type).toBe("corporate")],
    [
      "50 unique tags of 50 characters",
      { tags: Array.from({ length: 50 }, (_, i) => `${i}`.padStart(50, "t")) },
      (c) => expect(c.tags).toHaveLength(50),
    ],
    ["a tag of 1 character", { tags: ["a"] }, (c) => expect(c.tags).toEqual(["a"])],
    ["an empty tags list", { tags: [] }, (c) => expect(c.tags).toEqual([])],
    [
      "refs of exactly 8 KiB serialised",
      { refs: { a: "x".repeat(8192 - 8) } },
      (c) => expect(JSON.stringify(c.refs)).toHaveLength(8192),
    ],
    [
      "refs with control characters in values",
      { refs: { note: "line1\nline2\ttab" } },
      (c) => expect(c.refs).toEqual({ note: "line1\nline2\ttab" }),
    ],
    [
      "100 props",
      { props: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: "v", type: "text" })) },
      (c) => expect(c.props).toHaveLength(100),
    ],
    [
      "a prop key with every allowed character",
      { props: [{ key: "Father's name (as per PAN), no.-&_ 1", value: "x", type: "text" }] },
      (c) => expect(c.props[0]?.key).toBe("Father's name (as per PAN), no.-&_ 1"),
    ],
    [
      "a prop key of 100 characters",
      { props: [{ key: "k".repeat(100), value: "x", type: "text" }] },
      (c) => expect(c.props[0]?.key).toHaveLength(100),
    ],
    [
      "a prop value of 500 characters",
      { props: [{ key: "k", value: "v".repeat(500), type: "text" }] },
      (c) => expect(c.props[0]?.value).toHaveLength(500),
    ],
    [
      "a text prop in any script",
      { props: [{ key: "k", value: "सीता ✓", type: "text" }] },
      (c) => expect(c.props[0]?.value).toBe("सीता ✓"),
    ],
    [
      "number props (integer, negative decimal)",
      {
        props: [
          { key: "a", value: "42", type: "number" },
          { key: "b", value: "-3.5", type: "number" },
        ],
      },
      (c) => expect(c.props.map((p) => p.value)).toEqual(["42", "-3.5"]),
    ],
    [
      "boolean props true and false",
      {
        props: [
          { key: "a", value: "true", type: "boolean" },
          { key: "b", value: "false", type: "boolean" },
        ],
      },
      (c) => expect(c.props.map((p) => p.value)).toEqual(["true", "false"]),
    ],
    [
      "file props: an https URL and a storage key",
      {
        props: [
          { key: "a", value: "https://files.example.com/kyc/pan.pdf?v=1", type: "file" },
          { key: "b", value: "tenant/kyc/pan_01.pdf", type: "file" },
        ],
      },
      (c) => expect(c.props.map((p) => p.type)).toEqual(["file", "file"]),
    ],
    ["rm_id of 50 characters", { rm_id: `RM_-${"a".repeat(46)}` }, (c) => expect(c.rm_id).toHaveLength(50)],
    ["branch_id with _ and -", { branch_id: "BLR-01_a" }, (c) => expect(c.branch_id).toBe("BLR-01_a")],
    [
      "ref_id of 50 characters with / _ . -",
      { ref_id: `A/b_c.d-${"9".repeat(42)}` },
      (c) => expect(c.ref_id).toHaveLength(50),
    ],
  ];
  for (const [label, overrides, check] of passing) {
    it(`accepts ${label}`, async () => {
      const ns = await shared();
      const res = await api("POST", "/contacts/", { body: contactBody(ns.name, overrides) });
      expect(res.status, res.text).toBe(201);
      check(res.body);
    });
  }

  // One failing case (at least) per rule, with the field path that names it.
  const prop = (p: Record<string, unknown>) => ({ props: [{ key: "k", value: "v", type: "text", ...p }] });
  const failing: [string, Record<string, unknown>, string[]][] = [
    ["a missing name", { name: undefined }, ["name"]],
    ["an empty name", { name: "" }, ["name"]],
    ["a blank name", { name: "   " }, ["name"]],
    ["a name of 101 characters", { name: "a".repeat(101) }, ["name"]],
    ["a name with <script>", { name: "<script>alert(1)</script>" }, ["name"]],
    ["a name with an emoji", { name: "Sita 😀" }, ["name"]],
    ["a name with a NUL", { name: "Sita\u0000Ram" }, ["name"]],
    ["a name with a newline inside", { name: "Sita\nRam" }, ["name"]],
    ["a name with a bell", { name: "Sita\u0007" }, ["name"]],
    ["a name with a slash", { name: "A/B" }, ["name"]],
    ["a name of the wrong type", { name: 5 }, ["name"]],
    ["a missing namespace", { namespace: undefined }, ["namespace"]],
    ["an unknown namespace", { namespace: "no-such-namespace-anywhere" }, ["namespace"]],
    ["a namespace of the wrong type", { namespace: 7 }, ["namespace"]],
    ["a missing status", { status: undefined }, ["status"]],
    ["status Active (case-sensitive)", { status: "Active" }, ["status"]],
    ["status ACTIVE", { status: "ACTIVE" }, ["status"]],
    ["status pending", { status: "pending" }, ["status"]],
    ["status as a number", { status: 1 }, ["status"]],
    ["a missing type", { type: undefined }, ["type"]],
    ["type Individual (case-sensitive)", { type: "Individual" }, ["type"]],
    ["type person", { type: "person" }, ["type"]],
    ["tags as a string", { tags: "a" }, ["tags"]],
    ["duplicate tags", { tags: ["vip", "vip"] }, ["tags"]],
    ["duplicate tags after trimming", { tags: ["vip", " vip"] }, ["tags"]],
    ["an empty tag", { tags: [""] }, ["tags.0"]],
    ["a tag of 51 characters", { tags: ["t".repeat(51)] }, ["tags.0"]],
    ["a tag of the wrong type", { tags: [1] }, ["tags.0"]],
    ["a tag with a control character", { tags: ["a\u0001b"] }, ["tags.0"]],
    ["51 tags", { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, ["tags"]],
    ["refs over 8 KiB", { refs: { a: "x".repeat(8192 - 7) } }, ["refs"]],
    ["refs as a string", { refs: "x" }, ["refs"]],
    ["refs as an array", { refs: [1, 2] }, ["refs"]],
    ["missing props", { props: undefined }, ["props"]],
    ["props as an object", { props: {} }, ["props"]],
    ["props as a string", { props: "a" }, ["props"]],
    ["a props item that is not an object", { props: ["a"] }, ["props.0"]],
    ["a prop key with a slash", prop({ key: "pan/no" }), ["props.0.key"]],
    ["a prop key in Devanagari (ASCII only)", prop({ key: "नाम" }), ["props.0.key"]],
    ["an empty prop key", prop({ key: "" }), ["props.0.key"]],
    ["a prop key of 101 characters", prop({ key: "k".repeat(101) }), ["props.0.key"]],
    ["a missing prop key", prop({ key: undefined }), ["props.0.key"]],
    ["an empty prop value", prop({ value: "" }), ["props.0.value"]],
    ["a prop value of 501 characters", prop({ value: "v".repeat(501) }), ["props.0.value"]],
    ["a prop value that is a number", prop({ value: 5 }), ["props.0.value"]],
    ["a prop value with a control character", prop({ value: "a\u0000b" }), ["props.0.value"]],
    ["a prop type TEXT (case-sensitive)", prop({ type: "TEXT" }), ["props.0.type"]],
    ["a prop type date", prop({ type: "date" }), ["props.0.type"]],
    ["a missing prop type", prop({ type: undefined }), ["props.0.type"]],
    ["a number prop 1e5", prop({ value: "1e5", type: "number" }), ["props.0.value"]],
    ["a number prop 1.", prop({ value: "1.", type: "number" }), ["props.0.value"]],
    ["a number prop abc", prop({ value: "abc", type: "number" }), ["props.0.value"]],
    ["a boolean prop True", prop({ value: "True", type: "boolean" }), ["props.0.value"]],
    ["a boolean prop 1", prop({ value: "1", type: "boolean" }), ["props.0.value"]],
    ["a file prop over http://", prop({ value: "http://x.example/a.pdf", type: "file" }), ["props.0.value"]],
    ["a file prop with ftp://", prop({ value: "ftp://x.example/a", type: "file" }), ["props.0.value"]],
    ["a file key with a space", prop({ value: "kyc/pan card.pdf", type: "file" }), ["props.0.value"]],
    ["a props item with an unknown field", prop({ extra: 1 }), ["props.0.extra"]],
    [
      "duplicate prop keys",
      {
        props: [
          { key: "a", value: "1", type: "text" },
          { key: "a", value: "2", type: "text" },
        ],
      },
      ["props.1.key"],
    ],
    [
      "101 props",
      { props: Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, value: "v", type: "text" })) },
      ["props"],
    ],
    ["rm_id with a space", { rm_id: "RM 1" }, ["rm_id"]],
    ["rm_id of 51 characters", { rm_id: "r".repeat(51) }, ["rm_id"]],
    ["rm_id as a number", { rm_id: 5 }, ["rm_id"]],
    ["branch_id with a slash", { branch_id: "BLR/01" }, ["branch_id"]],
    ["branch_id with a dot", { branch_id: "BLR.01" }, ["branch_id"]],
    ["ref_id with a space", { ref_id: "A B" }, ["ref_id"]],
    ["ref_id with #", { ref_id: "A#1" }, ["ref_id"]],
    ["ref_id of 51 characters", { ref_id: "r".repeat(51) }, ["ref_id"]],
    ["ref_id as a number", { ref_id: 12 }, ["ref_id"]],
    ["an unknown field", { colour: "red" }, ["colour"]],
  ];
  for (const [label, overrides, paths] of failing) {
    it(`400 for ${label}`, async () => {
      const ns = await shared();
      const res = await api("POST", "/contacts/", { body: contactBody(ns.name, overrides) });
      expectInvalid(res, paths);
      expect(res.body.instance).toBe("/contacts/");
    });
  }

  it("lists every invalid field, not just the first", async () => {
    const res = await api("POST", "/contacts/", {
      body: { name: "", status: "on", type: "x", props: [{ key: "", value: "", type: "y" }], extra: 1 },
    });
    expectInvalid(res, [
      "name",
      "namespace",
      "status",
      "type",
      "props.0.key",
      "props.0.value",
      "props.0.type",
      "extra",
    ]);
    expect(res.body.detail).toBe("8 fields are invalid");
  });

  it("malformed JSON is 400 malformed_json; a non-object body is 400", async () => {
    const bad = await api("POST", "/contacts/", {
      rawBody: '{"name": ',
      headers: { "content-type": "application/json" },
    });
    expectProblem(bad, 400, "/problems/malformed_json");
    const arr = await api("POST", "/contacts/", { body: [1] });
    expectProblem(arr, 400, "/problems/validation");
  });

  it("a refused create writes nothing (no contact, counter unchanged)", async () => {
    const tenant = unique("tc");
    const ns = await createNamespace({ contact_pattern: "R{seq}" }, tenant);
    const res = await api("POST", "/contacts/", {
      body: contactBody(ns.name, { status: "nope" }),
      tenant,
    });
    expect(res.status).toBe(400);
    expect(await counter(ns.id, tenant)).toBe(1);
    expect((await api("GET", "/contacts/", { tenant })).body.count).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. ref_id
// ---------------------------------------------------------------------------------------------

describe("contacts: ref_id", () => {
  it("is generated from CUST-{yyyy}-{seq:6} with the current UTC year, and the counter advances", async () => {
    const ns = await createNamespace({ contact_pattern: "CUST-{yyyy}-{seq:6}" });
    const a = await createContact(ns.name);
    const b = await createContact(ns.name);
    expect(a.ref_id).toBe(`CUST-${YEAR}-000001`);
    expect(b.ref_id).toBe(`CUST-${YEAR}-000002`);
    expect(await counter(ns.id)).toBe(3);
  });

  it("{seq} is unpadded and starts at the namespace's counter; date placeholders are UTC", async () => {
    const ns = await createNamespace({ contact_pattern: "N{seq}", contact_counter: 7 });
    expect((await createContact(ns.name)).ref_id).toBe("N7");
    expect((await createContact(ns.name)).ref_id).toBe("N8");
    const now = new Date();
    const dated = await createNamespace({ contact_pattern: "{yy}{mm}{dd}/{seq:2}" });
    const c = await createContact(dated.name);
    const yy = String(now.getUTCFullYear()).slice(2);
    const mm = String(now.getUTCMonth() + 1).padStart(2, "0");
    const dd = String(now.getUTCDate()).padStart(2, "0");
    expect(c.ref_id).toBe(`${yy}${mm}${dd}/01`);
  });

  it("is null when the namespace has no pattern, and the counter does not move", async () => {
    const ns = await createNamespace();
    const c = await createContact(ns.name);
    expect(c.ref_id).toBeNull();
    expect(await counter(ns.id)).toBe(1);
  });

  it("a blank or null ref_id is generated", async () => {
    const ns = await createNamespace({ contact_pattern: "B-{seq}" });
    expect((await createContact(ns.name, { ref_id: "" })).ref_id).toBe("B-1");
    expect((await createContact(ns.name, { ref_id: null })).ref_id).toBe("B-2");
  });

  it("a whitespace-only ref_id is blank (trimmed) and generated too", async () => {
    const ns = await createNamespace({ contact_pattern: "W-{seq}" });
    expect((await createContact(ns.name, { ref_id: "   " })).ref_id).toBe("W-1");
  });

  it("a client ref_id is kept and does not advance the counter", async () => {
    const ns = await createNamespace({ contact_pattern: "K-{seq}" });
    const c = await createContact(ns.name, { ref_id: "MY-REF-1" });
    expect(c.ref_id).toBe("MY-REF-1");
    expect(await counter(ns.id)).toBe(1);
    expect((await createContact(ns.name)).ref_id).toBe("K-1");
    expect(await counter(ns.id)).toBe(2);
  });

  it("a duplicate client ref_id in one namespace is 409; another namespace or tenant may use it", async () => {
    const a = await createNamespace();
    const b = await createNamespace();
    const ref = unique("REF");
    await createContact(a.name, { ref_id: ref });
    const dup = await api("POST", "/contacts/", { body: contactBody(a.name, { ref_id: ref }) });
    expectProblem(dup, 409, "/problems/conflict");
    expect((await createContact(b.name, { ref_id: ref })).ref_id).toBe(ref);
    const t2ns = await createNamespace({ name: a.name }, "t2");
    expect((await createContact(t2ns.name, { ref_id: ref }, "t2")).ref_id).toBe(ref);
    const list = await api("GET", `/contacts/?namespace=${encodeURIComponent(a.name)}`);
    expect(list.body.count).toBe(1);
  });

  it("a generated ref_id never collides with a client one", async () => {
    const ns = await createNamespace({ contact_pattern: "P-{seq}" });
    await createContact(ns.name, { ref_id: "P-2" });
    const first = await createContact(ns.name);
    const second = await createContact(ns.name);
    expect(first.ref_id).toBe("P-1");
    expect(second.ref_id).not.toBe("P-2");
    expect(second.ref_id).toMatch(/^P-\d+$/);
  });

  it("the counter advances by exactly the number of generated ids", async () => {
    const tenant = unique("tref");
    const ns = await createNamespace({ contact_pattern: "G{seq:3}", contact_counter: 10 }, tenant);
    for (let i = 0; i < 3; i++) await createContact(ns.name, {}, tenant);
    await createContact(ns.name, { ref_id: "C1" }, tenant);
    await createContact(ns.name, { ref_id: "C2" }, tenant);
    expect(
      (await api("POST", "/contacts/", { body: contactBody(ns.name, { ref_id: "C1" }), tenant })).status,
    ).toBe(409);
    expect(
      (await api("POST", "/contacts/", { body: contactBody(ns.name, { type: "x" }), tenant })).status,
    ).toBe(400);
    expect(await counter(ns.id, tenant)).toBe(13);
    const list = await api("GET", "/contacts/?ordering=created_at", { tenant });
    expect(list.body.results.map((c: Contact) => c.ref_id)).toEqual(["G010", "G011", "G012", "C1", "C2"]);
  });

  it("50 concurrent creates in one namespace get 50 distinct, consecutive ref_ids", async () => {
    const tenant = unique("tconc");
    const ns = await createNamespace(
      { contact_pattern: "CUST-{yyyy}-{seq:6}", contact_counter: 100 },
      tenant,
    );
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api("POST", "/contacts/", { body: contactBody(ns.name, { name: `Concurrent ${i}` }), tenant }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const refs = responses.map((r) => r.body.ref_id as string).sort();
    expect(new Set(refs).size).toBe(50);
    expect(refs).toEqual(
      Array.from({ length: 50 }, (_, i) => `CUST-${YEAR}-${String(100 + i).padStart(6, "0")}`),
    );
    expect(await counter(ns.id, tenant)).toBe(150);
    expect((await api("GET", "/contacts/", { tenant })).body.count).toBe(50);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Retrieve
// ---------------------------------------------------------------------------------------------

describe("contacts: retrieve", () => {
  it("with and without the trailing slash, and with a lower-case id", async () => {
    const c = await createContact((await shared()).name, { tags: ["x"] });
    for (const path of [`/contacts/${c.id}/`, `/contacts/${c.id}`, `/contacts/${c.id.toLowerCase()}/`]) {
      const res = await api("GET", path);
      expect(res.status, path).toBe(200);
      expect(res.body).toEqual(c);
    }
  });

  it("a malformed id is 404, an unknown id is 404", async () => {
    for (const path of [
      "/contacts/not-a-ulid/",
      "/contacts/01ARZ3NDEKTSV4RRFFQ69G5FA/",
      `/contacts/${UNKNOWN_ID}/`,
    ]) {
      const res = await api("GET", path);
      expectProblem(res, 404, "/problems/not_found");
    }
  });

  it("expand=props is accepted; an unknown expand value is 400", async () => {
    const c = await createContact((await shared()).name, {
      props: [{ key: "a", value: "1", type: "number" }],
    });
    const ok = await api("GET", `/contacts/${c.id}/?expand=props`);
    expect(ok.status).toBe(200);
    expect(ok.body.props).toEqual(c.props);
    const bad = await api("GET", `/contacts/${c.id}/?expand=foo`);
    expectInvalid(bad, ["expand"]);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. PATCH
// ---------------------------------------------------------------------------------------------

describe("contacts: PATCH", () => {
  const full = async () =>
    createContact((await shared()).name, {
      name: "Sita Devi",
      tags: ["a", "b"],
      refs: { crm: "1" },
      props: [
        { key: "p1", value: "1", type: "number" },
        { key: "p2", value: "x", type: "text" },
      ],
      rm_id: "RM1",
      branch_id: "BR1",
    });
  const patch = (id: string, body: unknown, options: { tenant?: string; token?: string } = {}) =>
    api("PATCH", `/contacts/${id}/`, { body, ...options });

  it("changes only the fields sent and writes one `updated` entry with [old, new]", async () => {
    const c = await full();
    await sleep(2);
    const res = await patch(c.id, { name: "Sita Devi Sharma" }, { token: await token({ sub: "u2" }) });
    expect(res.status, res.text).toBe(200);
    const { name, version, updated_at, updated_by, ...rest } = res.body;
    const { name: _n, version: _v, updated_at: _u, updated_by: _b, ...before } = c;
    expect(rest).toEqual(before);
    expect(name).toBe("Sita Devi Sharma");
    expect(version).toBe(2);
    expect(updated_by).toBe("u2");
    expect(updated_at > c.created_at).toBe(true);
    expect(await getContact(c.id)).toEqual(res.body);
    const history = await historyOf(c.id);
    expect(history.map((h) => h.action)).toEqual(["updated", "created"]);
    expect(history[0]).toMatchObject({
      actor: "u2",
      at: updated_at,
      changes: { name: ["Sita Devi", "Sita Devi Sharma"] },
      reason: null,
    });
  });

  // With an unchanged name the PATCH reads first and diffs in JS; without it the database compares the
  // fields in one round trip (updatePlainFields). Both answer and record the same.
  for (const [path, extra] of [
    ["read first", { name: "Sita Devi" }],
    ["one round trip", {}],
  ] as const) {
    it(`lists exactly the changed fields in one entry (${path})`, async () => {
      const c = await full();
      const res = await patch(c.id, {
        ...extra,
        tags: ["b", "c"],
        rm_id: "RM2",
        branch_id: "",
        refs: { crm: "1" },
        type: "corporate",
        status: "active",
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({
        tags: ["b", "c"],
        rm_id: "RM2",
        branch_id: null,
        type: "corporate",
        version: 2,
      });
      expect(await getContact(c.id)).toEqual(res.body);
      const [last] = await historyOf(c.id);
      expect(last).toMatchObject({ action: "updated", at: res.body.updated_at, reason: null });
      expect(last?.changes).toEqual({
        tags: [
          ["a", "b"],
          ["b", "c"],
        ],
        rm_id: ["RM1", "RM2"],
        branch_id: ["BR1", null],
        type: ["individual", "corporate"],
      });
    });
  }

  it("every write answers the contact exactly as stored (a GET after it reads the same)", async () => {
    const c = await full();
    const other = await createNamespace({ name: unique("Moved") });
    const steps: [string, string, unknown][] = [
      [
        "PATCH",
        `/contacts/${c.id}/`,
        {
          name: "Sita  Devi Rao",
          namespace: other.name.toUpperCase(),
          tags: ["z", "y"],
          refs: null,
          branch_id: "",
          status: "inactive",
          props: [
            { key: "pan", value: "ABCPK1234F", type: "text" },
            { key: "mobile", value: "+91 98123 45678", type: "text" },
            { key: "aadhaar_no", value: "2345 6789 0124", type: "text" },
            { key: "p1", value: "2", type: "number" },
          ],
        },
      ],
      ["PATCH", `/contacts/${c.id}/`, { status: "active" }],
      ["PUT", `/contacts/${c.id}/props/`, [{ key: "p4", value: "x", type: "text" }]],
      ["DELETE", `/contacts/${c.id}/props/?key=p1`, undefined],
      ["PUT", `/contacts/${c.id}/approve/`, { reason: "kyc" }],
    ];
    for (const [method, path, body] of steps) {
      const res = await api(method, path, body === undefined ? {} : { body });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(method === "DELETE" ? 204 : 200);
      const after = await getContact(c.id);
      if (path.includes("/props/")) {
        if (method === "PUT") expect(res.body, path).toEqual({ contact_id: c.id, props: after.props });
        expect(after.props.map((p) => p.key)).not.toContain(method === "DELETE" ? "p1" : "none");
      } else expect(res.body, `${method} ${path}`).toEqual(after);
    }
    expect((await getContact(c.id)).namespace).toBe(other.name);
  });

  it("props replace the whole set; tags replace the list", async () => {
    const c = await full();
    const props = [{ key: "p3", value: "true", type: "boolean" }];
    const res = await patch(c.id, { props, tags: [] });
    expect(res.status).toBe(200);
    expect(res.body.props).toEqual(props);
    expect(res.body.tags).toEqual([]);
    const [last] = await historyOf(c.id);
    expect(last?.changes).toEqual({ props: [c.props, props], tags: [["a", "b"], []] });
  });

  it("refs may be replaced and cleared with null", async () => {
    const c = await full();
    const res = await patch(c.id, { refs: { crm: "2" } });
    expect(res.body.refs).toEqual({ crm: "2" });
    const cleared = await patch(c.id, { refs: null });
    expect(cleared.body.refs).toBeNull();
    expect(cleared.body.version).toBe(3);
  });

  it("version increments by exactly 1 per change", async () => {
    const c = await full();
    for (let i = 1; i <= 3; i++) {
      const res = await patch(c.id, { name: `Name ${i}` });
      expect(res.body.version).toBe(1 + i);
    }
  });

  it("a PATCH that changes nothing writes no history and keeps version and updated_at", async () => {
    const created = await full();
    const c = (await patch(created.id, { refs: { a: "1", b: { x: [2, 1], y: 1 } } })).body;
    expect(JSON.stringify(c.refs)).toBe('{"a":"1","b":{"x":[2,1],"y":1}}');
    await sleep(2);
    for (const body of [
      {},
      { name: "Sita Devi", tags: ["a", "b"], status: "active", rm_id: "RM1", namespace: c.namespace },
      { props: c.props, refs: c.refs },
      // props are a set keyed by `key`: another order is no change (the stored order stays)
      { props: [...c.props].reverse() },
      // a JSON object is unordered: refs with their keys in another order are the same refs
      { refs: { b: { y: 1, x: [2, 1] }, a: "1" } },
      { refs: { a: "1", b: { x: [2, 1], y: 1 } }, rm_id: "RM1" },
      { namespace: c.namespace.toUpperCase() },
      { approval_status: "approved" },
    ]) {
      const res = await patch(c.id, body);
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(res.body).toEqual(c);
    }
    expect((await historyOf(c.id)).map((h) => h.action)).toEqual(["updated", "created"]);
  });

  it("approval_status in the body is ignored", async () => {
    const c = await full();
    const res = await patch(c.id, { approval_status: "approved", name: "Changed Name" });
    expect(res.status).toBe(200);
    expect(res.body.approval_status).toBe("pending");
    const [last] = await historyOf(c.id);
    expect(last?.changes).toEqual({ name: ["Sita Devi", "Changed Name"] });
  });

  it("a client may send back what it read (read-only fields ignored)", async () => {
    const c = await full();
    const res = await patch(c.id, { ...c, name: "Round Trip" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.name).toBe("Round Trip");
    expect(res.body.version).toBe(2);
    expect(res.body.created_by).toBe("u1");
  });

  it("status via PATCH writes `deactivated` / `activated`; with other fields it is `updated`", async () => {
    const c = await full();
    const off = await patch(c.id, { status: "inactive" });
    expect(off.body.status).toBe("inactive");
    let [last] = await historyOf(c.id);
    expect(last).toMatchObject({ action: "deactivated", changes: { status: ["active", "inactive"] } });
    await patch(c.id, { status: "active" });
    [last] = await historyOf(c.id);
    expect(last).toMatchObject({ action: "activated", changes: { status: ["inactive", "active"] } });
    await patch(c.id, { status: "inactive", name: "Other Name" });
    [last] = await historyOf(c.id);
    expect(last?.action).toBe("updated");
    expect(last?.changes).toEqual({ status: ["active", "inactive"], name: ["Sita Devi", "Other Name"] });
    expect((await historyOf(c.id)).length).toBe(4);
  });

  // A PATCH of only status, type, tags, refs, rm_id, branch_id and ref_id is written without a read
  // first: the database compares each field with the stored one (contacts.repository, updatePlainFields).
  describe("of fields nothing is derived from (one round trip)", () => {
    it("a PATCH equal to what is stored writes nothing: same version, no history", async () => {
      const c = await full();
      await sleep(2);
      for (const body of [
        { tags: ["a", "b"], status: "active", rm_id: "RM1", branch_id: "BR1", type: "individual" },
        { refs: { crm: "1" }, ref_id: c.ref_id },
        { ...c, approval_status: "approved", name: undefined, namespace: undefined, props: undefined },
      ]) {
        const res = await patch(c.id, body);
        expect(res.status, JSON.stringify(body)).toBe(200);
        expect(res.body).toEqual(c);
      }
      expect((await historyOf(c.id)).map((h) => h.action)).toEqual(["created"]);
    });

    it("JSON fields compare by value: refs and tags set, cleared and set again", async () => {
      const c = await full();
      const cleared = await patch(c.id, { refs: null, tags: [] });
      expect(cleared.body).toMatchObject({ refs: null, tags: [], version: 2 });
      expect((await historyOf(c.id))[0]?.changes).toEqual({
        refs: [{ crm: "1" }, null],
        tags: [["a", "b"], []],
      });
      expect((await patch(c.id, { refs: null, tags: [] })).body.version).toBe(2);
      const set = await patch(c.id, { refs: { crm: "2", nested: { n: 1 } } });
      expect(set.body).toMatchObject({ refs: { crm: "2", nested: { n: 1 } }, version: 3 });
      expect((await historyOf(c.id))[0]?.changes).toEqual({ refs: [null, { crm: "2", nested: { n: 1 } }] });
      expect((await patch(c.id, { refs: { crm: "2", nested: { n: 1 } } })).body.version).toBe(3);
    });

    it("status alone is `deactivated` / `activated`, also when the other fields sent are unchanged", async () => {
      const c = await full();
      await patch(c.id, { status: "inactive", rm_id: "RM1", tags: ["a", "b"] });
      let [last] = await historyOf(c.id);
      expect(last).toMatchObject({ action: "deactivated", changes: { status: ["active", "inactive"] } });
      await patch(c.id, { status: "active", rm_id: "RM3" });
      [last] = await historyOf(c.id);
      expect(last).toMatchObject({
        action: "updated",
        changes: { status: ["inactive", "active"], rm_id: ["RM1", "RM3"] },
      });
      await patch(c.id, { status: "active", rm_id: "RM4" });
      [last] = await historyOf(c.id);
      expect(last).toMatchObject({ action: "updated", changes: { rm_id: ["RM3", "RM4"] } });
    });

    it("an unknown contact is 404 and an erased one 409 contact_erased, with nothing written", async () => {
      expectProblem(await patch(UNKNOWN_ID, { rm_id: "RM9" }), 404, "/problems/not_found");
      const c = await full();
      expect((await api("POST", `/contacts/${c.id}/erase/`, { body: { reason: "DPDP" } })).status).toBe(200);
      const history = await historyOf(c.id);
      const before = await getContact(c.id);
      expectProblem(await patch(c.id, { rm_id: "RM9" }), 409, "/problems/contact_erased");
      expect(await getContact(c.id)).toEqual(before);
      expect(await historyOf(c.id)).toEqual(history);
    });
  });

  it("moves a contact to another namespace (by name, any case); ref_id stays", async () => {
    const a = await createNamespace({ contact_pattern: "MV-{seq}" });
    const b = await createNamespace();
    const c = await createContact(a.name);
    expect(c.ref_id).toBe("MV-1");
    const res = await patch(c.id, { namespace: b.name.toLowerCase() });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ namespace: b.name, namespace_id: b.id, ref_id: "MV-1", version: 2 });
    const [last] = await historyOf(c.id);
    expect(last).toMatchObject({ action: "updated", changes: { namespace: [a.name, b.name] } });
    const inB = await api("GET", `/contacts/?namespace=${encodeURIComponent(b.name)}`);
    expect(ids(inB)).toEqual([c.id]);
  });

  it("a move is 409 when the ref_id is taken in the target namespace, and changes nothing", async () => {
    const a = await createNamespace();
    const b = await createNamespace();
    const c = await createContact(a.name, { ref_id: "SAME-1" });
    await createContact(b.name, { ref_id: "SAME-1" });
    const res = await patch(c.id, { namespace: b.name, name: "Moved" });
    expectProblem(res, 409, "/problems/conflict");
    expect(await getContact(c.id)).toEqual(c);
    expect((await historyOf(c.id)).length).toBe(1);
  });

  it("a ref_id change to one taken in the namespace is 409", async () => {
    const a = await createNamespace();
    const c = await createContact(a.name, { ref_id: "R-1" });
    await createContact(a.name, { ref_id: "R-2" });
    expectProblem(await patch(c.id, { ref_id: "R-2" }), 409, "/problems/conflict");
    const ok = await patch(c.id, { ref_id: "R-3" });
    expect(ok.body.ref_id).toBe("R-3");
    const [last] = await historyOf(c.id);
    expect(last?.changes).toEqual({ ref_id: ["R-1", "R-3"] });
  });

  it("validates like create: unknown namespace, unknown fields, wrong types, bad values", async () => {
    const c = await full();
    const cases: [unknown, string[]][] = [
      [{ namespace: "no-such-namespace-xyz" }, ["namespace"]],
      [{ colour: "red" }, ["colour"]],
      [{ status: 1 }, ["status"]],
      [{ status: "Inactive" }, ["status"]],
      [{ tags: "a" }, ["tags"]],
      [{ props: {} }, ["props"]],
      [{ name: "" }, ["name"]],
      [{ name: null }, ["name"]],
      [{ name: "<b>" }, ["name"]],
      [{ props: [{ key: "a", value: "x", type: "number" }] }, ["props.0.value"]],
      [{ rm_id: "a b" }, ["rm_id"]],
      [{ type: null }, ["type"]],
    ];
    for (const [body, paths] of cases) {
      const res = await patch(c.id, body);
      expectInvalid(res, paths);
    }
    expect(await getContact(c.id)).toEqual(c);
  });

  it("an unknown or malformed id is 404", async () => {
    expectProblem(await patch(UNKNOWN_ID, { name: "X" }), 404, "/problems/not_found");
    expectProblem(await patch("nope", { name: "X" }), 404, "/problems/not_found");
  });

  it("search follows a renamed contact", async () => {
    const tenant = unique("tren");
    const ns = await createNamespace({}, tenant);
    const c = await createContact(ns.name, { name: "Anil Mehta" }, tenant);
    expect(ids(await api("GET", "/contacts/?search=anil", { tenant }))).toEqual([c.id]);
    await api("PATCH", `/contacts/${c.id}/`, { body: { name: "Zubin Mehta" }, tenant });
    expect(ids(await api("GET", "/contacts/?search=anil", { tenant }))).toEqual([]);
    expect(ids(await api("GET", "/contacts/?search=zub", { tenant }))).toEqual([c.id]);
    expect(ids(await api("GET", "/contacts/?search=mehta", { tenant }))).toEqual([c.id]);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Actions
// ---------------------------------------------------------------------------------------------

describe("contacts: actions", () => {
  const act = (id: string, name: string, body?: unknown) => api("PUT", `/contacts/${id}/${name}/`, { body });

  it("walks the transition table", async () => {
    const c = await createContact((await shared()).name);
    expect(c).toMatchObject({ status: "active", approval_status: "pending", version: 1 });

    let res = await act(c.id, "approve");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      approval_status: "approved",
      status: "active",
      version: 2,
      updated_by: "u1",
    });
    expect(await getContact(c.id)).toEqual(res.body);

    // approved -> rejected -> approved -> rejected: any direction while active
    res = await act(c.id, "reject");
    expect(res.body).toMatchObject({ approval_status: "rejected", version: 3 });
    res = await act(c.id, "approve");
    expect(res.body).toMatchObject({ approval_status: "approved", version: 4 });

    res = await act(c.id, "inactive");
    expect(res.body).toMatchObject({ status: "inactive", approval_status: "approved", version: 5 });

    // inactive: approve/reject are always 409, even when already approved
    const before = await getContact(c.id);
    for (const name of ["approve", "reject"]) {
      const refused = await act(c.id, name);
      expectProblem(refused, 409, "/problems/conflict");
    }
    expect(await getContact(c.id)).toEqual(before);

    res = await act(c.id, "active");
    expect(res.body).toMatchObject({ status: "active", version: 6 });
    res = await act(c.id, "reject");
    expect(res.body).toMatchObject({ approval_status: "rejected", version: 7 });

    const history = await historyOf(c.id);
    expect(history.map((h) => h.action)).toEqual([
      "rejected",
      "activated",
      "deactivated",
      "approved",
      "rejected",
      "approved",
      "created",
    ]);
    expect(history[0]?.changes).toEqual({ approval_status: ["approved", "rejected"] });
    expect(history[1]?.changes).toEqual({ status: ["inactive", "active"] });
    expect(history[2]?.changes).toEqual({ status: ["active", "inactive"] });
    expect(history[5]?.changes).toEqual({ approval_status: ["pending", "approved"] });
    expect(history.every((h) => h.reason === null)).toBe(true);
  });

  it("a contact created inactive cannot be approved or rejected (409)", async () => {
    const c = await createContact((await shared()).name, { status: "inactive" });
    expectProblem(await act(c.id, "approve"), 409, "/problems/conflict");
    expectProblem(await act(c.id, "reject"), 409, "/problems/conflict");
    expect(await getContact(c.id)).toEqual(c);
    expect((await historyOf(c.id)).length).toBe(1);
  });

  it("repeating the current state is a no-op 200 without history", async () => {
    const c = await createContact((await shared()).name);
    await sleep(2);
    const same = await act(c.id, "active");
    expect(same.status).toBe(200);
    expect(same.body).toEqual(c);
    const approved = (await act(c.id, "approve")).body;
    for (const [name, expected] of [
      ["approve", approved],
      ["approve", approved],
    ] as const) {
      const res = await act(c.id, name, { reason: "again" });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expected);
    }
    const off = (await act(c.id, "inactive")).body;
    const again = await act(c.id, "inactive");
    expect(again.status).toBe(200);
    expect(again.body).toEqual(off);
    expect((await historyOf(c.id)).map((h) => h.action)).toEqual(["deactivated", "approved", "created"]);
  });

  it("stores an optional reason in history; blank reason is null", async () => {
    const c = await createContact((await shared()).name);
    const reason = "r".repeat(500);
    expect((await act(c.id, "reject", { reason: "KYC documents missing" })).status).toBe(200);
    expect((await act(c.id, "approve", { reason })).status).toBe(200);
    expect((await act(c.id, "inactive", { reason: "" })).status).toBe(200);
    expect((await act(c.id, "active", { reason: null })).status).toBe(200);
    const history = await historyOf(c.id);
    expect(history.map((h) => [h.action, h.reason])).toEqual([
      ["activated", null],
      ["deactivated", null],
      ["approved", reason],
      ["rejected", "KYC documents missing"],
      ["created", null],
    ]);
  });

  it("accepts no body at all and an empty object", async () => {
    const c = await createContact((await shared()).name);
    const bare = await api("PUT", `/contacts/${c.id}/approve/`);
    expect(bare.status, bare.text).toBe(200);
    expect(bare.body.approval_status).toBe("approved");
    const empty = await act(c.id, "reject", {});
    expect(empty.status).toBe(200);
    expect(empty.body.approval_status).toBe("rejected");
  });

  it("400 for a reason over 500 characters, an unknown field, or a wrong type; nothing changes", async () => {
    const c = await createContact((await shared()).name);
    expectInvalid(await act(c.id, "approve", { reason: "r".repeat(501) }), ["reason"]);
    expectInvalid(await act(c.id, "inactive", { why: "x" }), ["why"]);
    expectInvalid(await act(c.id, "reject", { reason: 5 }), ["reason"]);
    expectInvalid(await act(c.id, "active", { reason: "a\u0000b" }), ["reason"]);
    expect(await getContact(c.id)).toEqual(c);
    expect((await historyOf(c.id)).length).toBe(1);
  });

  it("an unknown or malformed id is 404 for every action", async () => {
    for (const name of ["active", "inactive", "approve", "reject"]) {
      expectProblem(await act(UNKNOWN_ID, name), 404, "/problems/not_found");
      expectProblem(await act("bad-id", name), 404, "/problems/not_found");
    }
  });

  it("actions are served without the trailing slash too", async () => {
    const c = await createContact((await shared()).name);
    const res = await api("PUT", `/contacts/${c.id.toLowerCase()}/approve`);
    expect(res.status).toBe(200);
    expect(res.body.approval_status).toBe("approved");
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Lists
// ---------------------------------------------------------------------------------------------

describe("contacts: list", () => {
  it("the Crego envelope: first page, last page, past the end", async () => {
    const tenant = unique("tenv");
    const ns = await createNamespace({}, tenant);
    for (let i = 0; i < 3; i++) await createContact(ns.name, { name: `Person ${i}` }, tenant);
    const first = await api("GET", "/contacts/?page_size=2", { tenant });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(ENVELOPE_KEYS);
    expect(first.body).toMatchObject(pageEnvelope(3, 1, 2));
    expect(first.body.results).toHaveLength(2);
    const second = await api("GET", "/contacts/?page_size=2&page=2", { tenant });
    expect(second.body).toMatchObject(pageEnvelope(3, 2, 2));
    expect(second.body.results).toHaveLength(1);
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(3);
    const past = await api("GET", "/contacts/?page_size=2&page=5", { tenant });
    expect(past.status).toBe(200);
    expect(past.body).toEqual({
      count: 3,
      total_pages: 2,
      current_page: 5,
      has_previous: true,
      has_next: false,
      previous_page: 4,
      next_page: null,
      results: [],
    });
    const all = await api("GET", "/contacts/", { tenant });
    expect(all.body.results).toHaveLength(3);
    expect(all.body.results[0]).toEqual(await getContact(all.body.results[0].id, tenant));
  });

  it("an empty list: count 0, total_pages 1, current_page 1", async () => {
    const res = await api("GET", "/contacts/", { tenant: unique("tempty") });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      count: 0,
      total_pages: 1,
      current_page: 1,
      has_previous: false,
      has_next: false,
      previous_page: null,
      next_page: null,
      results: [],
    });
  });

  it("page_size defaults to 20 and is clamped to 100", async () => {
    const tenant = unique("tclamp");
    const ns = await createNamespace({}, tenant);
    for (let batch = 0; batch < 3; batch++) {
      const responses = await Promise.all(
        Array.from({ length: batch < 2 ? 50 : 1 }, () =>
          api("POST", "/contacts/", { body: contactBody(ns.name), tenant }),
        ),
      );
      expect(responses.every((r) => r.status === 201)).toBe(true);
    }
    const def = await api("GET", "/contacts/", { tenant });
    expect(def.body).toMatchObject({ count: 101, total_pages: 6 });
    expect(def.body.results).toHaveLength(20);
    const big = await api("GET", "/contacts/?page_size=1000", { tenant });
    expect(big.status).toBe(200);
    expect(big.body).toMatchObject({ count: 101, total_pages: 2, has_next: true, next_page: 2 });
    expect(big.body.results).toHaveLength(100);
    const cursor = await api("GET", "/contacts/?cursor=&page_size=1000", { tenant });
    expect(cursor.body.page_size).toBe(100);
    expect(cursor.body.results).toHaveLength(100);
    // Any positive integer is a page size: one of 20 digits is clamped like 1000.
    const huge = await api("GET", `/contacts/?page_size=${"9".repeat(20)}`, { tenant });
    expect(huge.status, huge.text).toBe(200);
    expect(huge.body).toMatchObject({ count: 101, total_pages: 2 });
    expect(huge.body.results).toHaveLength(100);
  });

  it("a page far past the end is an empty page with the true count, up to 15 digits", async () => {
    const tenant = unique("tfar");
    const ns = await createNamespace({}, tenant);
    expect((await api("POST", "/contacts/", { body: contactBody(ns.name), tenant })).status).toBe(201);
    for (const page of [10_000_000_000, 999_999_999_999_999]) {
      const res = await api("GET", `/contacts/?page=${page}&page_size=100`, { tenant });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ ...pageEnvelope(1, page, 1), results: [] });
    }
    expectInvalid(await api("GET", `/contacts/?page=${"1".repeat(16)}`, { tenant }), ["page"]);
  });

  it("bad page / page_size are 400 naming the parameter", async () => {
    for (const [q, path] of BAD_PAGE_PARAMS) expectInvalid(await api("GET", `/contacts/?${q}`), [path]);
  });

  it("orders by name, created_at, updated_at both ways; default newest first", async () => {
    const tenant = unique("tord");
    const ns = await createNamespace({}, tenant);
    const charlie = await createContact(ns.name, { name: "Charlie" }, tenant);
    await sleep(3);
    const alpha = await createContact(ns.name, { name: "Alpha" }, tenant);
    await sleep(3);
    const bravo = await createContact(ns.name, { name: "Bravo" }, tenant);
    await sleep(3);
    await api("PATCH", `/contacts/${charlie.id}/`, { body: { tags: ["touched"] }, tenant });
    const order = async (q: string) => names(await api("GET", `/contacts/?${q}`, { tenant }));
    expect(await order("")).toEqual(["Bravo", "Alpha", "Charlie"]);
    expect(await order("ordering=-created_at")).toEqual(["Bravo", "Alpha", "Charlie"]);
    expect(await order("ordering=created_at")).toEqual(["Charlie", "Alpha", "Bravo"]);
    expect(await order("ordering=name")).toEqual(["Alpha", "Bravo", "Charlie"]);
    expect(await order("ordering=-name")).toEqual(["Charlie", "Bravo", "Alpha"]);
    expect(await order("ordering=updated_at")).toEqual(["Alpha", "Bravo", "Charlie"]);
    expect(await order("ordering=-updated_at")).toEqual(["Charlie", "Bravo", "Alpha"]);
    expect(alpha.id < bravo.id).toBe(true);
    for (const bad of ["colour", "Name", "-", "status"]) {
      expectInvalid(await api("GET", `/contacts/?ordering=${bad}`, { tenant }), ["ordering"]);
    }
  });

  describe("filters", () => {
    const tenant = unique("tfilt");
    let setup: Promise<{ c1: Contact; c2: Contact; c3: Contact; retail: Namespace }> | undefined;
    const fixtures = () => {
      setup ??= (async () => {
        const retail = await createNamespace({ name: unique("Retail") }, tenant);
        const corp = await createNamespace({ name: unique("Corp") }, tenant);
        const c1 = await createContact(
          retail.name,
          { name: "One", tags: ["vip", "msme"], rm_id: "RM1", branch_id: "B1" },
          tenant,
        );
        await sleep(3);
        const c2 = await createContact(
          corp.name,
          {
            name: "Two",
            status: "inactive",
            type: "corporate",
            tags: ["vip"],
            rm_id: "RM2",
            branch_id: "B2",
          },
          tenant,
        );
        await sleep(3);
        const c3 = await createContact(
          retail.name,
          { name: "Three", type: "corporate", tags: ["msme"], rm_id: "RM1", branch_id: "B2" },
          tenant,
        );
        expect((await api("PUT", `/contacts/${c3.id}/approve/`, { tenant })).status).toBe(200);
        return { c1, c2, c3, retail };
      })();
      return setup;
    };
    const query = async (q: string) => {
      const res = await api("GET", `/contacts/?${q}`, { tenant });
      expect(res.status, `${q}: ${res.text}`).toBe(200);
      expect(res.body.count).toBe(res.body.results.length);
      return names(res);
    };

    it("namespace (by name, case-insensitive), status, type, approval_status, rm_id, branch_id", async () => {
      const { retail } = await fixtures();
      expect(await query(`namespace=${retail.name}`)).toEqual(["Three", "One"]);
      expect(await query(`namespace=${retail.name.toUpperCase()}`)).toEqual(["Three", "One"]);
      expect(await query("namespace=no-such-namespace")).toEqual([]);
      expect(await query("status=inactive")).toEqual(["Two"]);
      expect(await query("status=active")).toEqual(["Three", "One"]);
      expect(await query("type=corporate")).toEqual(["Three", "Two"]);
      expect(await query("type=individual")).toEqual(["One"]);
      expect(await query("approval_status=approved")).toEqual(["Three"]);
      expect(await query("approval_status=pending")).toEqual(["Two", "One"]);
      expect(await query("approval_status=rejected")).toEqual([]);
      expect(await query("rm_id=RM1")).toEqual(["Three", "One"]);
      expect(await query("branch_id=B2")).toEqual(["Three", "Two"]);
      expect(await query("status=active&type=corporate&rm_id=RM1")).toEqual(["Three"]);
    });

    it("tags: records carrying every listed tag", async () => {
      await fixtures();
      expect(await query("tags=vip")).toEqual(["Two", "One"]);
      expect(await query("tags=vip,msme")).toEqual(["One"]);
      expect(await query("tags=msme,vip")).toEqual(["One"]);
      expect(await query("tags=msme")).toEqual(["Three", "One"]);
      expect(await query("tags=nope")).toEqual([]);
      expect(await query("tags=vip,nope")).toEqual([]);
    });

    it("created_at_after / created_at_before: inclusive; a date as before includes that whole day", async () => {
      const { c2 } = await fixtures();
      const today = new Date().toISOString().slice(0, 10);
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      expect(await query(`created_at_before=${today}`)).toEqual(["Three", "Two", "One"]);
      expect(await query(`created_at_after=${today}`)).toEqual(["Three", "Two", "One"]);
      expect(await query(`created_at_after=${today}&created_at_before=${today}`)).toEqual([
        "Three",
        "Two",
        "One",
      ]);
      expect(await query(`created_at_before=${yesterday}`)).toEqual([]);
      expect(await query(`created_at_after=${tomorrow}`)).toEqual([]);
      expect(await query(`created_at_after=${c2.created_at}`)).toEqual(["Three", "Two"]);
      expect(await query(`created_at_before=${c2.created_at}`)).toEqual(["Two", "One"]);
      expect(await query(`created_at_after=${c2.created_at}&created_at_before=${c2.created_at}`)).toEqual([
        "Two",
      ]);
      // A date-time without an offset is UTC, like a date.
      const noOffset = (iso: string) => iso.replace(/Z$/, "");
      expect(await query(`created_at_after=${noOffset(c2.created_at)}`)).toEqual(["Three", "Two"]);
      expect(await query(`created_at_before=${noOffset(c2.created_at)}`)).toEqual(["Two", "One"]);
      // A bound finer than a millisecond is rounded inward: it stays exact against millisecond stamps.
      const finer = (iso: string, digits: string) => iso.replace(/Z$/, `${digits}Z`);
      expect(await query(`created_at_after=${finer(c2.created_at, "001")}`)).toEqual(["Three"]);
      expect(await query(`created_at_before=${finer(c2.created_at, "999")}`)).toEqual(["Two", "One"]);
      // The same instant at another offset.
      const at = new Date(Date.parse(c2.created_at) + 330 * 60_000).toISOString().replace(/Z$/, "+05:30");
      expect(await query(`created_at_after=${encodeURIComponent(at)}`)).toEqual(["Three", "Two"]);
      for (const bad of [
        "created_at_after=2026-02-30T00:00:00Z",
        "created_at_after=2026-12-04T24:00:00Z",
        "created_at_before=2025-05-12T10:60:00Z",
        "created_at_before=2025-05-12T10:00:00%2B25:00",
        "created_at_after=2025-05-12T25:00:00",
        "created_at_before=2025-05-12T10:00:00+5:30",
        "created_at_after=yesterday",
        "created_at_before=2025-13-01",
        "created_at_after=2025-02-30",
      ]) {
        expectInvalid(await api("GET", `/contacts/?${bad}`, { tenant }), [bad.split("=")[0] as string]);
      }
    });

    it("unknown query parameters are ignored; a known one with a bad value is 400", async () => {
      await fixtures();
      expect(await query("colour=red&foo=bar")).toEqual(["Three", "Two", "One"]);
      for (const [q, path] of [
        ["status=ACTIVE", "status"],
        ["status=pending", "status"],
        ["type=Corporate", "type"],
        ["approval_status=done", "approval_status"],
        ["expand=foo", "expand"],
        ["expand=props,foo", "expand"],
      ]) {
        expectInvalid(await api("GET", `/contacts/?${q}`, { tenant }), [path as string]);
      }
    });

    it("expand=props is accepted (props are always embedded)", async () => {
      await fixtures();
      const res = await api("GET", "/contacts/?expand=props", { tenant });
      expect(res.status).toBe(200);
      expect(res.body.results.every((c: Contact) => Array.isArray(c.props))).toBe(true);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Search
// ---------------------------------------------------------------------------------------------

describe("contacts: search", () => {
  const tenant = unique("tsearch");
  const otherTenant = unique("tsearch-other");
  let setup: Promise<Record<string, Contact>> | undefined;
  const fixtures = () => {
    setup ??= (async () => {
      const ns = await createNamespace({ contact_pattern: "SRCH-{seq:4}" }, tenant);
      const out: Record<string, Contact> = {};
      for (const name of [
        "Sita Ramesh",
        "Ramesh Kumar",
        "Renée Dupont",
        "Anil Mehta",
        "सीता राम",
        "सतीश तिवारी",
        "முருகன் செல்வம்",
      ]) {
        out[name] = await createContact(ns.name, { name }, tenant);
      }
      const other = await createNamespace({}, otherTenant);
      await createContact(other.name, { name: "Ramesh Otherworld" }, otherTenant);
      await createContact(other.name, { name: "Sita Otherworld" }, otherTenant);
      return out;
    })();
    return setup;
  };
  const search = async (term: string, t = tenant) => {
    const res = await api("GET", `/contacts/?search=${encodeURIComponent(term)}&ordering=name`, {
      tenant: t,
    });
    expect(res.status, `${term}: ${res.text}`).toBe(200);
    return names(res);
  };

  it("a prefix of any word of the name, case-insensitive", async () => {
    await fixtures();
    expect(await search("ram")).toEqual(["Ramesh Kumar", "Sita Ramesh"]);
    expect(await search("RAM")).toEqual(["Ramesh Kumar", "Sita Ramesh"]);
    expect(await search("Ramesh")).toEqual(["Ramesh Kumar", "Sita Ramesh"]);
    expect(await search("kum")).toEqual(["Ramesh Kumar"]);
    expect(await search("sit")).toEqual(["Sita Ramesh"]);
    expect(await search("mesh")).toEqual([]);
    expect(await search("zzz")).toEqual([]);
  });

  it("several words: every word must match a word of the name", async () => {
    await fixtures();
    expect(await search("ramesh kum")).toEqual(["Ramesh Kumar"]);
    expect(await search("sita ram")).toEqual(["Sita Ramesh"]);
    expect(await search("kum sita")).toEqual([]);
  });

  it("diacritics-insensitive", async () => {
    const all = await fixtures();
    const renee = all["Renée Dupont"] as Contact;
    expect.soft(await search("renee")).toEqual([renee.name]);
    expect.soft(await search("dupont renee")).toEqual([renee.name]);
    expect.soft(await search("Renée")).toEqual([renee.name]);
    expect.soft(await search("RENÉE DUP")).toEqual([renee.name]);
  });

  it("names in other scripts", async () => {
    await fixtures();
    expect.soft(await search("राम")).toEqual(["सीता राम"]);
    expect.soft(await search("सीता")).toEqual(["सीता राम"]);
    expect.soft(await search("सतीश")).toEqual(["सतीश तिवारी"]);
    expect.soft(await search("तिवा")).toEqual(["सतीश तिवारी"]);
    expect.soft(await search("முருகன்")).toEqual(["முருகன் செல்வம்"]);
    expect.soft(await search("செல்")).toEqual(["முருகன் செல்வம்"]);
  });

  it("a prefix of the ref_id", async () => {
    const all = await fixtures();
    const second = all["Ramesh Kumar"] as Contact;
    expect(second.ref_id).toBe("SRCH-0002");
    expect(await search("SRCH-0002")).toEqual(["Ramesh Kumar"]);
    expect(await search("srch-000")).toHaveLength(7);
  });

  it("FTS operators in the input are harmless", async () => {
    await fixtures();
    for (const term of ['" OR *', "NEAR(", "NEAR(a b", "ram*", "-ram", "name:ram", "AND", "OR ram", "^ram"]) {
      const res = await api("GET", `/contacts/?search=${encodeURIComponent(term)}`, { tenant });
      expect(res.status, `${term}: ${res.text}`).toBe(200);
      expect(Array.isArray(res.body.results)).toBe(true);
    }
    // Syntax alone names no word: 400, never the whole list.
    for (const term of ["(", "*", '"', "^", "-"]) {
      const res = await api("GET", `/contacts/?search=${encodeURIComponent(term)}`, { tenant });
      expect(res.status, `${term}: ${res.text}`).toBe(400);
    }
    expect(await search("ram*")).toEqual(["Ramesh Kumar", "Sita Ramesh"]);
    expect(await search('" OR *')).toEqual([]);
  });

  it("never finds another tenant's contacts", async () => {
    await fixtures();
    expect(await search("Otherworld")).toEqual([]);
    expect(await search("ramesh")).not.toContain("Ramesh Otherworld");
    expect(await search("ramesh", otherTenant)).toEqual(["Ramesh Otherworld"]);
    expect(await search("sita", otherTenant)).toEqual(["Sita Otherworld"]);
    expect(await search("SRCH", otherTenant)).toEqual([]);
  });

  it("combines with other filters", async () => {
    const all = await fixtures();
    await api("PUT", `/contacts/${(all["Sita Ramesh"] as Contact).id}/inactive/`, { tenant });
    expect(names(await api("GET", "/contacts/?search=ram&status=active", { tenant }))).toEqual([
      "Ramesh Kumar",
    ]);
    await api("PUT", `/contacts/${(all["Sita Ramesh"] as Contact).id}/active/`, { tenant });
  });

  it("without ordering: newest first by insertion, in pages and with cursors (a rowid keyset)", async () => {
    const all = await fixtures();
    const inserted = Object.values(all).map((c) => c.id);
    const newestFirst = [...inserted].reverse();
    // Every fixture matches its ref_id prefix; an update does not move a contact (insertion order).
    await api("PATCH", `/contacts/${inserted[0]}/`, { tenant, body: { rm_id: "RM-LATE" } });
    const page = await api("GET", "/contacts/?search=srch-000", { tenant });
    expect(page.body.results.map((c: Contact) => c.id)).toEqual(newestFirst);
    expect(page.body.count).toBe(7);
    const second = await api("GET", "/contacts/?search=srch-000&page=2&page_size=3", { tenant });
    expect(second.body.results.map((c: Contact) => c.id)).toEqual(newestFirst.slice(3, 6));
    expect(second.body.count).toBe(7);
    const walked: string[] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const res = await api("GET", `/contacts/?search=srch-000&page_size=2&cursor=${cursor}`, { tenant });
      expect(res.status, res.text).toBe(200);
      walked.push(...res.body.results.map((c: Contact) => c.id));
      if (!res.body.next_cursor) break;
      cursor = encodeURIComponent(res.body.next_cursor);
    }
    expect(walked).toEqual(newestFirst);
    // The cursor is bound to the rowid ordering: an explicit ordering or another search rejects it.
    const first = await api("GET", "/contacts/?search=srch-000&page_size=2&cursor=", { tenant });
    const next = encodeURIComponent(first.body.next_cursor);
    const explicit = await api("GET", `/contacts/?search=srch-000&ordering=-created_at&cursor=${next}`, {
      tenant,
    });
    expect(explicit.status).toBe(400);
    const other = await api("GET", `/contacts/?search=ram&cursor=${next}`, { tenant });
    expect(other.status).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Cursor mode
// ---------------------------------------------------------------------------------------------

describe("contacts: cursor mode", () => {
  const tenant = unique("tcur");
  let setup: Promise<Contact[]> | undefined;
  const fixtures = () => {
    setup ??= (async () => {
      const ns = await createNamespace({}, tenant);
      const out: Contact[] = [];
      for (const name of ["Echo", "Delta", "Alpha", "Charlie", "Bravo"]) {
        out.push(
          await createContact(ns.name, { name, status: name === "Delta" ? "inactive" : "active" }, tenant),
        );
      }
      return out;
    })();
    return setup;
  };

  async function walk(query: string, t = tenant) {
    const seen: string[] = [];
    let cursor = "";
    let pages = 0;
    for (;;) {
      const res = await api("GET", `/contacts/?${query}&cursor=${encodeURIComponent(cursor)}`, { tenant: t });
      expect(res.status, res.text).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(["has_next", "next_cursor", "page_size", "results"]);
      pages++;
      seen.push(...ids(res));
      if (!res.body.has_next) {
        expect(res.body.next_cursor).toBeNull();
        break;
      }
      expect(typeof res.body.next_cursor).toBe("string");
      cursor = res.body.next_cursor;
      expect(pages).toBeLessThan(20);
    }
    return { seen, pages };
  }

  it("walks every contact exactly once, in order, with page_size 2", async () => {
    await fixtures();
    for (const ordering of [
      "",
      "ordering=name",
      "ordering=-name",
      "ordering=created_at",
      "ordering=-updated_at",
    ]) {
      const expected = ids(await api("GET", `/contacts/?page_size=100&${ordering}`, { tenant }));
      expect(expected).toHaveLength(5);
      const { seen, pages } = await walk(`page_size=2&${ordering}`);
      expect(seen, ordering).toEqual(expected);
      expect(pages).toBe(3);
    }
  });

  it("the first page shape; no count; a full last page ends with has_next false", async () => {
    await fixtures();
    const first = await api("GET", "/contacts/?cursor=&page_size=2", { tenant });
    expect(first.body).toMatchObject({ page_size: 2, has_next: true });
    expect(first.body).not.toHaveProperty("count");
    expect(first.body).not.toHaveProperty("total_pages");
    expect(first.body.results).toHaveLength(2);
    const exact = await api("GET", "/contacts/?cursor=&page_size=5", { tenant });
    expect(exact.body).toMatchObject({ page_size: 5, has_next: false, next_cursor: null });
    expect(exact.body.results).toHaveLength(5);
    const def = await api("GET", "/contacts/?cursor=", { tenant });
    expect(def.body.page_size).toBe(20);
  });

  it("with a filter, walks the filtered set", async () => {
    await fixtures();
    const { seen } = await walk("page_size=1&status=active");
    expect(seen).toEqual(ids(await api("GET", "/contacts/?status=active", { tenant })));
    expect(seen).toHaveLength(4);
  });

  it("400 for a tampered cursor, another filter, another ordering, another tenant, or with page", async () => {
    await fixtures();
    const first = await api("GET", "/contacts/?cursor=&page_size=2", { tenant });
    const cursor: string = first.body.next_cursor;
    const [body, mac] = cursor.split(".") as [string, string];
    // The first character carries 6 significant bits (the last may only hold padding bits).
    const flip = (s: string) => `${s[0] === "A" ? "B" : "A"}${s.slice(1)}`;
    const bad = async (q: string, t = tenant) => {
      const res = await api("GET", `/contacts/?${q}`, { tenant: t });
      expectInvalid(res, [q.includes("page=") ? "page" : "cursor"]);
    };
    const enc = encodeURIComponent;
    await bad(`cursor=${enc(`${flip(body)}.${mac}`)}&page_size=2`);
    await bad(`cursor=${enc(`${body}.${flip(mac)}`)}&page_size=2`);
    await bad(`cursor=${enc(`${btoa('{"v":["9999","ZZ"],"f":"x"}')}.${mac}`)}&page_size=2`);
    await bad("cursor=garbage&page_size=2");
    await bad("cursor=a.b.c&page_size=2");
    await bad(`cursor=${enc(cursor)}&page_size=2&status=active`);
    await bad(`cursor=${enc(cursor)}&page_size=2&ordering=name`);
    await bad(`cursor=${enc(cursor)}&page_size=2&search=a`);
    await bad(`cursor=${enc(cursor)}&page_size=2`, "t2");
    await bad(`cursor=${enc(cursor)}&page=1`);
    await bad("cursor=&page=2");
    // the untampered cursor still works
    const ok = await api("GET", `/contacts/?cursor=${enc(cursor)}&page_size=2`, { tenant });
    expect(ok.status).toBe(200);
    expect(ids(ok)).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// 9. Props endpoints
// ---------------------------------------------------------------------------------------------

describe("contacts: props endpoints", () => {
  const start = [
    { key: "a", value: "1", type: "number" },
    { key: "b", value: "x", type: "text" },
  ];
  const byKey = (props: Prop[]) => [...props].sort((p, q) => p.key.localeCompare(q.key));

  it("GET answers {contact_id, props}", async () => {
    const c = await createContact((await shared()).name, { props: start });
    for (const path of [`/contacts/${c.id}/props/`, `/contacts/${c.id.toLowerCase()}/props`]) {
      const res = await api("GET", path);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ contact_id: c.id, props: start });
    }
  });

  it("PUT (array) upserts by key, leaves other keys alone, and writes props_updated", async () => {
    const c = await createContact((await shared()).name, { props: start });
    const res = await api("PUT", `/contacts/${c.id}/props/`, {
      body: [
        { key: "a", value: "2", type: "number" },
        { key: "c", value: "true", type: "boolean" },
      ],
    });
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["contact_id", "props"]);
    expect(res.body.contact_id).toBe(c.id);
    expect(byKey(res.body.props)).toEqual([
      { key: "a", value: "2", type: "number" },
      { key: "b", value: "x", type: "text" },
      { key: "c", value: "true", type: "boolean" },
    ]);
    const after = await getContact(c.id);
    expect(byKey(after.props)).toEqual(byKey(res.body.props));
    expect(after.version).toBe(2);
    const [last] = await historyOf(c.id);
    expect(last).toMatchObject({ action: "props_updated", actor: "u1", reason: null });
    expect(last?.changes).toEqual({
      "props.a": [
        { value: "1", type: "number" },
        { value: "2", type: "number" },
      ],
      "props.c": [null, { value: "true", type: "boolean" }],
    });
  });

  it("PUT accepts {props: [...]}; an unchanged value writes nothing", async () => {
    const c = await createContact((await shared()).name, { props: start });
    const res = await api("PUT", `/contacts/${c.id}/props/`, {
      body: { props: [{ key: "b", value: "y", type: "text" }] },
    });
    expect(res.status, res.text).toBe(200);
    expect(byKey(res.body.props)).toEqual([start[0], { key: "b", value: "y", type: "text" }]);
    const same = await api("PUT", `/contacts/${c.id}/props/`, {
      body: [{ key: "b", value: "y", type: "text" }],
    });
    expect(same.status).toBe(200);
    expect((await getContact(c.id)).version).toBe(2);
    expect((await historyOf(c.id)).map((h) => h.action)).toEqual(["props_updated", "created"]);
  });

  it("PUT: more than 100 props in total is 400; exactly 100 is fine", async () => {
    const props = Array.from({ length: 99 }, (_, i) => ({ key: `k${i}`, value: "v", type: "text" }));
    const c = await createContact((await shared()).name, { props });
    const over = await api("PUT", `/contacts/${c.id}/props/`, {
      body: [
        { key: "n1", value: "v", type: "text" },
        { key: "n2", value: "v", type: "text" },
      ],
    });
    expectInvalid(over, ["props"]);
    expect((await getContact(c.id)).props).toHaveLength(99);
    const ok = await api("PUT", `/contacts/${c.id}/props/`, {
      body: [{ key: "n1", value: "v", type: "text" }],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.props).toHaveLength(100);
    const update = await api("PUT", `/contacts/${c.id}/props/`, {
      body: [{ key: "k0", value: "w", type: "text" }],
    });
    expect(update.status).toBe(200);
    expect(update.body.props).toHaveLength(100);
  });

  it("PUT: an invalid item is 400 naming it, and nothing changes", async () => {
    const c = await createContact((await shared()).name, { props: start });
    const arrayBody = await api("PUT", `/contacts/${c.id}/props/`, {
      body: [
        { key: "ok", value: "1", type: "number" },
        { key: "n", value: "abc", type: "number" },
      ],
    });
    expectProblem(arrayBody, 400, "/problems/validation");
    expect(errorPaths(arrayBody)).toEqual(["1.value"]);
    const wrapped = await api("PUT", `/contacts/${c.id}/props/`, {
      body: { props: [{ key: "bad/key", value: "1", type: "text" }] },
    });
    expectProblem(wrapped, 400, "/problems/validation");
    expect(errorPaths(wrapped)).toEqual(["props.0.key"]);
    const dup = await api("PUT", `/contacts/${c.id}/props/`, {
      body: [
        { key: "z", value: "1", type: "text" },
        { key: "z", value: "2", type: "text" },
      ],
    });
    expectProblem(dup, 400, "/problems/validation");
    for (const body of [{}, "a", [{ key: "k", value: "v", type: "date" }], { props: [], extra: 1 }]) {
      const res = await api("PUT", `/contacts/${c.id}/props/`, { body });
      expectProblem(res, 400, "/problems/validation");
    }
    expect(await getContact(c.id)).toEqual(c);
  });

  it("DELETE ?key=a&key=b answers 204 and writes props_deleted", async () => {
    const c = await createContact((await shared()).name, {
      props: [...start, { key: "c", value: "https://x.example/f.pdf", type: "file" }],
    });
    const res = await api("DELETE", `/contacts/${c.id}/props/?key=a&key=c`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await api("GET", `/contacts/${c.id}/props/`)).body.props).toEqual([start[1]]);
    const [last] = await historyOf(c.id);
    expect(last).toMatchObject({ action: "props_deleted", reason: null });
    expect(last?.changes).toEqual({
      "props.a": [{ value: "1", type: "number" }, null],
      "props.c": [{ value: "https://x.example/f.pdf", type: "file" }, null],
    });
    expect((await getContact(c.id)).version).toBe(2);
  });

  it("DELETE: unknown keys are ignored (204, no history)", async () => {
    const c = await createContact((await shared()).name, { props: start });
    const res = await api("DELETE", `/contacts/${c.id}/props/?key=nope&key=other`);
    expect(res.status).toBe(204);
    expect(await getContact(c.id)).toEqual(c);
    expect((await historyOf(c.id)).length).toBe(1);
    const mixed = await api("DELETE", `/contacts/${c.id}/props/?key=nope&key=b`);
    expect(mixed.status).toBe(204);
    expect((await getContact(c.id)).props).toEqual([start[0]]);
  });

  it("DELETE: no key or an empty key is 400", async () => {
    const c = await createContact((await shared()).name, { props: start });
    for (const q of ["", "?key=", "?key=a&key=", "?key=%20", "?keys=a"]) {
      const res = await api("DELETE", `/contacts/${c.id}/props/${q}`);
      expectInvalid(res, ["key"]);
    }
    expect(await getContact(c.id)).toEqual(c);
  });

  it("unknown or malformed contact: 404 on GET, PUT and DELETE", async () => {
    for (const id of [UNKNOWN_ID, "bad"]) {
      expectProblem(await api("GET", `/contacts/${id}/props/`), 404, "/problems/not_found");
      expectProblem(
        await api("PUT", `/contacts/${id}/props/`, { body: [{ key: "a", value: "1", type: "text" }] }),
        404,
        "/problems/not_found",
      );
      expectProblem(await api("DELETE", `/contacts/${id}/props/?key=a`), 404, "/problems/not_found");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 10. History
// ---------------------------------------------------------------------------------------------

describe("contacts: history", () => {
  it("records creation with the new values", async () => {
    const ns = await createNamespace({ contact_pattern: "H-{seq}" });
    const c = await createContact(ns.name, { name: "Hist One", tags: ["t"], rm_id: "RM9" });
    const res = await api("GET", `/contacts/${c.id}/history/`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(ENVELOPE_KEYS);
    expect(res.body).toMatchObject({ count: 1, total_pages: 1, current_page: 1, has_next: false });
    const [entry] = res.body.results as HistoryEntry[];
    expect(Object.keys(entry as object).sort()).toEqual([
      "action",
      "actor",
      "at",
      "changes",
      "id",
      "reason",
      "subject",
    ]);
    expect(entry).toMatchObject({
      action: "created",
      actor: "u1",
      at: c.created_at,
      reason: null,
      subject: { type: "contact", id: c.id },
    });
    expect(entry?.id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(entry?.changes).toMatchObject({
      name: [null, "Hist One"],
      namespace: [null, ns.name],
      status: [null, "active"],
      type: [null, "individual"],
      tags: [null, ["t"]],
      rm_id: [null, "RM9"],
      ref_id: [null, "H-1"],
      approval_status: [null, "pending"],
    });
  });

  it("creation lists only what is set (no [null, null] entries)", async () => {
    const c = await createContact((await shared()).name);
    const [entry] = await historyOf(c.id);
    for (const [field, [old, now]] of Object.entries(entry?.changes ?? {})) {
      expect(old, field).toBeNull();
      expect(now, field).not.toBeNull();
    }
    expect(entry?.changes).not.toHaveProperty("ref_id");
    expect(entry?.changes).not.toHaveProperty("rm_id");
  });

  it("lists newest first with the envelope and pages", async () => {
    const c = await createContact((await shared()).name, { props: [{ key: "a", value: "1", type: "text" }] });
    const actor = await token({ sub: "auditor" });
    await api("PATCH", `/contacts/${c.id}/`, { body: { name: "Hist Two" }, token: actor });
    await api("PUT", `/contacts/${c.id}/approve/`, { body: { reason: "ok" } });
    await api("PUT", `/contacts/${c.id}/props/`, { body: [{ key: "b", value: "2", type: "text" }] });
    await api("DELETE", `/contacts/${c.id}/props/?key=a`);
    const all = await historyOf(c.id);
    expect(all.map((h) => h.action)).toEqual([
      "props_deleted",
      "props_updated",
      "approved",
      "updated",
      "created",
    ]);
    expect(all.map((h) => h.actor)).toEqual(["u1", "u1", "u1", "auditor", "u1"]);
    expect(all[2]?.reason).toBe("ok");
    const ats = all.map((h) => h.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    expect(all[0]?.at).toBe((await getContact(c.id)).updated_at);

    const page1 = await api("GET", `/contacts/${c.id}/history/?page_size=2`);
    expect(page1.body).toMatchObject(pageEnvelope(5, 1, 3));
    const page3 = await api("GET", `/contacts/${c.id}/history/?page_size=2&page=3`);
    expect(page3.body).toMatchObject(pageEnvelope(5, 3, 3));
    expect([...page1.body.results, ...page3.body.results].map((h: HistoryEntry) => h.id)).toEqual(
      [all[0], all[1], all[4]].map((h) => h?.id),
    );
    expect((await api("GET", `/contacts/${c.id}/history`)).status).toBe(200);
    expectInvalid(await api("GET", `/contacts/${c.id}/history/?page=0`), ["page"]);
  });

  it("unknown or malformed contact: 404", async () => {
    expectProblem(await api("GET", `/contacts/${UNKNOWN_ID}/history/`), 404, "/problems/not_found");
    expectProblem(await api("GET", "/contacts/xyz/history/"), 404, "/problems/not_found");
  });
});

// ---------------------------------------------------------------------------------------------
// 11. Auth and tenancy for every route
// ---------------------------------------------------------------------------------------------

const ownContact = async (overrides: Record<string, unknown> = {}) =>
  `/contacts/${(await createContact((await shared()).name, { props: [{ key: "a", value: "1", type: "text" }], ...overrides })).id}/`;
const contactPath = (path: string) => `/contacts/${path.split("/")[2]}/`;
const unchanged = async (path: string) => {
  const id = contactPath(path);
  const [contact, history] = await Promise.all([api("GET", id), api("GET", `${id}history/`)]);
  expect(contact.status).toBe(200);
  return { contact: contact.body, history: history.body };
};

authAndTenancyCases("POST /contacts/", {
  method: "POST",
  path: "/contacts/",
  body: async () => contactBody((await shared()).name),
  scope: "contacts:write",
});
authAndTenancyCases("GET /contacts/", {
  method: "GET",
  path: "/contacts/",
  scope: "contacts:read",
  tenancy: { expect: "empty" },
});
authAndTenancyCases("GET /contacts/{id}/", {
  method: "GET",
  path: () => ownContact(),
  scope: "contacts:read",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("PATCH /contacts/{id}/", {
  method: "PATCH",
  path: () => ownContact(),
  body: { name: "Renamed By Other" },
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("PUT /contacts/{id}/active/", {
  method: "PUT",
  path: async () => `${await ownContact({ status: "inactive" })}active/`,
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("PUT /contacts/{id}/inactive/", {
  method: "PUT",
  path: async () => `${await ownContact()}inactive/`,
  body: { reason: "other tenant" },
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("PUT /contacts/{id}/approve/", {
  method: "PUT",
  path: async () => `${await ownContact()}approve/`,
  scope: "contacts:approve",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("PUT /contacts/{id}/reject/", {
  method: "PUT",
  path: async () => `${await ownContact()}reject/`,
  body: { reason: "other tenant" },
  scope: "contacts:approve",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("GET /contacts/{id}/props/", {
  method: "GET",
  path: async () => `${await ownContact()}props/`,
  scope: "contacts:read",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("PUT /contacts/{id}/props/", {
  method: "PUT",
  path: async () => `${await ownContact()}props/`,
  body: [{ key: "a", value: "2", type: "text" }],
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("DELETE /contacts/{id}/props/", {
  method: "DELETE",
  path: async () => `${await ownContact()}props/?key=a`,
  scope: "contacts:write",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("GET /contacts/{id}/history/", {
  method: "GET",
  path: async () => `${await ownContact()}history/`,
  scope: "contacts:read",
  tenancy: { expect: "not_found", unchanged },
});
