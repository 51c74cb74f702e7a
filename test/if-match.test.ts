import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { createContact, historyOf, unique } from "./helpers/fixtures";

/** API.md, Safe retries: If-Match makes a write conditional; a stale ETag is 412 and nothing is written. */
describe("If-Match", () => {
  it("a contact PATCH with a stale ETag is 412 with the current ETag; record, version and history unchanged", async () => {
    const id = await createContact();
    const first = await api("PATCH", `/contacts/${id}/`, {
      body: { rm_id: "RM1" },
      headers: { "If-Match": '"1"' },
    });
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get("ETag")).toBe('"2"');
    const before = await historyOf(id);
    const stale = await api("PATCH", `/contacts/${id}/`, {
      body: { rm_id: "RM2" },
      headers: { "If-Match": '"1"' },
    });
    expect(stale.status, stale.text).toBe(412);
    expect(stale.headers.get("ETag")).toBe('"2"');
    expect(stale.headers.get("content-type")).toBe("application/problem+json");
    const after = await api("GET", `/contacts/${id}/`);
    expect(after.body).toMatchObject({ rm_id: "RM1", version: 2 });
    expect(await historyOf(id)).toHaveLength(before.length);
  });

  it("actions and props honour If-Match", async () => {
    const id = await createContact();
    expect((await api("PUT", `/contacts/${id}/inactive/`, { headers: { "If-Match": '"7"' } })).status).toBe(
      412,
    );
    const props = await api("PUT", `/contacts/${id}/props/`, {
      body: [{ key: "city", value: "Pune", type: "text" }],
      headers: { "If-Match": '"9"' },
    });
    expect(props.status).toBe(412);
    expect((await api("GET", `/contacts/${id}/`)).body).toMatchObject({
      status: "active",
      props: [],
      version: 1,
    });
  });

  it("a list of tags matches when the current one is among them (RFC 9110 §13.1.1), on every kind of write", async () => {
    const id = await createContact();
    const listed = (...versions: number[]) => ({ "If-Match": versions.map((v) => `"${v}"`).join(", ") });
    const patch = await api("PATCH", `/contacts/${id}/`, {
      body: { rm_id: "RM1" },
      headers: listed(4, 1, 9),
    });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.body.version).toBe(2);
    const act = await api("PUT", `/contacts/${id}/inactive/`, { headers: { "If-Match": `W/"2", "2"` } });
    expect(act.status, act.text).toBe(200);
    // Weak tags never match a strong comparison, and a list without the current version is 412.
    const weak = await api("PUT", `/contacts/${id}/active/`, { headers: { "If-Match": 'W/"3"' } });
    expect(weak.status).toBe(412);
    expect(weak.headers.get("ETag")).toBe('"3"');
    expect((await api("PUT", `/contacts/${id}/active/`, { headers: listed(1, 2, 4) })).status).toBe(412);
    const ns = await api("POST", "/namespaces/", { body: { name: unique("ifl") } });
    const nsPath = `/namespaces/${ns.body.id}/`;
    expect(
      (await api("PATCH", nsPath, { body: { contact_pattern: "L-{seq}" }, headers: listed(3, 2) })).status,
    ).toBe(412);
    expect(
      (await api("PATCH", nsPath, { body: { contact_pattern: "L-{seq}" }, headers: listed(3, 1) })).status,
    ).toBe(200);
    expect((await api("DELETE", nsPath, { headers: listed(5, 2) })).status).toBe(204);
    const address = await api("POST", "/contacts/addresses/", { body: { contact_id: id, city: "Pune" } });
    const addressPath = `/contacts/addresses/${address.body.id}/`;
    expect((await api("PATCH", addressPath, { body: { city: "Goa" }, headers: listed(2, 3) })).status).toBe(
      412,
    );
    expect((await api("PATCH", addressPath, { body: { city: "Goa" }, headers: listed(2, 1) })).status).toBe(
      200,
    );
    expect((await api("DELETE", addressPath, { headers: listed(1, 2) })).status).toBe(204);
  });

  it("a list of hundreds of tags is read like a short one (never a 500 from D1's bound-value limit)", async () => {
    const id = await createContact();
    const many = (current: boolean) => ({
      "If-Match": Array.from({ length: 300 }, (_, i) => `"${i + 2}"`)
        .concat(current ? ['"1"'] : [])
        .join(", "),
    });
    expect((await api("PUT", `/contacts/${id}/inactive/`, { headers: many(false) })).status).toBe(412);
    const act = await api("PUT", `/contacts/${id}/inactive/`, { headers: many(true) });
    expect(act.status, act.text).toBe(200);
    const ns = await api("POST", "/namespaces/", { body: { name: unique("ifmany") } });
    const body = { contact_pattern: "M-{seq}" };
    expect((await api("PATCH", `/namespaces/${ns.body.id}/`, { body, headers: many(false) })).status).toBe(
      412,
    );
    const patched = await api("PATCH", `/namespaces/${ns.body.id}/`, { body, headers: many(true) });
    expect(patched.status, patched.text).toBe(200);
  });

  it("erasure honours If-Match: a stale tag is 412 and nothing is erased; the current one erases", async () => {
    const id = await createContact();
    expect((await api("PATCH", `/contacts/${id}/`, { body: { rm_id: "RM1" } })).status).toBe(200);
    const body = { reason: "DPDP request" };
    const stale = await api("POST", `/contacts/${id}/erase/`, { body, headers: { "If-Match": '"1"' } });
    expect(stale.status, stale.text).toBe(412);
    expect(stale.headers.get("ETag")).toBe('"2"');
    expect((await api("GET", `/contacts/${id}/`)).body).toMatchObject({
      rm_id: "RM1",
      erased_at: null,
      version: 2,
    });
    const erased = await api("POST", `/contacts/${id}/erase/`, { body, headers: { "If-Match": '"2"' } });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toMatchObject({ name: "Erased contact", version: 3 });
    expect(erased.body.erased_at).not.toBeNull();
  });

  it("the tag of a read with expand is accepted by If-Match: it names the contact's version", async () => {
    const id = await createContact();
    const read = await api("GET", `/contacts/${id}/?expand=addresses`);
    const tag = read.headers.get("etag") ?? "";
    expect(tag).toMatch(/^"1-[0-9a-z]+"$/);
    const patch = await api("PATCH", `/contacts/${id}/`, {
      body: { rm_id: "RMX" },
      headers: { "If-Match": tag },
    });
    expect(patch.status, patch.text).toBe(200);
    // The contact moved on: the same tag is now stale.
    const stale = await api("PATCH", `/contacts/${id}/`, {
      body: { rm_id: "RMY" },
      headers: { "If-Match": tag },
    });
    expect(stale.status).toBe(412);
  });

  // addresses, banks and relations: test/sub-resources.test.ts ("ETag and If-Match"), once per resource.
  it("a namespace answers 412 to a stale ETag and keeps the record", async () => {
    const ns = await api("POST", "/namespaces/", { body: { name: unique("ifm") } });
    expect(ns.status, ns.text).toBe(201);
    const path = `/namespaces/${ns.body.id}/`;
    const body = { contact_pattern: "N-{seq}" };
    const patch = await api("PATCH", path, { body, headers: { "If-Match": '"5"' } });
    expect(patch.status, `${path} ${patch.text}`).toBe(412);
    expect(patch.headers.get("ETag")).toBe('"1"');
    const del = await api("DELETE", path, { headers: { "If-Match": '"5"' } });
    expect(del.status, path).toBe(412);
    const read = await api("GET", path);
    expect(read.status).toBe(200);
    expect(read.body.version).toBe(1);
    const ok = await api("PATCH", path, { body, headers: { "If-Match": '"1"' } });
    expect(ok.status, `${path} ${ok.text}`).toBe(200);
  });
});
