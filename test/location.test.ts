import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { contactBody, createContact, namespaceOf } from "./helpers/fixtures";
import { ADDRESSES, addressBody, BANKS, bankBody, RELATIONS } from "./helpers/sub-resources";

describe("a 201 names the created record's URL in Location", () => {
  it("namespaces, contacts, addresses, banks and relations: Location reads back the record", async () => {
    const owner = await createContact();
    const other = await createContact();
    const posts: [string, unknown][] = [
      ["/namespaces/", { name: `Located ${Date.now()}` }],
      ["/contacts/", contactBody(await namespaceOf())],
      [ADDRESSES, addressBody(owner)],
      [BANKS, bankBody(owner)],
      [RELATIONS, { contact: owner, related_contact: other, type: "guarantor" }],
    ];
    for (const [path, body] of posts) {
      const res = await api("POST", path, { body });
      expect(res.status, `${path} ${res.text}`).toBe(201);
      const location = res.headers.get("location");
      expect(location, path).toBe(`${path}${res.body.id}/`);
      const read = await api("GET", location ?? "");
      expect(read.status, path).toBe(200);
      expect(read.body).toEqual(res.body);
    }
    // Without the trailing slash the collection is the same.
    const bare = await api("POST", "/namespaces", { body: { name: `Located bare ${Date.now()}` } });
    expect(bare.headers.get("location")).toBe(`/namespaces/${bare.body.id}/`);
    // A 200 names no new record.
    expect((await api("GET", `/contacts/${owner}/`)).headers.get("location")).toBeNull();
  });

  it("a token that cannot read contacts gets the id and the Location of what it created", async () => {
    const res = await api("POST", "/contacts/", {
      body: contactBody(await namespaceOf()),
      scope: "contacts:write",
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String) });
    expect(res.headers.get("location")).toBe(`/contacts/${res.body.id}/`);
  });
});
