import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, apiWithEnv } from "./helpers/api";
import { expectProblem } from "./helpers/fixtures";
import { token } from "./helpers/tokens";

const MAX = 256 * 1024;

/** A JSON body of exactly `size` bytes. */
const jsonOfSize = (size: number) => {
  const shell = '{"name":""}';
  return `{"name":"${"a".repeat(size - shell.length)}"}`;
};

describe("error model", () => {
  it("404 for an unknown route with a token, 401 without", async () => {
    const res = await api("GET", "/nowhere/");
    expectProblem(res, 404, "/problems/not_found");
    expect(res.body.instance).toBe("/nowhere/");
    expectProblem(await api("GET", "/nowhere/", { token: null }), 401, "/problems/unauthorized");
  });

  it("405 with Allow for a known path and another method; 401 first without a token", async () => {
    const res = await api("PUT", "/namespaces/");
    expectProblem(res, 405, "/problems/method_not_allowed");
    expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);
    const item = await api("POST", "/namespaces/01JKB3Q2W6N7X8Y9Z0A1B2C3D4");
    expect(item.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "HEAD", "PATCH"]);
    expect((await api("PUT", "/namespaces/", { token: null })).status).toBe(401);
  });

  it("413 for a body of 262,145 bytes (checked before parsing); 262,144 is allowed", async () => {
    const headers = { "content-type": "application/json" };
    const over = await api("POST", "/namespaces/", { rawBody: jsonOfSize(MAX + 1), headers });
    expectProblem(over, 413, "/problems/payload_too_large");
    const invalidButLarge = await api("POST", "/namespaces/", { rawBody: `${"[".repeat(MAX + 1)}`, headers });
    expect(invalidButLarge.status).toBe(413);
    const atLimit = await api("POST", "/namespaces/", { rawBody: jsonOfSize(MAX), headers });
    expectProblem(atLimit, 400, "/problems/validation");
    expect(
      (await api("POST", "/namespaces/", { token: null, rawBody: jsonOfSize(MAX + 1), headers })).status,
    ).toBe(401);
  });

  it("413 for an oversized chunked body without Content-Length", async () => {
    const chunk = new TextEncoder().encode("a".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 5) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await api("POST", "/namespaces/", {
      rawBody: stream,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
  });

  it("415 for a body without a JSON content type", async () => {
    const res = await api("POST", "/namespaces/", {
      rawBody: '{"name":"x"}',
      headers: { "content-type": "text/plain" },
    });
    expectProblem(res, 415, "/problems/unsupported_media_type");
    const none = await api("POST", "/namespaces/", { rawBody: new TextEncoder().encode('{"name":"x"}') });
    expect(none.status).toBe(415);
  });

  it("400 for malformed JSON", async () => {
    const res = await api("POST", "/namespaces/", {
      rawBody: '{"name": ',
      headers: { "content-type": "application/json" },
    });
    expectProblem(res, 400, "/problems/malformed_json");
  });

  it("400 with every invalid field for schema violations", async () => {
    const res = await api("POST", "/namespaces/", { body: { name: 7, contact_counter: "x", nope: true } });
    expectProblem(res, 400, "/problems/validation");
    expect(res.body.errors).toHaveLength(3);
    for (const e of res.body.errors) expect(Object.keys(e).sort()).toEqual(["code", "message", "path"]);
  });

  it("a field sent with the wrong JSON type is invalid_type; only an absent one is required", async () => {
    const contact = await api("POST", "/contacts/", {
      body: { name: 123, namespace: "Retail", status: "active", props: "none", tags: [1] },
    });
    expectProblem(contact, 400, "/problems/validation");
    const byPath = Object.fromEntries(contact.body.errors.map((e: { path: string }) => [e.path, e]));
    expect(byPath.name).toEqual({ path: "name", code: "invalid_type", message: "must be a string" });
    expect(byPath.props).toMatchObject({ code: "invalid_type", message: "must be an array" });
    expect(byPath["tags.0"]).toMatchObject({ code: "invalid_type", message: "must be a string" });
    expect(byPath.type).toEqual({ path: "type", code: "required", message: "is required" });
    const ns = await api("POST", "/namespaces/", { body: { name: "Types", contact_counter: "2" } });
    expect(ns.body.errors).toEqual([
      { path: "contact_counter", code: "invalid_type", message: "must be a number" },
    ]);
  });

  it("keeps a well-formed X-Request-Id and replaces a bad one", async () => {
    const kept = await api("GET", "/nowhere/", { headers: { "x-request-id": "trace-123_abc.DEF" } });
    expect(kept.headers.get("x-request-id")).toBe("trace-123_abc.DEF");
    expect(kept.body.request_id).toBe("trace-123_abc.DEF");
    for (const bad of ["has space", "x".repeat(129), "semi;colon"]) {
      const res = await api("GET", "/health", { token: null, headers: { "x-request-id": bad } });
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9A-Z]{26}$/);
    }
    const ok = await api("GET", "/namespaces/");
    expect(ok.headers.get("x-request-id")).toMatch(/^[0-9A-Z]{26}$/);
  });

  it("500 says nothing internal when the database fails; /health answers 503", async () => {
    const failing = {
      prepare() {
        throw new Error("SQLITE_ERROR: no such table: secret_internal_table");
      },
      batch() {
        throw new Error("SQLITE_ERROR: no such table: secret_internal_table");
      },
      withSession() {
        return { ...this, getBookmark: () => null };
      },
    };
    const res = await apiWithEnv({ DB: failing }, "GET", "/namespaces/", await token());
    expectProblem(res, 500, "/problems/internal");
    expect(res.text).not.toMatch(/SQLITE|secret_internal_table|at .*\.ts/);
    const health = await apiWithEnv({ DB: failing }, "GET", "/health", null);
    expectProblem(health, 503, "/problems/unavailable");
  });
});

describe("logs", () => {
  it("a failed query is logged without its parameters (no personal data)", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
    const failingAfterBind = {
      prepare: (sql: string) => {
        const real = env.DB.prepare(sql);
        const fail = () => Promise.reject(new Error("D1_ERROR: no such table: nowhere: SQLITE_ERROR"));
        return {
          bind: () => ({ ...real, all: fail, raw: fail, run: fail, first: fail }),
          all: fail,
          raw: fail,
          run: fail,
          first: fail,
        };
      },
      batch: () => Promise.reject(new Error("D1_ERROR: no such table: nowhere: SQLITE_ERROR")),
      withSession() {
        return { ...this, getBookmark: () => null };
      },
    };
    try {
      // A single (non-batch) query: drizzle wraps its failure in an error whose message lists the
      // parameters. The namespace name stands for any personal value a query may carry.
      const secret = "Ramesh-ABCPK1234F";
      const res = await apiWithEnv({ DB: failingAfterBind }, "POST", "/namespaces/", await token(), {
        body: JSON.stringify({ name: secret }),
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(500);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join("\n")).not.toContain(secret);
      expect(lines.join("\n")).toContain(res.body.request_id);
    } finally {
      spy.mockRestore();
    }
  });
});
