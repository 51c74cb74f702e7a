import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { contactBody, createNamespace, expectProblem, type Namespace, sleep } from "./helpers/fixtures";

// A namespace's contact_counter (API.md, Namespaces: integer 1 … 2^53−1, the next value a generated
// ref_id uses) as contact creates advance it: its range, and the namespace's ETag, which must change
// with it (Safe retries: a strong ETag from the record's version).

const MAX = Number.MAX_SAFE_INTEGER; // 2^53 − 1

const getNamespace = (id: string, headers: Record<string, string> = {}) =>
  api<Namespace>("GET", `/namespaces/${id}/`, { headers });

const create = (namespace: string, overrides: Record<string, unknown> = {}) =>
  api("POST", "/contacts/", { body: contactBody(namespace, overrides) });

/** The contacts of a namespace (by name). */
const countIn = async (namespace: string) =>
  (await api("GET", `/contacts/?namespace=${encodeURIComponent(namespace)}`)).body.count as number;

describe("contact_counter stays within 1 … 2^53−1", () => {
  it("a create that would move the counter past 2^53−1 is 409 and writes nothing", async () => {
    const ns = await createNamespace({ contact_pattern: "N-{seq}", contact_counter: MAX - 1 });
    const first = await create(ns.name);
    expect(first.status, first.text).toBe(201);
    expect(first.body.ref_id).toBe(`N-${MAX - 1}`);
    expect((await getNamespace(ns.id)).body.contact_counter).toBe(MAX);

    // The counter's last value would leave it at 2^53: refused, nothing written.
    const before = (await getNamespace(ns.id)).body;
    const refused = await create(ns.name, { name: "Sita Devi" });
    expectProblem(refused, 409, "/problems/conflict");
    expect(refused.body.detail).toMatch(/contact_counter is exhausted/);
    expect((await getNamespace(ns.id)).body).toEqual(before);
    expect(await countIn(ns.name)).toBe(1);

    // A client's own ref_id uses no counter value: still accepted, the counter untouched.
    const own = await create(ns.name, { ref_id: "OWN-1" });
    expect(own.status, own.text).toBe(201);
    expect((await getNamespace(ns.id)).body).toEqual(before);
  });

  it("a namespace created or moved to 2^53−1 gives no generated ref_id", async () => {
    const atMax = await createNamespace({ contact_pattern: "M-{seq:4}", contact_counter: MAX });
    expectProblem(await create(atMax.name), 409, "/problems/conflict");
    expect((await getNamespace(atMax.id)).body.contact_counter).toBe(MAX);

    const moved = await createNamespace({ contact_pattern: "V-{seq}" });
    const patch = await api("PATCH", `/namespaces/${moved.id}/`, { body: { contact_counter: MAX } });
    expect(patch.status, patch.text).toBe(200);
    expectProblem(await create(moved.name), 409, "/problems/conflict");
    expect(await countIn(moved.name)).toBe(0);
  });

  it("without a pattern no counter value is used: creates go on at 2^53−1", async () => {
    const ns = await createNamespace({ contact_counter: MAX });
    const res = await create(ns.name);
    expect(res.status, res.text).toBe(201);
    expect(res.body.ref_id).toBeNull();
    expect((await getNamespace(ns.id)).body).toMatchObject({ contact_counter: MAX, version: 1 });
  });

  it("a generated ref_id a client already took moves the counter on, never past 2^53−1", async () => {
    const ns = await createNamespace({ contact_pattern: "Q-{seq}", contact_counter: MAX - 1 });
    expect((await create(ns.name, { ref_id: `Q-${MAX - 1}` })).status).toBe(201);
    // Q-(MAX−1) is taken: the create moves past it to MAX, the counter's last value, and must stop there.
    expectProblem(await create(ns.name), 409, "/problems/conflict");
    expect((await getNamespace(ns.id)).body.contact_counter).toBe(MAX);
    expect(await countIn(ns.name)).toBe(1);
  });
});

