import { beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { contactBody, namespaceOf } from "./helpers/fixtures";
import { BANKS, bankBody } from "./helpers/sub-resources";
import { ALL_SCOPES } from "./helpers/tokens";

// A token with contacts:pii reads protected identifiers in clear, any other token reads them masked
// (API.md, Personal data): two representations of one record, so two strong tags (RFC 9110 §8.8.1):
// the version's for the clear one, the masked variant's (`"<v>-m"`) for the other; and no cache may
// hand one token's copy to another.

const MASKED = ALL_SCOPES.replace("contacts:pii", "").trim();

let withPan = "";
let plain = "";
let bank = "";

beforeAll(async () => {
  const ns = await namespaceOf();
  const create = async (props: unknown[]) => {
    const res = await api("POST", "/contacts/", { body: contactBody(ns, { props }) });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  withPan = await create([{ key: "pan", value: "ABCPV1234F", type: "text" }]);
  plain = await create([{ key: "note", value: "none", type: "text" }]);
  const res = await api("POST", BANKS, { body: bankBody(plain) });
  expect(res.status, res.text).toBe(201);
  bank = res.body.id;
});

const read = (path: string, scope: string, headers: Record<string, string> = {}) =>
  api("GET", path, { scope, headers });

describe("ETags of the clear and the masked representation", () => {
  for (const [name, path] of [
    ["a contact", () => `/contacts/${withPan}/`],
    ["its props", () => `/contacts/${withPan}/props/`],
    ["a bank account", () => `/contacts/banks/${bank}/`],
    ["a contact with expanded banks", () => `/contacts/${plain}/?expand=banks`],
  ] as const) {
    it(`${name}: the two views carry different tags, each revalidates only itself`, async () => {
      const clear = await read(path(), ALL_SCOPES);
      const masked = await read(path(), MASKED);
      expect(clear.status, clear.text).toBe(200);
      expect(masked.status, masked.text).toBe(200);
      expect(clear.text).not.toBe(masked.text);
      const clearTag = clear.headers.get("etag") ?? "";
      const maskedTag = masked.headers.get("etag") ?? "";
      expect(maskedTag).toMatch(/^"[1-9][0-9]*-[0-9a-z]+"$/);
      expect(clearTag).toMatch(/^"[1-9][0-9]*(-[0-9a-z]+)?"$/);
      expect(clearTag).not.toBe(maskedTag);
      // The masked reader holding the clear copy's tag is not told that copy is current.
      expect((await read(path(), MASKED, { "if-none-match": clearTag })).status).toBe(200);
      expect((await read(path(), ALL_SCOPES, { "if-none-match": maskedTag })).status).toBe(200);
      expect((await read(path(), MASKED, { "if-none-match": maskedTag })).status).toBe(304);
      expect((await read(path(), ALL_SCOPES, { "if-none-match": clearTag })).status).toBe(304);
    });
  }

  it("a record that shows nothing protected has one tag for both views: the version's", async () => {
    const clear = await read(`/contacts/${plain}/`, ALL_SCOPES);
    const masked = await read(`/contacts/${plain}/`, MASKED);
    expect(clear.text).toBe(masked.text);
    expect(clear.headers.get("etag")).toBe(`"${clear.body.version}"`);
    expect(masked.headers.get("etag")).toBe(`"${clear.body.version}"`);
  });

  it("the masked view's tag still names the version for If-Match; the clear view's is the version's", async () => {
    const got = await read(`/contacts/${withPan}/`, MASKED);
    const tag = got.headers.get("etag") ?? "";
    expect(tag).toBe(`"${got.body.version}-m"`);
    expect((await read(`/contacts/${withPan}/`, ALL_SCOPES)).headers.get("etag")).toBe(
      `"${got.body.version}"`,
    );
    const stale = `"${got.body.version + 5}-m"`;
    const write = (ifMatch: string) =>
      api("PATCH", `/contacts/${withPan}/`, {
        scope: MASKED,
        body: { rm_id: "RM-V" },
        headers: { "if-match": ifMatch },
      });
    const refused = await write(stale);
    expect(refused.status, refused.text).toBe(412);
    const ok = await write(tag);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.version).toBe(got.body.version + 1);
    expect(ok.headers.get("etag")).toBe(`"${ok.body.version}-m"`);
  });
});

describe("caching headers of what a token reads", () => {
  it("every authenticated answer varies on Authorization and is private, revalidated before reuse", async () => {
    for (const path of [
      `/contacts/${withPan}/`,
      "/contacts/",
      `/contacts/${withPan}/history/`,
      "/namespaces/",
    ]) {
      const res = await read(path, MASKED);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("vary") ?? "", path).toMatch(/(^|,\s*)Authorization(,|$)/);
      expect(res.headers.get("cache-control"), path).toBe("private, no-cache");
    }
    const health = await api("GET", "/health", { token: null });
    expect(health.headers.get("vary") ?? "").not.toContain("Authorization");
  });

  it("a 304 repeats the tag, Vary and Cache-Control a 200 would have sent", async () => {
    const got = await read(`/contacts/${withPan}/`, MASKED);
    const tag = got.headers.get("etag") ?? "";
    const res = await read(`/contacts/${withPan}/`, MASKED, { "if-none-match": tag });
    expect(res.status).toBe(304);
    expect(res.text).toBe("");
    expect(res.headers.get("etag")).toBe(tag);
    expect(res.headers.get("vary") ?? "").toContain("Authorization");
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
  });
});
