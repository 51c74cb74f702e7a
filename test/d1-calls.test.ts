import { beforeAll, describe, expect, it } from "vitest";
import { api, apiWithEnv } from "./helpers/api";
import { spyD1 } from "./helpers/d1-spy";
import { token } from "./helpers/tokens";

/** D1 round trips per request: each batch, and each statement run outside a batch, is one. */
async function roundTrips(method: string, path: string, body?: unknown) {
  const { binding, spy } = spyD1();
  const res = await apiWithEnv({ DB: binding }, method, path, await token(), {
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { "content-type": "application/json" },
  });
  expect(res.status, res.text).toBeLessThan(300);
  return spy.roundTrips;
}

/**
 * Round trips of a request with an Idempotency-Key, split into the request path and the response store
 * that runs after the response is sent (waitUntil): that one is the `update idempotency_keys` statement.
 */
async function keyedRoundTrips(method: string, path: string, key: string, body: unknown) {
  const { binding, spy } = spyD1();
  const res = await apiWithEnv({ DB: binding }, method, path, await token(), {
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", "idempotency-key": key },
  });
  expect(res.status, res.text).toBeLessThan(300);
  const deferred = spy.statements.filter((s) => /^update idempotency_keys/.test(s.sql)).length;
  return {
    status: res.status,
    replayed: res.headers.get("idempotent-replayed"),
    path: spy.roundTrips - deferred,
    deferred,
  };
}

const props = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, type: "text" }));
let id = "";

beforeAll(async () => {
  await api("POST", "/namespaces/", { body: { name: "Calls", contact_pattern: "C-{seq:5}" } });
  const res = await api("POST", "/contacts/", {
    body: { name: "Kiran Rao", namespace: "Calls", status: "active", type: "individual", props },
  });
  id = res.body.id;
  for (let i = 0; i < 3; i++) {
    await api("POST", "/contacts/addresses/", {
      body: {
        contact_id: id,
        address_line: `${i}, MG Road`,
        city: "Bengaluru",
        state: "Karnataka",
        pincode: "560001",
        country: "India",
      },
    });
  }
});

