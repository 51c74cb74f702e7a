import { beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { contactBody, createNamespace } from "./helpers/fixtures";

let contactId = "";
let otherId = "";
let namespaceId = "";

beforeAll(async () => {
  namespaceId = (await createNamespace({ name: "Tags", contact_pattern: "T-{seq:5}" })).id;
  const contact = async (name: string) => {
    const props = [{ key: "k", value: "v", type: "text" }];
    const res = await api("POST", "/contacts/", { body: contactBody("Tags", { name, props }) });
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  };
  contactId = await contact("Kiran Rao");
  otherId = await contact("Asha Rao");
});

const tagOf = (version: number) => `"${version}"`;

describe("ETag on every single-record response", () => {
  it("namespaces: create, retrieve and update carry the version's tag; lists carry none", async () => {
    const created = await api("POST", "/namespaces/", { body: { name: "Tagged" } });
    expect(created.headers.get("etag")).toBe(tagOf(1));
    const got = await api("GET", `/namespaces/${created.body.id}/`);
    expect(got.headers.get("etag")).toBe(tagOf(1));
    const patched = await api("PATCH", `/namespaces/${created.body.id}/`, { body: { contact_counter: 4 } });
    expect(patched.headers.get("etag")).toBe(tagOf(2));
    expect((await api("GET", "/namespaces/")).headers.get("etag")).toBeNull();
  });

  it("contacts: create, retrieve, update and actions; props carry the contact's tag", async () => {
    const got = await api("GET", `/contacts/${contactId}/`);
    expect(got.headers.get("etag")).toBe(tagOf(got.body.version));
    const patched = await api("PATCH", `/contacts/${contactId}/`, { body: { name: "Kiran K Rao" } });
    expect(patched.headers.get("etag")).toBe(tagOf(patched.body.version));
    expect(patched.body.version).toBe(got.body.version + 1);
    const action = await api("PUT", `/contacts/${contactId}/approve/`);
    expect(action.headers.get("etag")).toBe(tagOf(action.body.version));
    const props = await api("GET", `/contacts/${contactId}/props/`);
    expect(props.headers.get("etag")).toBe(tagOf(action.body.version));
    const put = await api("PUT", `/contacts/${contactId}/props/`, {
      body: [{ key: "x", value: "1", type: "number" }],
    });
    expect(put.headers.get("etag")).toBe(tagOf(action.body.version + 1));
    expect((await api("GET", "/contacts/")).headers.get("etag")).toBeNull();
    expect((await api("GET", `/contacts/${contactId}/history/`)).headers.get("etag")).toBeNull();
  });

  it("a read with expand has a tag of the contact and every record it embeds", async () => {
    const path = `/contacts/${otherId}/?expand=addresses,banks`;
    const tag = async () => {
      const got = await api("GET", path);
      expect(got.status, got.text).toBe(200);
      const etag = got.headers.get("etag");
      expect(etag).toMatch(/^"[1-9][0-9]*-[0-9a-z]+"$/);
      return etag ?? "";
    };
    const plain = (await api("GET", `/contacts/${otherId}/`)).headers.get("etag");
    const empty = await tag();
    expect(empty).not.toBe(plain);
    expect(await tag()).toBe(empty);
    const address = await api("POST", "/contacts/addresses/", {
      body: { contact_id: otherId, address_line: "12, MG Road", city: "Pune" },
    });
    expect(address.status, address.text).toBe(201);
    const withAddress = await tag();
    expect(withAddress).not.toBe(empty);
    // A write to the embedded address moves its version, not the contact's: the tag still changes.
    expect(
      (await api("PATCH", `/contacts/addresses/${address.body.id}/`, { body: { city: "Nashik" } })).status,
    ).toBe(200);
    expect((await api("GET", `/contacts/${otherId}/`)).headers.get("etag")).toBe(plain);
    const patched = await tag();
    expect(patched).not.toBe(withAddress);
    // If-None-Match: the current tag is 304, a stale one reads the record again.
    const fresh = await api("GET", path, { headers: { "If-None-Match": patched } });
    expect(fresh.status).toBe(304);
    expect(fresh.text).toBe("");
    expect((await api("GET", path, { headers: { "If-None-Match": withAddress } })).status).toBe(200);
    // Gone again: back to a tag of the contact with nothing embedded.
    expect((await api("DELETE", `/contacts/addresses/${address.body.id}/`)).status).toBe(204);
    expect(await tag()).toBe(empty);
    // A body that embeds nothing is tagged as the record alone: an empty expand, or a resource without one.
    expect((await api("GET", `/contacts/${otherId}/?expand=`)).headers.get("etag")).toBe(plain);
    const kept = await api("POST", "/contacts/addresses/", { body: { contact_id: otherId, city: "Pune" } });
    const sub = await api("GET", `/contacts/addresses/${kept.body.id}/?expand=addresses`);
    expect(sub.status, sub.text).toBe(200);
    expect(sub.headers.get("etag")).toBe(tagOf(1));
    expect((await api("DELETE", `/contacts/addresses/${kept.body.id}/`)).status).toBe(204);
    // Lists stay untagged, with expand too.
    expect((await api("GET", "/contacts/?expand=addresses")).headers.get("etag")).toBeNull();
  });

  // addresses, banks and relations: test/sub-resources.test.ts ("ETag and If-Match"), once per resource.
});

describe("If-None-Match on a single-record GET", () => {
  it("answers 304 with the tag and no body when it matches, 200 otherwise", async () => {
    const path = `/namespaces/${namespaceId}/`;
    const current = await api("GET", path);
    const tag = current.headers.get("etag") ?? "";
    for (const header of [tag, `W/${tag}`, `"999", ${tag}`, "*"]) {
      const res = await api("GET", path, { headers: { "If-None-Match": header } });
      expect(res.status, header).toBe(304);
      expect(res.text).toBe("");
      expect(res.headers.get("etag")).toBe(tag);
      expect(res.headers.get("x-request-id")).toBeTruthy();
    }
    const other = await api("GET", path, { headers: { "If-None-Match": '"999"' } });
    expect(other.status).toBe(200);
    expect(other.body.id).toBe(namespaceId);
  });

  it("after a change the old tag no longer matches", async () => {
    const path = `/contacts/${otherId}/`;
    const before = await api("GET", path);
    const tag = before.headers.get("etag") ?? "";
    await api("PATCH", path, { body: { name: "Asha K Rao" } });
    const after = await api("GET", path, { headers: { "If-None-Match": tag } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).toBe(tagOf(before.body.version + 1));
    const props = await api("GET", `${path}props/`, {
      headers: { "If-None-Match": after.headers.get("etag") ?? "" },
    });
    expect(props.status).toBe(304);
  });

  it("a missing record is still 404", async () => {
    const res = await api("GET", "/namespaces/01JKB3Q2W6N7X8Y9Z0A1B2C3D4/", {
      headers: { "If-None-Match": "*" },
    });
    expect(res.status).toBe(404);
  });
});
