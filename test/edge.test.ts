import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type ApiResponse, api, apiWithEnv } from "./helpers/api";
import { contactBody, createContact, expectProblem, namespaceOf, unique } from "./helpers/fixtures";
import { token } from "./helpers/tokens";

/** API.md, "Edge behaviour": D1 sessions and bookmarks, rate limits, CORS. */

const BOOKMARK = /^[0-9a-f]+(-[0-9a-f]+)+$/;

/** The real database, recording how every request opens its session. */
function recordingDb() {
  const constraints: (string | undefined)[] = [];
  const binding = {
    prepare: (sql: string) => env.DB.prepare(sql),
    batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
    withSession: (constraint?: string) => {
      constraints.push(constraint);
      return env.DB.withSession(constraint);
    },
  };
  return { binding, constraints };
}

describe("D1 sessions and X-D1-Bookmark", () => {
  it("a response that touched the database carries a bookmark; one that did not carries none", async () => {
    const read = await api("GET", "/namespaces/");
    expect(read.status).toBe(200);
    expect(read.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
    const health = await api("GET", "/health", { token: null });
    expect(health.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
    const error = await api("GET", `/contacts/${"0".repeat(26)}/`);
    expect(error.status).toBe(404);
    expect(error.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);

    for (const res of [await api("GET", "/nowhere/"), await api("GET", "/namespaces/", { token: null })]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get("x-d1-bookmark")).toBeNull();
    }
  });

  it("a response whose every statement failed still carries a bookmark (a name taken: 409)", async () => {
    const name = `Bookmark ${Date.now()}`;
    expect((await api("POST", "/namespaces/", { body: { name } })).status).toBe(201);
    const taken = await api("POST", "/namespaces/", { body: { name } });
    expect(taken.status).toBe(409);
    expect(taken.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
  });

  it("round trip: a write's bookmark sent with the next read returns the write, and a bookmark as new", async () => {
    const created = await api("POST", "/contacts/", {
      body: contactBody(await namespaceOf(), { name: "Bookmark Rao" }),
    });
    expect(created.status, created.text).toBe(201);
    const written = created.headers.get("x-d1-bookmark");
    expect(written).toMatch(BOOKMARK);

    const read = await api("GET", `/contacts/${created.body.id}/`, {
      headers: { "X-D1-Bookmark": written as string },
    });
    expect(read.status, read.text).toBe(200);
    expect(read.body.name).toBe("Bookmark Rao");
    const after = read.headers.get("x-d1-bookmark") as string;
    expect(after).toMatch(BOOKMARK);
    expect(after >= (written as string)).toBe(true);

    const listed = await api("GET", "/contacts/?search=bookmark", { headers: { "X-D1-Bookmark": after } });
    expect(listed.status).toBe(200);
    expect(listed.body.results.map((c: { id: string }) => c.id)).toContain(created.body.id);
  });

  it("reads start from the client's bookmark or any replica; writes and dedupe start on the primary", async () => {
    const id = await createContact();
    const { binding, constraints } = recordingDb();
    const bearer = await token();
    const bookmark = (await api("GET", "/namespaces/")).headers.get("x-d1-bookmark") as string;
    const json = { "content-type": "application/json" };
    const send = (
      method: string,
      path: string,
      init: { body?: string; headers?: Record<string, string> } = {},
    ) => apiWithEnv({ DB: binding }, method, path, bearer, init);

    expect((await send("GET", `/contacts/${id}/`)).status).toBe(200);
    expect((await send("GET", `/contacts/${id}/`, { headers: { "x-d1-bookmark": bookmark } })).status).toBe(
      200,
    );
    expect((await send("HEAD", `/contacts/${id}/`, { headers: { "x-d1-bookmark": bookmark } })).status).toBe(
      200,
    );
    const patched = await send("PATCH", `/contacts/${id}/`, {
      body: JSON.stringify({ rm_id: "RM_9" }),
      headers: { ...json, "x-d1-bookmark": bookmark },
    });
    expect(patched.status, patched.text).toBe(200);
    expect((await send("PUT", `/contacts/${id}/approve/`)).status).toBe(200);
    const dedupe = await send("POST", "/contacts/dedupe/", {
      body: JSON.stringify({ contact_id: id }),
      headers: json,
    });
    expect(dedupe.status, dedupe.text).toBe(200);

    // One session per request, opened with the constraint its method calls for.
    expect(constraints).toEqual([
      "first-unconstrained",
      bookmark,
      bookmark,
      "first-primary",
      "first-primary",
      "first-primary",
    ]);
  });

  it("concurrent requests never share a session: every write runs on a primary session", async () => {
    // One contact per request: contention between writes is another test's subject.
    const ids = await Promise.all(Array.from({ length: 20 }, () => createContact()));
    const sessions: { constraint?: string; sql: string[] }[] = [];
    const binding = {
      prepare: (sql: string) => env.DB.prepare(sql),
      batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
      withSession: (constraint?: string) => {
        const real = env.DB.withSession(constraint);
        const record = { constraint, sql: [] as string[] };
        sessions.push(record);
        return {
          prepare: (sql: string) => {
            record.sql.push(sql);
            return real.prepare(sql);
          },
          batch: (statements: D1PreparedStatement[]) => real.batch(statements),
          getBookmark: () => real.getBookmark(),
        };
      },
    };
    const bearer = await token();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2
          ? apiWithEnv({ DB: binding }, "GET", `/contacts/${ids[i]}/`, bearer)
          : apiWithEnv({ DB: binding }, "PATCH", `/contacts/${ids[i]}/`, bearer, {
              body: JSON.stringify({ rm_id: `RM_${i}` }),
              headers: { "content-type": "application/json" },
            }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(sessions).toHaveLength(20);
    const writes = sessions.filter((s) => s.sql.some((q) => /^\s*(update|insert|delete)\b/i.test(q)));
    expect(writes).toHaveLength(10);
    for (const s of writes) expect(s.constraint).toBe("first-primary");
    expect(sessions.filter((s) => s.constraint === "first-unconstrained")).toHaveLength(10);
  });

  it("a malformed bookmark is 400 on the header, after authentication", async () => {
    for (const bad of ["garbage", "0000-zz", "00000000_0000", "-", "a".repeat(300), "00000001-0000 0002"]) {
      const res = await api("GET", "/namespaces/", { headers: { "X-D1-Bookmark": bad } });
      expectProblem(res, 400, "/problems/validation");
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "X-D1-Bookmark" })]);
    }
    const write = await api("POST", "/namespaces/", {
      body: { name: unique("bm") },
      headers: { "X-D1-Bookmark": "not-a-bookmark" },
    });
    expectProblem(write, 400, "/problems/validation");
    expect(
      (await api("GET", "/namespaces/", { token: null, headers: { "X-D1-Bookmark": "x" } })).status,
    ).toBe(401);
  });
});