describe("D1 round trips per request", () => {
  it("create (contact, ref_id counter, 10 props, identifier rows) = 1", async () => {
    expect(
      await roundTrips("POST", "/contacts/", {
        name: "Asha",
        namespace: "Calls",
        status: "active",
        type: "individual",
        props,
      }),
    ).toBe(1);
  });
  it("retrieve = 1", async () => expect(await roundTrips("GET", `/contacts/${id}/`)).toBe(1));
  it("list page (rows and count) = 1", async () =>
    expect(await roundTrips("GET", "/contacts/?status=active")).toBe(1));
  it("search page = 1", async () => expect(await roundTrips("GET", "/contacts/?search=kir")).toBe(1));
  it("cursor page = 1", async () => expect(await roundTrips("GET", "/contacts/?cursor=")).toBe(1));
  it("PATCH = 2: one read to validate and diff, one batch to write", async () => {
    expect(await roundTrips("PATCH", `/contacts/${id}/`, { name: "Kiran K Rao", namespace: "calls" })).toBe(
      2,
    );
  });
  it("PATCH that changes nothing = 1 (the read)", async () => {
    expect(await roundTrips("PATCH", `/contacts/${id}/`, { name: "Kiran K Rao" })).toBe(1);
  });
  it("PATCH of fields nothing is derived from (status, tags, refs, rm_id ...) = 1, changed or not", async () => {
    const body = { rm_id: "RM_7", tags: ["vip"], refs: { crm: "C-1" }, status: "active" };
    expect(await roundTrips("PATCH", `/contacts/${id}/`, body)).toBe(1);
    expect(await roundTrips("PATCH", `/contacts/${id}/`, body)).toBe(1);
  });
  it("an action = 1", async () =>
    expect(await roundTrips("PUT", `/contacts/${id}/approve/`, { reason: "ok" })).toBe(1));
  it("props GET = 1, PUT = 2, DELETE = 2", async () => {
    expect(await roundTrips("GET", `/contacts/${id}/props/`)).toBe(1);
    expect(
      await roundTrips("PUT", `/contacts/${id}/props/`, [{ key: "x", value: "1", type: "number" }]),
    ).toBe(2);
    expect(await roundTrips("DELETE", `/contacts/${id}/props/?key=x`)).toBe(2);
  });
  it("history page = 1", async () => expect(await roundTrips("GET", `/contacts/${id}/history/`)).toBe(1));
  it("retrieve and list with expand=addresses,banks,relations = 1", async () => {
    expect(await roundTrips("GET", `/contacts/${id}/?expand=addresses,banks,relations`)).toBe(1);
    expect(await roundTrips("GET", "/contacts/?expand=addresses,banks,relations&page_size=100")).toBe(1);
    expect(await roundTrips("GET", "/contacts/?expand=addresses,banks,relations&cursor=")).toBe(1);
  });
  it("address create = 1, list = 1, retrieve = 1, PATCH = 2 (read + batch), DELETE = 2 (read + batch)", async () => {
    const body = {
      contact_id: id,
      address_line: "9, Brigade Road",
      city: "Bengaluru",
      state: "Karnataka",
      pincode: "560025",
      country: "India",
    };
    expect(await roundTrips("POST", "/contacts/addresses/", body)).toBe(1);
    const created = await api("POST", "/contacts/addresses/", { body });
    expect(await roundTrips("GET", "/contacts/addresses/?search=brig")).toBe(1);
    expect(await roundTrips("GET", `/contacts/addresses/${created.body.id}/`)).toBe(1);
    expect(await roundTrips("PATCH", `/contacts/addresses/${created.body.id}/`, { city: "Mysuru" })).toBe(2);
    expect(await roundTrips("DELETE", `/contacts/addresses/${created.body.id}/`)).toBe(2);
  });
  it("bank create (clearing another primary) = 1; relation create (history on both contacts) = 1", async () => {
    const bank = { contact_id: id, ifsc: "HDFC0001234", account_holder_name: "Kiran Rao", is_primary: true };
    expect(await roundTrips("POST", "/contacts/banks/", { ...bank, account_number: "111122223333" })).toBe(1);
    expect(await roundTrips("POST", "/contacts/banks/", { ...bank, account_number: "111122224444" })).toBe(1);
    const other = await api("POST", "/contacts/", {
      body: { name: "Asha Rao", namespace: "Calls", status: "active", type: "individual", props: [] },
    });
    expect(
      await roundTrips("POST", "/contacts/relations/", {
        contact: id,
        type: "spouse",
        related_contact: other.body.id,
      }),
    ).toBe(1);
  });
  it("dedupe: by candidate = 1 (2 with a namespace to resolve), by contact_id = 2 (probe, then candidates); +1 to read the matches in full, only when there are any", async () => {
    const pan = [{ key: "pan_no", value: "ABCPK1234F", type: "text" }];
    expect(await roundTrips("POST", "/contacts/dedupe/", { name: "Kiran Rao", props: pan })).toBe(1);
    expect(
      await roundTrips("POST", "/contacts/dedupe/", {
        name: "Kiran Rao",
        namespace: "Calls",
        scope: "namespace",
      }),
    ).toBe(2);
    expect(await roundTrips("POST", "/contacts/dedupe/", { contact_id: id })).toBe(2);
    // Candidates are scored on light rows; the full rows of the top `limit` come in a second round trip.
    expect(await roundTrips("POST", "/contacts/dedupe/", { name: "Kiran Rao", threshold: 0 })).toBe(2);
  });
  it("create with dedupe=block = 1 when nothing blocks it", async () => {
    const body = {
      name: "Unique One",
      namespace: "Calls",
      status: "active",
      type: "individual",
      props: [{ key: "pan", value: "QWEPQ1234Z", type: "text" }],
    };
    expect(await roundTrips("POST", "/contacts/?dedupe=block", body)).toBe(1);
  });
  it("create with an Idempotency-Key = 1 (the claim rides in the write's batch) + 1 deferred store; a replay = 3 (the refused claim, the stored response, whether its contact was erased since)", async () => {
    const body = { name: "Idem Asha", namespace: "Calls", status: "active", type: "individual", props };
    expect(await keyedRoundTrips("POST", "/contacts/", "d1-calls-create", body)).toEqual({
      status: 201,
      replayed: null,
      path: 1,
      deferred: 1,
    });
    expect(await keyedRoundTrips("POST", "/contacts/", "d1-calls-create", body)).toEqual({
      status: 201,
      replayed: "true",
      path: 3,
      deferred: 0,
    });
  });
  it("namespace create with an Idempotency-Key = 1 (+ 1 deferred store)", async () => {
    expect(await keyedRoundTrips("POST", "/namespaces/", "d1-calls-ns", { name: "Calls3" })).toEqual({
      status: 201,
      replayed: null,
      path: 1,
      deferred: 1,
    });
  });
  it("namespace create = 1, list = 1", async () => {
    expect(await roundTrips("POST", "/namespaces/", { name: "Calls2" })).toBe(1);
    expect(await roundTrips("GET", "/namespaces/")).toBe(1);
  });
});
