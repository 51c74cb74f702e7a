import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { contactBody, namespaceOf } from "./helpers/fixtures";

/**
 * API.md, Scopes: "A response never shows a contact to a token that could not read it". A write by a
 * token without contacts:read answers the contact's id (and its ETag), never its fields; a props write
 * answers only the props it sent.
 */
const WRITE = "contacts:write";
const FULL = "contacts:read contacts:write contacts:approve contacts:erase";

async function stored(id: string) {
  const res = await api("GET", `/contacts/${id}/`);
  expect(res.status, res.text).toBe(200);
  return res;
}

describe("writes by a token that cannot read contacts", () => {
  it("create, PATCH and actions answer only the id, with the contact's ETag", async () => {
    const created = await api("POST", "/contacts/", {
      body: contactBody(await namespaceOf(), {
        name: "Writeonly Rao",
        props: [{ key: "mobile", value: "9812345678", type: "text" }],
      }),
      scope: WRITE,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String) });
    const id = created.body.id as string;
    expect(created.headers.get("etag")).toBe((await stored(id)).headers.get("etag"));

    // A no-op (nothing written) must not read the contact out either.
    const cases: [string, string, unknown, string][] = [
      ["PATCH", `/contacts/${id}/`, { tags: ["vip"] }, WRITE],
      ["PATCH", `/contacts/${id}/`, { tags: ["vip"] }, WRITE],
      ["PUT", `/contacts/${id}/inactive/`, {}, WRITE],
      ["PUT", `/contacts/${id}/active/`, {}, WRITE],
      ["PUT", `/contacts/${id}/approve/`, {}, "contacts:approve"],
    ];
    for (const [method, path, body, scope] of cases) {
      const res = await api(method, path, { body, scope });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(200);
      expect(res.body, `${method} ${path}`).toEqual({ id });
      expect(res.text).not.toContain("Writeonly");
      expect(res.headers.get("etag")).toBe((await stored(id)).headers.get("etag"));
    }
    const full = await stored(id);
    expect(full.body).toMatchObject({ name: "Writeonly Rao", tags: ["vip"], approval_status: "approved" });

    const erased = await api("POST", `/contacts/${id}/erase/`, {
      body: { reason: "asked" },
      scope: "contacts:erase",
    });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toEqual({ id });
  });

  it("a props write answers only the props sent; a token that can read gets every prop", async () => {
    const created = await api("POST", "/contacts/", {
      body: contactBody(await namespaceOf(), {
        name: "Props Writeonly",
        props: [{ key: "mobile", value: "9812345670", type: "text" }],
      }),
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    const sent = [{ key: "segment", value: "retail", type: "text" }];
    const res = await api("PUT", `/contacts/${id}/props/`, { body: sent, scope: WRITE });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      contact_id: id,
      props: [expect.objectContaining({ key: "segment", value: "retail" })],
    });
    expect(res.text).not.toContain("9812345670");
    const reader = await api("PUT", `/contacts/${id}/props/`, { body: sent, scope: FULL });
    expect(reader.body.props.map((p: { key: string }) => p.key).sort()).toEqual(["mobile", "segment"]);
  });

  it("a token that can read gets the whole contact from its writes", async () => {
    const created = await api("POST", "/contacts/", {
      body: contactBody(await namespaceOf(), { name: "Reader Writer" }),
      scope: FULL,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ name: "Reader Writer", version: 1 });
  });
});