describe("the namespace's ETag follows its contact_counter", () => {
  it("a create that advances the counter gives the namespace a new version and ETag", async () => {
    const ns = await createNamespace({ contact_pattern: "E-{seq:3}" });
    const read = await getNamespace(ns.id);
    const tag = read.headers.get("etag");
    expect(tag).toBe('"1"');
    expect((await getNamespace(ns.id, { "If-None-Match": tag ?? "" })).status).toBe(304);

    expect((await create(ns.name)).status).toBe(201);
    const after = await getNamespace(ns.id, { "If-None-Match": tag ?? "" });
    expect(after.status, after.text).toBe(200);
    expect(after.body).toMatchObject({ contact_counter: 2, version: 2 });
    // updated_at / updated_by tell the last change made to the namespace itself, not its contacts'.
    expect(after.body).toMatchObject({ updated_at: read.body.updated_at, updated_by: null });
    const newTag = after.headers.get("etag");
    expect(newTag).toBe('"2"');
    expect((await getNamespace(ns.id, { "If-None-Match": newTag ?? "" })).status).toBe(304);
  });

  it("If-Match on PATCH names the namespace as last read: a counter advanced since is 412", async () => {
    const ns = await createNamespace({ contact_pattern: "F-{seq}" });
    const tag = (await getNamespace(ns.id)).headers.get("etag") ?? "";
    expect((await create(ns.name)).status).toBe(201);

    const stale = await api("PATCH", `/namespaces/${ns.id}/`, {
      body: { contact_pattern: "G-{seq}" },
      headers: { "If-Match": tag },
    });
    expectProblem(stale, 412, "/problems/precondition_failed");
    expect(stale.headers.get("etag")).toBe('"2"');
    expect((await getNamespace(ns.id)).body).toMatchObject({ contact_pattern: "F-{seq}", version: 2 });

    const fresh = await api("PATCH", `/namespaces/${ns.id}/`, {
      body: { contact_pattern: "G-{seq}" },
      headers: { "If-Match": '"2"' },
    });
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body).toMatchObject({ contact_pattern: "G-{seq}", contact_counter: 2, version: 3 });
    expect(fresh.headers.get("etag")).toBe('"3"');
  });

  it("the counter's PATCH rule still holds against the counter creates advanced (409 lower, 200 same)", async () => {
    const ns = await createNamespace({ contact_pattern: "H-{seq}", contact_counter: 5 });
    for (let i = 0; i < 2; i++) expect((await create(ns.name)).status).toBe(201);
    const current = (await getNamespace(ns.id)).body;
    expect(current).toMatchObject({ contact_counter: 7, version: 3 });
    const lower = await api("PATCH", `/namespaces/${ns.id}/`, {
      body: { contact_counter: 6 },
      headers: { "If-Match": '"3"' },
    });
    expectProblem(lower, 409, "/problems/conflict");
    const forward = await api("PATCH", `/namespaces/${ns.id}/`, { body: { contact_counter: 10 } });
    expect(forward.status, forward.text).toBe(200);
    expect(forward.body).toMatchObject({ contact_counter: 10, version: 4 });
    expect((await create(ns.name)).body.ref_id).toBe("H-10");
  });

  it("a create that uses no counter value (own ref_id, no pattern) leaves the namespace's ETag alone", async () => {
    const patterned = await createNamespace({ contact_pattern: "J-{seq}" });
    const plain = await createNamespace();
    expect((await create(patterned.name, { ref_id: "MINE-1" })).status).toBe(201);
    expect((await create(plain.name)).status).toBe(201);
    for (const ns of [patterned, plain]) {
      const res = await getNamespace(ns.id, { "If-None-Match": '"1"' });
      expect(res.status, ns.name).toBe(304);
    }
  });
});

describe("conditional PATCH racing contact creates", () => {
  it("an If-Match PATCH that a create overtakes is 412, never the counter's 409", async () => {
    // Creates start a little after the PATCHes (0-4 ms), so some land between a PATCH's read and its write.
    for (let round = 0; round < 5; round++) {
      const ns = await createNamespace({ contact_pattern: "R-{seq}" });
      const creates = Array.from({ length: 6 }, () => sleep(round).then(() => create(ns.name)));
      const patches = Array.from({ length: 6 }, (_, i) =>
        api("PATCH", `/namespaces/${ns.id}/`, {
          body: { contact_counter: 2 + i },
          headers: { "If-Match": '"1"' },
        }),
      );
      for (const res of await Promise.all(creates)) expect(res.status, res.text).toBe(201);
      for (const res of await Promise.all(patches)) expect([200, 412], res.text).toContain(res.status);
    }
  });
});