describe("rate limits (RATE_LIMITER binding)", () => {
  const limited = { RATE_LIMITER: env.TEST_RATE_LIMITER, RATE_LIMIT_REQUESTS: "3", RATE_LIMIT_PERIOD: "60" };
  const get = async (tenant: string, sub: string) =>
    apiWithEnv(limited, "GET", "/namespaces/", await token({ tenant, sub }));
  const minute = () => Math.floor(Date.now() / 60_000);

  it("429 with Retry-After once a (tenant, user) passes its limit; other users and tenants keep theirs", async () => {
    // The simulated limiter counts in wall-clock minutes: a run that crosses a minute is repeated.
    for (let attempt = 0; ; attempt++) {
      const start = minute();
      const user = unique("user");
      const allowed = [await get("t1", user), await get("t1", user), await get("t1", user)];
      const refused = await get("t1", user);
      const otherUser = await get("t1", unique("user"));
      const otherTenant = await get("t2", user);
      if (minute() !== start && attempt < 2) continue;

      for (const [i, res] of allowed.entries()) {
        expect(res.status).toBe(200);
        expect(res.headers.get("ratelimit-policy")).toBe('"default";q=3;w=60');
        // What is left of the quota (2, 1, 0) and the seconds to the end of the minute.
        const [, r, t] = /^"default";r=(\d+);t=(\d+)$/.exec(res.headers.get("ratelimit") ?? "") ?? [];
        expect(Number(r), res.headers.get("ratelimit") ?? "no RateLimit").toBe(2 - i);
        expect(Number(t)).toBeGreaterThanOrEqual(1);
        expect(Number(t)).toBeLessThanOrEqual(60);
      }
      expectProblem(refused, 429, "/problems/rate_limited");
      expect(refused.headers.get("retry-after")).toBe("60");
      expect(refused.headers.get("ratelimit")).toBe('"default";r=0;t=60');
      expect(refused.headers.get("ratelimit-policy")).toBe('"default";q=3;w=60');
      expect(refused.headers.get("x-request-id")).toBe(refused.body.request_id);
      expect(otherUser.status).toBe(200);
      expect(otherTenant.status).toBe(200);
      return;
    }
  });

  it("public routes are not counted; without the binding nothing is limited and no policy is announced", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await apiWithEnv(limited, "GET", "/health", null)).status).toBe(200);
    }
    const bearer = await token({ sub: unique("user") });
    for (let i = 0; i < 5; i++) {
      const res = await apiWithEnv({}, "GET", "/namespaces/", bearer);
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-policy")).toBeNull();
      expect(res.headers.get("ratelimit")).toBeNull();
    }
  });
});

