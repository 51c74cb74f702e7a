import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { type ApiResponse, api, type RequestOptions } from "./helpers/api";
import { createContact } from "./helpers/fixtures";
import { ALL_SCOPES } from "./helpers/tokens";

let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${seq++}`;

/** A request with an Idempotency-Key whose stored response is written before this returns. */
function keyed(method: string, path: string, key: string, options: RequestOptions = {}) {
  return api(method, path, {
    ...options,
    settle: true,
    headers: { ...options.headers, "Idempotency-Key": key },
  });
}

async function namespaceCount(name: string, tenant?: string): Promise<number> {
  const res = await api("GET", `/namespaces/?search=${encodeURIComponent(name)}`, { tenant });
  expect(res.status).toBe(200);
  return res.body.count;
}

async function storedRow(tenant: string, key: string) {
  return env.DB.prepare("select * from idempotency_keys where tenant_id = ? and key = ?")
    .bind(tenant, key)
    .first<{ status: number | null; headers: string | null; body: string | null; expires_at: string }>();
}

const sameResponse = (replay: ApiResponse, first: ApiResponse) => {
  expect(replay.status).toBe(first.status);
  expect(replay.text).toBe(first.text);
  for (const h of ["content-type", "location", "etag"])
    expect(replay.headers.get(h)).toBe(first.headers.get(h));
  expect(replay.headers.get("idempotent-replayed")).toBe("true");
  expect(first.headers.get("idempotent-replayed")).toBeNull();
};

describe("Idempotency-Key: replays", () => {
  it("replays a create with the same status, headers and body, and creates one record", async () => {
    const name = unique("idem");
    const key = unique("key");
    const first = await keyed("POST", "/namespaces/", key, { body: { name } });
    expect(first.status).toBe(201);
    expect(first.headers.get("etag")).toBe('"1"');
    const replay = await keyed("POST", "/namespaces/", key, { body: { name } });
    sameResponse(replay, first);
    expect(replay.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    // The trailing slash is the same path.
    sameResponse(await keyed("POST", "/namespaces", key, { body: { name } }), first);
    expect(await namespaceCount(name)).toBe(1);
    const row = await storedRow("t1", key);
    expect(row?.status).toBe(201);
    expect(Date.parse(row?.expires_at ?? "") - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
  });

  it("20 concurrent creates with one key create exactly one record; the others replay or answer 409", async () => {
    const name = unique("Concurrent");
    await api("POST", "/namespaces/", { body: { name, contact_pattern: "C-{seq:5}" } });
    const key = unique("key");
    const body = { name: "Meera Iyer", namespace: name, status: "active", type: "individual", props: [] };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        api("POST", "/contacts/", { body, headers: { "Idempotency-Key": key } }),
      ),
    );
    const created = answers.filter((a) => a.status === 201);
    const inFlight = answers.filter((a) => a.status === 409);
    expect(created.length + inFlight.length, answers.map((a) => a.status).join(",")).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    expect(created.filter((a) => a.headers.get("idempotent-replayed") === null)).toHaveLength(1);
    for (const a of inFlight) expect(a.body.type).toBe("/problems/conflict");
    const list = await api("GET", `/contacts/?namespace=${name}`);
    expect(list.body.count).toBe(1);
    // Once the first response is stored, a repeat replays it.
    let repeat = await keyed("POST", "/contacts/", key, { body });
    for (let i = 0; i < 50 && repeat.status === 409; i++) {
      await new Promise((r) => setTimeout(r, 20));
      repeat = await keyed("POST", "/contacts/", key, { body });
    }
    expect(repeat.status).toBe(201);
    expect(repeat.body.id).toBe(created[0]?.body.id);
  });

  it("replays a DELETE's 204 instead of answering 404", async () => {
    const ns = await api("POST", "/namespaces/", { body: { name: unique("del") } });
    const key = unique("key");
    const first = await keyed("DELETE", `/namespaces/${ns.body.id}/`, key);
    expect(first.status).toBe(204);
    const replay = await keyed("DELETE", `/namespaces/${ns.body.id}/`, key);
    expect(replay.status).toBe(204);
    expect(replay.text).toBe("");
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await api("DELETE", `/namespaces/${ns.body.id}/`)).status).toBe(404);
  });

  it("replays a PATCH without writing again (version stays)", async () => {
    const ns = await api("POST", "/namespaces/", { body: { name: unique("patch") } });
    const key = unique("key");
    const body = { contact_counter: 10 };
    const first = await keyed("PATCH", `/namespaces/${ns.body.id}/`, key, { body });
    expect(first.body.version).toBe(2);
    // Another write in between: the replay still answers what the first request got.
    await api("PATCH", `/namespaces/${ns.body.id}/`, { body: { contact_counter: 20 } });
    const replay = await keyed("PATCH", `/namespaces/${ns.body.id}/`, key, { body });
    sameResponse(replay, first);
    expect((await api("GET", `/namespaces/${ns.body.id}/`)).body.version).toBe(3);
  });

  it("replays the 204 of a DELETE that reads its record first (address, bank, relation, props)", async () => {
    const contact = { id: await createContact() };
    const other = { id: await createContact() };
    const address = await api("POST", "/contacts/addresses/", {
      body: { contact_id: contact.id, city: "Pune", type: "current" },
    });
    const bank = await api("POST", "/contacts/banks/", {
      body: {
        contact_id: contact.id,
        account_number: "501000123456",
        ifsc: "HDFC0001234",
        account_holder_name: "Retry Rao",
      },
    });
    const relation = await api("POST", "/contacts/relations/", {
      body: { contact: contact.id, related_contact: other.id, type: "guarantor" },
    });
    const props = await api("PUT", `/contacts/${contact.id}/props/`, {
      body: [{ key: "mobile", value: "9876543210", type: "text" }],
    });
    for (const res of [address, bank, relation, props]) expect(res.status, res.text).toBeLessThan(300);
    for (const path of [
      `/contacts/addresses/${address.body.id}/`,
      `/contacts/banks/${bank.body.id}/`,
      `/contacts/relations/${relation.body.id}/`,
      `/contacts/${contact.id}/props/?key=mobile`,
    ]) {
      const key = unique("key");
      const first = await keyed("DELETE", path, key);
      expect(first.status, `${path}: ${first.text}`).toBe(204);
      const replay = await keyed("DELETE", path, key);
      expect(replay.status, `${path}: ${replay.text}`).toBe(204);
      expect(replay.headers.get("idempotent-replayed"), path).toBe("true");
      expect(replay.headers.get("x-d1-bookmark"), path).toBeTruthy();
    }
  });
});

describe("Idempotency-Key: another request with the same key", () => {
  it("the same key with another body is 422, and writes nothing", async () => {
    const key = unique("key");
    const name = unique("body");
    expect((await keyed("POST", "/namespaces/", key, { body: { name } })).status).toBe(201);
    const other = unique("body");
    const res = await keyed("POST", "/namespaces/", key, { body: { name: other } });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.type).toBe("/problems/unprocessable");
    expect(res.body.request_id).toBe(res.headers.get("x-request-id"));
    expect(await namespaceCount(other)).toBe(0);
  });

  it("the same key on another path (or method) is 422, and writes nothing", async () => {
    const key = unique("key");
    const ns = await keyed("POST", "/namespaces/", key, { body: { name: unique("path") } });
    expect(ns.status).toBe(201);
    const res = await keyed("PATCH", `/namespaces/${ns.body.id}/`, key, { body: { contact_counter: 5 } });
    expect(res.status).toBe(422);
    const got = await api("GET", `/namespaces/${ns.body.id}/`);
    expect(got.body).toMatchObject({ contact_counter: 1, version: 1 });
  });

  it("a used key is 422 also for a request that reads first or would write nothing", async () => {
    const contact = { id: await createContact(), name: "Ramesh Kumar", status: "active" };
    const key = unique("key");
    const first = await keyed("PATCH", `/contacts/${contact.id}/`, key, { body: { tags: ["retry"] } });
    expect(first.status, first.text).toBe(200);
    // A no-op on the one-batch path, a no-op on the read-first path, an action, a DELETE that reads first.
    const others: [string, string, unknown][] = [
      ["PATCH", `/contacts/${contact.id}/`, { tags: ["retry"], status: contact.status }],
      ["PATCH", `/contacts/${contact.id}/`, { name: contact.name }],
      ["PUT", `/contacts/${contact.id}/active/`, {}],
      ["DELETE", `/contacts/${contact.id}/props/?key=nothing`, undefined],
    ];
    for (const [method, path, body] of others) {
      const res = await keyed(method, path, key, body === undefined ? {} : { body });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(422);
      expect(res.body.type).toBe("/problems/unprocessable");
      expect(res.headers.get("x-d1-bookmark")).toBeTruthy();
    }
    const replay = await keyed("PATCH", `/contacts/${contact.id}/`, key, { body: { tags: ["retry"] } });
    sameResponse(replay, first);
    expect((await api("GET", `/contacts/${contact.id}/`)).body.version).toBe(first.body.version);
  });

  it("a stored response read with contacts:pii is not replayed to a token without it (422)", async () => {
    const key = unique("key");
    const body = { name: unique("pii") };
    const masked = ALL_SCOPES.replace("contacts:pii", "").trim();
    expect((await keyed("POST", "/namespaces/", key, { body })).status).toBe(201);
    expect((await keyed("POST", "/namespaces/", key, { body, scope: masked })).status).toBe(422);
    expect((await keyed("POST", "/namespaces/", key, { body })).status).toBe(201);
  });

  it("keys are per tenant: tenant t2 uses t1's key independently", async () => {
    const key = unique("key");
    const body = { name: unique("tenant") };
    const a = await keyed("POST", "/namespaces/", key, { body, tenant: "t1" });
    const b = await keyed("POST", "/namespaces/", key, { body, tenant: "t2" });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect(await namespaceCount(body.name, "t1")).toBe(1);
    expect(await namespaceCount(body.name, "t2")).toBe(1);
  });
});

describe("Idempotency-Key: what is stored", () => {
  it("a validation failure stores nothing: the same key then works with a valid body", async () => {
    const key = unique("key");
    const bad = await keyed("POST", "/namespaces/", key, { body: { name: "bad/name!" } });
    expect(bad.status).toBe(400);
    expect(await storedRow("t1", key)).toBeNull();
    const good = await keyed("POST", "/namespaces/", key, { body: { name: unique("valid") } });
    expect(good.status).toBe(201);
    expect(good.headers.get("idempotent-replayed")).toBeNull();
  });

  it("a write refused by the database (name taken) stores nothing: its batch rolled the claim back", async () => {
    const name = unique("taken");
    await api("POST", "/namespaces/", { body: { name } });
    const key = unique("key");
    expect((await keyed("POST", "/namespaces/", key, { body: { name } })).status).toBe(409);
    expect(await storedRow("t1", key)).toBeNull();
  });

  it("a no-op PATCH writes nothing and keeps no key", async () => {
    const ns = await api("POST", "/namespaces/", { body: { name: unique("noop") } });
    const key = unique("key");
    const same = await keyed("PATCH", `/namespaces/${ns.body.id}/`, key, { body: { contact_counter: 1 } });
    expect(same.status).toBe(200);
    expect(await storedRow("t1", key)).toBeNull();
  });

  // The key rides in a write: a batch whose SQL guard let nothing through gives its claim back.
  it("a write batch that wrote nothing keeps no key: no-op, stale If-Match, missing or erased contact", async () => {
    const id = await createContact();
    const cases: [string, string, RequestOptions][] = [
      ["PATCH", `/contacts/${id}/`, { body: { status: "active" } }],
      ["PATCH", `/contacts/${id}/`, { body: { rm_id: "RM9" }, headers: { "If-Match": '"7"' } }],
      ["PUT", `/contacts/${id}/active/`, {}],
      ["PUT", `/contacts/${id}/inactive/`, { headers: { "If-Match": '"7"' } }],
      ["PATCH", "/contacts/01ARZ3NDEKTSV4RRFFQ69G5FAV/", { body: { rm_id: "RM9" } }],
      ["PUT", "/contacts/01ARZ3NDEKTSV4RRFFQ69G5FAV/approve/", {}],
    ];
    for (const [method, path, options] of cases) {
      const key = unique("key");
      const res = await keyed(method, path, key, options);
      expect(res.status, `${method} ${path}: ${res.text}`).not.toBe(500);
      expect(await storedRow("t1", key), `${method} ${path}`).toBeNull();
    }
    expect((await api("GET", `/contacts/${id}/`)).body).toMatchObject({ version: 1, rm_id: null });
    // A record for a contact that does not exist (400), and a namespace that still holds contacts (409).
    const ns = (await api("GET", `/contacts/${id}/`)).body.namespace_id;
    const address = {
      contact_id: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
      address_line: "12, MG Road",
      city: "Bengaluru",
      state: "Karnataka",
      pincode: "560001",
      country: "India",
    };
    for (const [method, path, options, status] of [
      ["POST", "/contacts/addresses/", { body: address }, 400],
      ["DELETE", `/namespaces/${ns}/`, {}, 409],
    ] as const) {
      const key = unique("key");
      expect((await keyed(method, path, key, options)).status, `${method} ${path}`).toBe(status);
      expect(await storedRow("t1", key), `${method} ${path}`).toBeNull();
    }
    const erased = await createContact();
    expect((await api("POST", `/contacts/${erased}/erase/`, { body: { reason: "DPDP" } })).status).toBe(200);
    const key = unique("key");
    expect((await keyed("PATCH", `/contacts/${erased}/`, key, { body: { rm_id: "RM9" } })).status).toBe(409);
    expect(await storedRow("t1", key)).toBeNull();
  });

  it("after a 412 the same key with a fresh If-Match applies the write, once", async () => {
    const id = await createContact();
    const key = unique("key");
    const body = { rm_id: "RM5" };
    const stale = await keyed("PATCH", `/contacts/${id}/`, key, { body, headers: { "If-Match": '"9"' } });
    expect(stale.status).toBe(412);
    const fresh = await keyed("PATCH", `/contacts/${id}/`, key, { body, headers: { "If-Match": '"1"' } });
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body).toMatchObject({ rm_id: "RM5", version: 2 });
    expect((await storedRow("t1", key))?.status).toBe(200);
    const replay = await keyed("PATCH", `/contacts/${id}/`, key, { body, headers: { "If-Match": '"1"' } });
    sameResponse(replay, fresh);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
  });

  it("rejects a malformed key with 400 on Idempotency-Key", async () => {
    for (const key of ["x".repeat(256), "tab\there"]) {
      const res = await api("POST", "/namespaces/", {
        body: { name: unique("k") },
        headers: { "Idempotency-Key": key },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe("Idempotency-Key");
    }
    expect(
      (await keyed("POST", "/namespaces/", "x".repeat(255), { body: { name: unique("k") } })).status,
    ).toBe(201);
  });

  it("stores the body sealed (PII_KEYS): no protected identifier in clear in idempotency_keys", async () => {
    const namespace = unique("Banks");
    await api("POST", "/namespaces/", { body: { name: namespace, contact_pattern: "B-{seq:5}" } });
    const contact = await api("POST", "/contacts/", {
      body: { name: "Ravi Kumar", namespace, status: "active", type: "individual", props: [] },
    });
    const key = unique("key");
    const body = {
      contact_id: contact.body.id,
      account_number: "918273645501",
      ifsc: "HDFC0001234",
      account_holder_name: "Ravi Kumar",
    };
    const first = await keyed("POST", "/contacts/banks/", key, { body });
    expect(first.status, first.text).toBe(201);
    const row = await storedRow("t1", key);
    expect(row?.body).toMatch(/^v1\./);
    const dump = await env.DB.prepare("select * from idempotency_keys").all();
    expect(JSON.stringify(dump.results)).not.toContain("918273645501");
    expect(first.body.account_number).toBe("918273645501");
    const replay = await keyed("POST", "/contacts/banks/", key, { body });
    sameResponse(replay, first);
  });
});

describe("Idempotency-Key: expiry", () => {
  it("the scheduled handler purges expired keys and keeps live ones", async () => {
    const insert = (key: string, expiresAt: string) =>
      env.DB.prepare(
        "insert into idempotency_keys (tenant_id, key, request_hash, status, headers, body, created_at, expires_at) values ('t9', ?, 'h', 201, '{}', '{}', ?, ?)",
      )
        .bind(key, expiresAt, expiresAt)
        .run();
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 3600_000).toISOString();
    for (let i = 0; i < 3; i++) await insert(`old-${i}`, past);
    await insert("live", future);
    const controller = createScheduledController({ scheduledTime: new Date(), cron: "*/15 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    const { results } = await env.DB.prepare("select key from idempotency_keys where tenant_id = 't9'").all();
    expect(results.map((r) => r.key)).toEqual(["live"]);
  });

  it("an expired key not purged yet is free: the request runs as new", async () => {
    const key = unique("key");
    const body = { name: unique("expired") };
    expect((await keyed("POST", "/namespaces/", key, { body })).status).toBe(201);
    await env.DB.prepare("update idempotency_keys set expires_at = ? where tenant_id = 't1' and key = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), key)
      .run();
    const again = await keyed("POST", "/namespaces/", key, { body: { name: unique("expired") } });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
  });
});
