import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { authAndTenancyCases } from "./helpers/auth-cases";
import { BAD_PAGE_PARAMS, createNamespace, expectInvalid, pageEnvelope, unique } from "./helpers/fixtures";

describe("namespaces: happy path", () => {
  it("creates with defaults, reads it back with and without the trailing slash", async () => {
    const res = await api("POST", "/namespaces/", {
      body: { name: "Vayana", contact_pattern: "CUST-{yyyy}-{seq:6}" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "Vayana",
      contact_pattern: "CUST-{yyyy}-{seq:6}",
      contact_counter: 1,
      account_pattern: null,
      account_counter: 1,
      tenant_id: "t1",
      created_by: "u1",
      updated_by: null,
      version: 1,
    });
    expect(res.body.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(res.body.updated_at).toBe(res.body.created_at);
    for (const path of [
      `/namespaces/${res.body.id}/`,
      `/namespaces/${res.body.id}`,
      `/namespaces/${res.body.id.toLowerCase()}/`,
    ]) {
      const got = await api("GET", path);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    }
  });

  it("ignores read-only fields in the body", async () => {
    const res = await api("POST", "/namespaces/", {
      body: { name: unique("ns"), id: "X", tenant_id: "other", created_by: "mallory", version: 9 },
    });
    expect(res.status).toBe(201);
    expect(res.body.tenant_id).toBe("t1");
    expect(res.body.created_by).toBe("u1");
    expect(res.body.version).toBe(1);
    expect(res.body.id).not.toBe("X");
  });

  it("names are unique per tenant, case-insensitive; other tenants may reuse them", async () => {
    const name = unique("Dup");
    await createNamespace({ name });
    const again = await api("POST", "/namespaces/", { body: { name: name.toUpperCase() } });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe("/problems/conflict");
    const other = await api("POST", "/namespaces/", { body: { name }, tenant: "t2" });
    expect(other.status).toBe(201);
  });

  it("PATCH changes only the fields sent; counters move forward only", async () => {
    const ns = await createNamespace({ contact_pattern: "A-{seq}", contact_counter: 5 });
    const patched = await api("PATCH", `/namespaces/${ns.id}/`, { body: { contact_counter: 7 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      contact_counter: 7,
      contact_pattern: "A-{seq}",
      version: 2,
      updated_by: "u1",
    });
    const back = await api("PATCH", `/namespaces/${ns.id}/`, { body: { contact_counter: 6 } });
    expect(back.status).toBe(409);
    const same = await api("PATCH", `/namespaces/${ns.id}/`, { body: { contact_counter: 7 } });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(2);
    const cleared = await api("PATCH", `/namespaces/${ns.id}/`, { body: { contact_pattern: "" } });
    expect(cleared.body.contact_pattern).toBeNull();
  });

  it("PATCH to a taken name is 409", async () => {
    const a = await createNamespace();
    const b = await createNamespace();
    const res = await api("PATCH", `/namespaces/${b.id}/`, { body: { name: a.name } });
    expect(res.status).toBe(409);
  });

  it("DELETE answers 204, then 404", async () => {
    const ns = await createNamespace();
    expect((await api("DELETE", `/namespaces/${ns.id}/`)).status).toBe(204);
    expect((await api("GET", `/namespaces/${ns.id}/`)).status).toBe(404);
    expect((await api("DELETE", `/namespaces/${ns.id}/`)).status).toBe(404);
  });

  it("lists with the Crego envelope, search and ordering", async () => {
    const tenant = "list-tenant";
    for (const name of ["Alpha", "beta", "Gamma"]) await createNamespace({ name }, tenant);
    const res = await api("GET", "/namespaces/?ordering=name&page_size=2", { tenant });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(pageEnvelope(3, 1, 2));
    expect(res.body.results.map((n: { name: string }) => n.name)).toEqual(["Alpha", "Gamma"]);
    const search = await api("GET", "/namespaces/?search=ETA", { tenant });
    expect(search.body.results.map((n: { name: string }) => n.name)).toEqual(["beta"]);
  });
});

describe("namespaces: validation", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["missing name", {}, "name"],
    ["empty name", { name: "" }, "name"],
    ["name over 100", { name: "a".repeat(101) }, "name"],
    ["name with a bad character", { name: "bad/name" }, "name"],
    ["name of the wrong type", { name: 5 }, "name"],
    ["pattern without seq", { name: "x", contact_pattern: "CUST-{yyyy}" }, "contact_pattern"],
    ["pattern with two seq", { name: "x", contact_pattern: "{seq}-{seq}" }, "contact_pattern"],
    ["unknown placeholder", { name: "x", contact_pattern: "{seq}-{hh}" }, "contact_pattern"],
    ["seq width 13", { name: "x", contact_pattern: "{seq:13}" }, "contact_pattern"],
    ["pattern over 30", { name: "x", contact_pattern: `${"A".repeat(30)}{seq}` }, "contact_pattern"],
    ["pattern with a space", { name: "x", contact_pattern: "A B{seq}" }, "contact_pattern"],
    ["counter 0", { name: "x", contact_counter: 0 }, "contact_counter"],
    ["counter as a string", { name: "x", contact_counter: "3" }, "contact_counter"],
    ["account pattern without seq", { name: "x", account_pattern: "LN" }, "account_pattern"],
    ["unknown field", { name: "x", colour: "red" }, "colour"],
  ];
  for (const [label, body, path] of cases) {
    it(`400 for ${label}`, async () => {
      const res = await api("POST", "/namespaces/", { body });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    });
  }

  it("accepts every placeholder", async () => {
    const res = await api("POST", "/namespaces/", {
      body: {
        name: unique("ns"),
        contact_pattern: "C/{yy}{mm}{dd}.{seq:12}",
        account_pattern: "{yyyy}_{seq}",
      },
    });
    expect(res.status).toBe(201);
  });

  it("lists every invalid field, not just the first", async () => {
    const res = await api("POST", "/namespaces/", { body: { name: "", contact_counter: -1, extra: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "contact_counter",
      "extra",
      "name",
    ]);
    expect(res.body.detail).toBe("3 fields are invalid");
  });

  it("a malformed id is 404", async () => {
    expect((await api("GET", "/namespaces/not-an-id/")).status).toBe(404);
  });

  it("bad page parameters are 400; page_size over 100 is clamped", async () => {
    for (const [q, path] of [
      ...BAD_PAGE_PARAMS,
      ["ordering=colour", "ordering"],
      ["created_at_after=yesterday", "created_at_after"],
    ]) {
      expectInvalid(await api("GET", `/namespaces/?${q}`), [path]);
    }
    const res = await api("GET", "/namespaces/?page_size=1000&page=99");
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([]);
    expect(res.body).toMatchObject({
      current_page: 99,
      has_previous: true,
      previous_page: 98,
      has_next: false,
      next_page: null,
    });
  });
});

const ownNamespace = async () => `/namespaces/${(await createNamespace()).id}/`;
const unchanged = async (path: string) => (await api("GET", path)).body;

authAndTenancyCases("POST /namespaces/", {
  method: "POST",
  path: "/namespaces/",
  body: { name: "x" },
  scope: "namespaces:write",
});
authAndTenancyCases("GET /namespaces/", {
  method: "GET",
  path: "/namespaces/",
  scope: "contacts:read",
  tenancy: { expect: "empty" },
});
authAndTenancyCases("GET /namespaces/{id}/", {
  method: "GET",
  path: ownNamespace,
  scope: "contacts:read",
  tenancy: { expect: "not_found" },
});
authAndTenancyCases("PATCH /namespaces/{id}/", {
  method: "PATCH",
  path: ownNamespace,
  body: { name: "renamed" },
  scope: "namespaces:write",
  tenancy: { expect: "not_found", unchanged },
});
authAndTenancyCases("DELETE /namespaces/{id}/", {
  method: "DELETE",
  path: ownNamespace,
  scope: "namespaces:write",
  tenancy: { expect: "not_found", unchanged },
});
