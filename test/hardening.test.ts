import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { type ApiResponse, api } from "./helpers/api";
import { contactBody, createContact, errorPaths, historyOf, namespaceOf, unique } from "./helpers/fixtures";
import { tenantSnapshot } from "./helpers/snapshot";
import { ADDRESSES, addressBody } from "./helpers/sub-resources";
import { TEST_JWT_SECRET } from "./helpers/tokens";

// Issue 14: contract points found by an outside test. Each block names the point; every test here
// failed on the code before the fix.

const JSON_HEADERS = { "content-type": "application/json" };

function expectValidation(res: ApiResponse, paths: string[]) {
  expect(res.status, res.text).toBe(400);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body.type).toBe("/problems/validation");
  for (const path of paths) expect(errorPaths(res), res.text).toContain(path);
}

const validContact = async (extra: Record<string, unknown> = {}) => contactBody(await namespaceOf(), extra);

/** `{"a": {"a": ... 1}}`: `objects` nested objects around a number. */
function nested(objects: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < objects; i++) value = { a: value };
  return value;
}

const tableCounts = () => tenantSnapshot("t1");

describe("issue 14: JSON nesting depth (32 levels accepted, 33 refused, never a 500)", () => {
  it("a create with refs nested 1,000 levels deep is 400, not 500, and writes nothing", async () => {
    const namespace = await namespaceOf();
    const before = await tableCounts();
    const deep = `{"name":"Ramesh Kumar","namespace":"${namespace}","status":"active","type":"individual","props":[],"refs":${'{"a":'.repeat(1000)}1${"}".repeat(1000)}}`;
    expect(deep.length).toBeLessThan(8 * 1024);
    const res = await api("POST", "/contacts/", { rawBody: deep, headers: JSON_HEADERS });
    expectValidation(res, []);
    expect(res.body.errors[0]).toMatchObject({ code: "too_deep" });
    expect(res.body.errors[0].path).toMatch(/^refs(\.a)+$/);
    expect(await tableCounts()).toEqual(before);
  });

  it("the body is level 1: a value at level 32 is accepted, at level 33 refused (create and PATCH)", async () => {
    // {"refs": X}: X is level 2, so 30 objects put the number at level 32.
    const ok = await api("POST", "/contacts/", { body: await validContact({ refs: nested(30) }) });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.refs).toEqual(nested(30));
    const tooDeep = await api("POST", "/contacts/", { body: await validContact({ refs: nested(31) }) });
    expectValidation(tooDeep, [`refs${".a".repeat(31)}`]);
    const patch = await api("PATCH", `/contacts/${ok.body.id}/`, { body: { refs: nested(31) } });
    expectValidation(patch, []);
    const patchDeep = await api("PATCH", `/contacts/${ok.body.id}/`, { body: { refs: nested(1000) } });
    expectValidation(patchDeep, []);
    const again = await api("GET", `/contacts/${ok.body.id}/`);
    expect(again.body.refs).toEqual(nested(30));
    // Arrays count as levels too, on any route.
    const arrays = await api("PUT", `/contacts/${ok.body.id}/props/`, {
      rawBody: `${"[".repeat(40)}${"]".repeat(40)}`,
      headers: JSON_HEADERS,
    });
    expectValidation(arrays, []);
  });
});