describe("CORS (CORS_ORIGINS)", () => {
  const allowed = "https://app.example.in";
  const cors = { CORS_ORIGINS: ` ${allowed}, https://admin.example.in/ ` };
  const preflight = (origin: string, config: Record<string, unknown> = cors) =>
    apiWithEnv(config, "OPTIONS", "/contacts/", null, {
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-d1-bookmark",
      },
    });
  const exposed = [
    "X-Request-Id",
    "ETag",
    "Idempotent-Replayed",
    "X-D1-Bookmark",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "Location",
  ];

  it("a preflight from an allowed origin is 204 without a token", async () => {
    for (const origin of [allowed, "https://admin.example.in"]) {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
      expect(res.headers.get("access-control-allow-methods")).toContain("PATCH");
      const headers = res.headers.get("access-control-allow-headers")?.toLowerCase().split(/,\s*/);
      expect(headers).toEqual(
        expect.arrayContaining(["authorization", "content-type", "x-d1-bookmark", "if-match"]),
      );
      expect(res.headers.get("vary")).toContain("Origin");
    }
  });

  it("responses to an allowed origin expose the contract's headers; errors included", async () => {
    const ok = await apiWithEnv(cors, "GET", "/namespaces/", await token(), { headers: { origin: allowed } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(ok.headers.get("access-control-expose-headers")?.split(/,\s*/)).toEqual(exposed);
    const unauthorized = await apiWithEnv(cors, "GET", "/namespaces/", null, {
      headers: { origin: allowed },
    });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe(allowed);
  });

  it("another origin gets no CORS headers: its preflight needs a token like any request", async () => {
    const corsHeaders = (res: ApiResponse) =>
      [...res.headers.keys()].filter((k) => k.startsWith("access-control-"));
    const other = await preflight("https://evil.example");
    expect(other.status).toBe(401);
    expect(corsHeaders(other)).toEqual([]);
    const lookalike = await preflight("https://app.example.in.evil.example");
    expect(corsHeaders(lookalike)).toEqual([]);
    const read = await apiWithEnv(cors, "GET", "/namespaces/", await token(), {
      headers: { origin: "https://evil.example" },
    });
    expect(read.status).toBe(200);
    expect(corsHeaders(read)).toEqual([]);
    // CORS_ORIGINS empty (the default): no origin is allowed.
    const unconfigured = await preflight(allowed, {});
    expect(unconfigured.status).toBe(401);
    expect(corsHeaders(unconfigured)).toEqual([]);
  });
});