describe("issue 14: lone surrogates, bidi controls and control characters in any string", () => {
  it("a lone surrogate (JSON escape) in bank_name, branch_name or an action reason is 400, not stored as U+FFFD", async () => {
    const contact = await createContact();
    const bank = {
      contact_id: contact,
      account_number: "50100012345678",
      ifsc: "HDFC0001234",
      account_holder_name: "Ramesh Kumar",
    };
    const raw = JSON.stringify({ ...bank, bank_name: "HDFC \ud800 Bank", branch_name: "MG \udfff Road" });
    expect(raw).toContain("\\ud800");
    const res = await api("POST", "/contacts/banks/", { rawBody: raw, headers: JSON_HEADERS });
    expectValidation(res, ["bank_name", "branch_name"]);
    expect(res.body.errors.find((e: { path: string }) => e.path === "bank_name").code).toBe(
      "invalid_characters",
    );
    const list = await api("GET", `/contacts/banks/?contact=${contact}`);
    expect(list.body.count).toBe(0);

    const reason = await api("PUT", `/contacts/${contact}/inactive/`, { body: { reason: "bad \ud83d" } });
    expectValidation(reason, ["reason"]);
    expect((await api("GET", `/contacts/${contact}/`)).body.status).toBe("active");
    // A well-formed pair (an emoji) is fine.
    const emoji = await api("PUT", `/contacts/${contact}/inactive/`, {
      body: { reason: "done \ud83d\ude00" },
    });
    expect(emoji.status, emoji.text).toBe(200);
    expect((await historyOf(contact))[0]?.reason).toBe("done \ud83d\ude00");
  });

  it("bytes that are not UTF-8 are 400 malformed, never replaced by U+FFFD", async () => {
    const contact = await createContact();
    const prefix = new TextEncoder().encode('{"reason":"bad ');
    const suffix = new TextEncoder().encode('"}');
    for (const bad of [[0xff], [0xed, 0xa0, 0x80], [0xc3]]) {
      const body = new Uint8Array([...prefix, ...bad, ...suffix]);
      const res = await api("PUT", `/contacts/${contact}/inactive/`, {
        rawBody: body,
        headers: JSON_HEADERS,
      });
      expect(res.status, res.text).toBe(400);
      expect(res.body.type).toBe("/problems/malformed_json");
    }
    expect((await api("GET", `/contacts/${contact}/`)).body.status).toBe("active");
    expect(await historyOf(contact)).toHaveLength(1);
  });

  it("bidi overrides, embeddings and isolates are 400 in names, tags, prop values, refs keys and values", async () => {
    const body = await validContact();
    const before = await tableCounts();
    for (const bidi of [
      "\u202A",
      "\u202B",
      "\u202C",
      "\u202D",
      "\u202E",
      "\u2066",
      "\u2067",
      "\u2068",
      "\u2069",
    ]) {
      const res = await api("POST", "/contacts/", {
        body: {
          ...body,
          tags: [`vip${bidi}`],
          props: [{ key: "note", value: `abc${bidi}def`, type: "text" }],
          refs: { [`crm${bidi}`]: "x", other: `v${bidi}` },
        },
      });
      expectValidation(res, ["tags.0", "props.0.value", "refs", "refs.other"]);
      const ns = await api("POST", "/namespaces/", { body: { name: `ns${bidi}x` } });
      expectValidation(ns, ["name"]);
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("errors from the string rules come with the schema's errors of the same body", async () => {
    const res = await api("POST", "/contacts/", {
      body: {
        namespace: await namespaceOf(),
        status: "active",
        type: "individual",
        props: [],
        tags: ["a\u202E"],
      },
    });
    expectValidation(res, ["tags.0", "name"]);
  });

  it("ZWJ and ZWNJ stay valid: Indic names need them", async () => {
    const name = "\u0915\u094D\u200D\u0937 \u0936\u094D\u200C\u0930\u0940";
    const res = await api("POST", "/contacts/", {
      body: await validContact({ name, tags: ["\u0915\u094D\u200D\u0937"] }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.name).toBe(name);
  });

  it("control characters are refused in keys everywhere and in values outside refs, allowed in refs values", async () => {
    const ok = await api("POST", "/contacts/", {
      body: await validContact({ refs: { note: "line 1\nline 2\u0000" } }),
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.refs).toEqual({ note: "line 1\nline 2\u0000" });
    const key = await api("POST", "/contacts/", { body: await validContact({ refs: { "a\u0001b": "x" } }) });
    expectValidation(key, ["refs"]);
    expect(key.body.errors[0].code).toBe("invalid_key");
    const reason = await api("PUT", `/contacts/${ok.body.id}/inactive/`, { body: { reason: "a\u0007b" } });
    expectValidation(reason, ["reason"]);
  });
});

describe("issue 14: address codes", () => {
  it("control characters in codes keys or values are 400; printable codes up to 100 characters are stored", async () => {
    const contact = await createContact();
    for (const codes of [
      { "state\ncode": "KA" },
      { state_code: "K\u0000A" },
      { state_code: "K\u0085A" },
      { State: "KA" },
    ]) {
      const res = await api("POST", ADDRESSES, { body: addressBody(contact, { codes }) });
      expect(res.status, JSON.stringify(codes)).toBe(400);
      expect(
        errorPaths(res).some((p) => p.startsWith("codes")),
        res.text,
      ).toBe(true);
    }
    const long = "K".repeat(100);
    const ok = await api("POST", ADDRESSES, {
      body: addressBody(contact, { codes: { state_code: long, district_code: "BLR-U 1" } }),
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.codes).toEqual({ state_code: long, district_code: "BLR-U 1" });
  });
});

describe("issue 14: WWW-Authenticate", () => {
  it("Authorization: Basic gets a bare Bearer challenge (RFC 6750 3.1); a malformed bearer token gets invalid_token", async () => {
    for (const header of ["Basic dXNlcjpwYXNz", "Digest username=x", "Bearer", "Bearer   "]) {
      const res = await api("GET", "/namespaces/", { token: null, headers: { Authorization: header } });
      expect(res.status, header).toBe(401);
      expect(res.headers.get("www-authenticate"), header).toBe("Bearer");
    }
    const bad = await api("GET", "/namespaces/", { token: null, headers: { Authorization: "Bearer abc" } });
    expect(bad.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  });
});

describe("issue 14: tenant and user claims", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ scope: "contacts:read namespaces:write", exp: now() + 600, ...claims })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));

  it("a tenant claim that is not a 1-64 character string of A-Z a-z 0-9 _ . - (or an integer) is 401", async () => {
    for (const tenant of [
      { a: 1 },
      ["t1"],
      true,
      null,
      1.5,
      "",
      "t".repeat(65),
      "t 1",
      "t/1",
      "t\u0000",
      "t\u202E1",
    ]) {
      const res = await api("GET", "/namespaces/", { token: await sign({ tenant_id: tenant, sub: "u1" }) });
      expect(res.status, JSON.stringify(tenant)).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    }
    const longest = "T.t_0-".repeat(10).concat("abcd");
    expect(longest).toHaveLength(64);
    expect(
      (await api("GET", "/namespaces/", { token: await sign({ tenant_id: longest, sub: "u1" }) })).status,
    ).toBe(200);
  });

  it("an integer tenant claim is taken as its decimal string", async () => {
    const res = await api("POST", "/namespaces/", {
      token: await sign({ tenant_id: 4711, sub: "u1" }),
      body: { name: unique("int") },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.tenant_id).toBe("4711");
  });

  it("a user claim with NUL, newlines, RLO or other format characters, over 128 characters or not a string is 401", async () => {
    for (const sub of [
      "u\u0000",
      "u\n1",
      "\u202Eu1",
      "u\u200B1",
      "u\u00AD",
      "",
      "u".repeat(129),
      42,
      { id: 1 },
    ]) {
      const res = await api("GET", "/namespaces/", { token: await sign({ tenant_id: "t1", sub }) });
      expect(res.status, JSON.stringify(sub)).toBe(401);
    }
    const devanagari = "\u0930\u093E\u092E".repeat(42).concat("\u0930\u093E");
    expect([...devanagari]).toHaveLength(128);
    const res = await api("POST", "/namespaces/", {
      token: await sign({ tenant_id: "t1", sub: devanagari }),
      body: { name: unique("user") },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.created_by).toBe(devanagari);
  });
});

describe("issue 14: namespace counters", () => {
  it("contact_counter accepts 2^53-1 and reads it back; 2^53 is 400", async () => {
    const max = Number.MAX_SAFE_INTEGER;
    const res = await api("POST", "/namespaces/", { body: { name: unique("max"), contact_counter: max } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.contact_counter).toBe(max);
    expect((await api("GET", `/namespaces/${res.body.id}/`)).body.contact_counter).toBe(max);
    const over = await api("POST", "/namespaces/", {
      rawBody: `{"name":"${unique("over")}","contact_counter":9007199254740992}`,
      headers: JSON_HEADERS,
    });
    expectValidation(over, ["contact_counter"]);
  });
});

describe("issue 14: file props", () => {
  it("an https URL with a raw space is 400; percent-encoded it is accepted", async () => {
    const bad = await api("POST", "/contacts/", {
      body: await validContact({
        props: [{ key: "kyc doc", value: "https://files.example/a b.pdf", type: "file" }],
      }),
    });
    expectValidation(bad, ["props.0.value"]);
    for (const value of [
      "https://files.example/a\tb.pdf",
      "https://files.example/a%zzb.pdf",
      'https://x.example/"a"',
    ]) {
      const res = await api("POST", "/contacts/", {
        body: await validContact({ props: [{ key: "kyc doc", value, type: "file" }] }),
      });
      expectValidation(res, ["props.0.value"]);
    }
    const ok = await api("POST", "/contacts/", {
      body: await validContact({
        props: [{ key: "kyc doc", value: "https://files.example/a%20b.pdf?v=1&x=[2]#p", type: "file" }],
      }),
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.props[0].value).toBe("https://files.example/a%20b.pdf?v=1&x=[2]#p");
  });
});

describe("issue 14: action bodies", () => {
  it("an action accepts no body, an empty body, or {reason}, with or without Content-Type: application/json", async () => {
    const contact = await createContact();
    const cases: [string, { rawBody?: BodyInit; body?: unknown; headers?: Record<string, string> }][] = [
      ["inactive", { rawBody: "", headers: JSON_HEADERS }],
      ["active", {}],
      ["inactive", { headers: JSON_HEADERS }],
      ["active", { rawBody: new Uint8Array(0) }],
      ["inactive", { body: { reason: "closed" } }],
      ["active", { rawBody: new TextEncoder().encode('{"reason":"no header"}') }],
      ["active", { rawBody: "", headers: { "content-type": "application/json; charset=utf-8" } }],
      // Another media type is still "without Content-Type: application/json" (curl -d sends form-urlencoded).
      ["inactive", { rawBody: '{"reason":"as text"}', headers: { "content-type": "text/plain" } }],
      ["active", { rawBody: "{}", headers: { "content-type": "application/x-www-form-urlencoded" } }],
    ];
    for (const [action, options] of cases) {
      const res = await api("PUT", `/contacts/${contact}/${action}/`, options);
      expect(res.status, `${action} ${JSON.stringify(options)}: ${res.text}`).toBe(200);
      expect(res.body.status).toBe(action);
    }
    const history = await historyOf(contact);
    expect(history.map((h) => h.reason)).toContain("closed");
    expect(history.map((h) => h.reason)).toContain("no header");
    expect(history.map((h) => h.reason)).toContain("as text");
    const malformed = await api("PUT", `/contacts/${contact}/active/`, {
      rawBody: "reason=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(malformed.status, malformed.text).toBe(400);
  });

  it("an empty body on a create is still refused: its required fields are missing", async () => {
    const res = await api("POST", "/namespaces/", { rawBody: "", headers: JSON_HEADERS });
    expectValidation(res, ["name"]);
  });
});

describe("issue 14: /docs", () => {
  it("sends CSP without inline script or third-party origins, nosniff, no-referrer and frame-ancestors 'none'", async () => {
    const res = await api("GET", "/docs", { token: null });
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-eval|https?:|\*/);
    expect(csp.match(/script-src[^;]*/)?.[0]).not.toContain("unsafe-inline");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    // No inline script: every <script> has a src on this origin and no body.
    const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\/docs\//);
      expect(body?.trim()).toBe("");
    }
    expect(res.text).not.toMatch(/\son[a-z]+=/i);
  });

  it("a token typed into the page is not persisted", async () => {
    const init = await api("GET", "/docs/init.js", { token: null });
    expect(init.status).toBe(200);
    expect(init.headers.get("content-type")).toContain("javascript");
    expect(init.headers.get("x-content-type-options")).toBe("nosniff");
    expect(init.text).toContain('url: "/openapi.json"');
    expect(init.text).toContain("persistAuthorization: false");
    expect(init.text).not.toMatch(/localStorage|sessionStorage/);
  });
});

describe("found by the fuzz suite", () => {
  it("an empty JSON body is never a validation problem without errors[]", async () => {
    const contact = await createContact();
    for (const [method, path] of [
      ["PATCH", `/contacts/${contact}/`],
      ["POST", "/contacts/addresses/"],
      ["PUT", `/contacts/${contact}/props/`],
    ] as const) {
      const res = await api(method, path, { rawBody: "", headers: JSON_HEADERS });
      if (res.status === 400) {
        expect(res.body.type, `${method} ${path}`).toBe("/problems/validation");
        expect(res.body.errors?.length, `${method} ${path}: ${res.text}`).toBeGreaterThan(0);
      } else expect(res.status, `${method} ${path}`).toBe(200);
    }
  });

  it("read-only fields in an action, dedupe or props body are ignored, as in every body", async () => {
    const contact = await createContact();
    const readOnly = { id: contact, tenant_id: "t1", version: 3, created_at: "2025-01-01T00:00:00.000Z" };
    const action = await api("PUT", `/contacts/${contact}/inactive/`, {
      body: { reason: "sent back", ...readOnly },
    });
    expect(action.status, action.text).toBe(200);
    expect(action.body.status).toBe("inactive");
    const dedupe = await api("POST", "/contacts/dedupe/", { body: { contact_id: contact, ...readOnly } });
    expect(dedupe.status, dedupe.text).toBe(200);
    // What GET .../props/ returns can be sent back.
    const read = await api("GET", `/contacts/${contact}/props/`);
    const props = await api("PUT", `/contacts/${contact}/props/`, {
      body: { ...read.body, props: [{ key: "note", value: "x", type: "text" }], created_at: "2025-01-01" },
    });
    expect(props.status, props.text).toBe(200);
    expect(props.body.props).toContainEqual({ key: "note", value: "x", type: "text" });
  });
});

describe("a key named __proto__ is refused, never silently dropped", () => {
  it("400 at its path in refs, nested objects and address codes; nothing written", async () => {
    const before = await tableCounts();
    const refs = '{"__proto__":{"a":1},"constructor":"x"}';
    const body = JSON.stringify(await validContact());
    const res = await api("POST", "/contacts/", {
      rawBody: `${body.slice(0, -1)},"refs":${refs}}`,
      headers: JSON_HEADERS,
    });
    expectValidation(res, ["refs"]);
    expect(res.body.errors.find((e: { path: string }) => e.path === "refs")?.code).toBe("invalid_key");
    const nestedKey = await api("POST", "/contacts/", {
      rawBody: `${body.slice(0, -1)},"refs":{"a":{"__proto__":1}}}`,
      headers: JSON_HEADERS,
    });
    expectValidation(nestedKey, ["refs.a"]);
    expect(await tableCounts()).toEqual(before);
    const contact = await createContact();
    const address = await api("POST", ADDRESSES, { body: addressBody(contact) });
    expect(address.status, address.text).toBe(201);
    const codes = await api("PATCH", `${ADDRESSES}${address.body.id}/`, {
      rawBody: '{"codes":{"__proto__":"KA"}}',
      headers: JSON_HEADERS,
    });
    expectValidation(codes, ["codes"]);
    expect((await api("GET", `${ADDRESSES}${address.body.id}/`)).body.version).toBe(address.body.version);
  });
});

describe("numbers JSON.parse cannot keep are refused, never rounded or turned into null", () => {
  it("400 for an integer past 2^53-1 or a non-finite number anywhere in a body; exact ones are kept", async () => {
    const body = JSON.stringify(await validContact());
    const withRefs = (refs: string) => `${body.slice(0, -1)},"refs":${refs}}`;
    for (const [refs, path] of [
      ['{"loan_no":12345678901234567890}', "refs.loan_no"],
      ['{"big":1e400}', "refs.big"],
      ['{"list":[1,-9007199254740993]}', "refs.list.1"],
    ] as const) {
      const res = await api("POST", "/contacts/", { rawBody: withRefs(refs), headers: JSON_HEADERS });
      expectValidation(res, [path]);
      expect(res.body.errors.find((e: { path: string }) => e.path === path)?.code).toBe("invalid_number");
    }
    const ok = await api("POST", "/contacts/", {
      rawBody: withRefs('{"max":9007199254740991,"amt":1.10,"tiny":1e-300,"neg":-9007199254740991}'),
      headers: JSON_HEADERS,
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.refs).toEqual({ max: 9007199254740991, amt: 1.1, tiny: 1e-300, neg: -9007199254740991 });
  });
});

describe("a search must say what it looks for", () => {
  it("only symbols, or more than 8 words, is 400 on every searchable list; blank is no filter", async () => {
    for (const base of ["/contacts/", ADDRESSES, "/contacts/banks/"]) {
      for (const search of ["*", "&", "-", '"', "😀", "— ...", "a b c d e f g h i"]) {
        const res = await api("GET", `${base}?search=${encodeURIComponent(search)}`);
        expectValidation(res, ["search"]);
      }
      const blank = await api("GET", `${base}?search=`);
      expect(blank.status, blank.text).toBe(200);
      expect(blank.body.count).toBe((await api("GET", base)).body.count);
      expect((await api("GET", `${base}?search=a%20b%20c%20d%20e%20f%20g%20h`)).status).toBe(200);
    }
  });
});

describe("a zero-width joiner or non-joiner does not split a word for search", () => {
  it("a name and an address written with one are found as typed with or without it", async () => {
    const ns = await namespaceOf();
    const name = `विठ्ठल आचार्\u200dय ${unique("j").replace(/[^a-z0-9]/g, "")}`;
    const res = await api("POST", "/contacts/", { body: contactBody(ns, { name }) });
    expect(res.status, res.text).toBe(201);
    const found = async (base: string, search: string) =>
      (await api("GET", `${base}?search=${encodeURIComponent(search)}`)).body.results.map(
        (r: { id: string }) => r.id,
      );
    const tail = name.split(" ").at(-1) as string;
    expect(await found("/contacts/", `आचार्य ${tail}`)).toEqual([res.body.id]);
    expect(await found("/contacts/", `आचार्\u200dय ${tail}`)).toEqual([res.body.id]);
    expect(await found("/contacts/", `य ${tail}`)).toEqual([]);
    const address = await api("POST", ADDRESSES, {
      body: addressBody(res.body.id, { address_line: `12, എറണാകുളം\u200cജില്ല ${tail}` }),
    });
    expect(address.status, address.text).toBe(201);
    expect(await found(ADDRESSES, `എറണാകുളംജില്ല ${tail}`)).toEqual([address.body.id]);
  });
});
