import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, apiWithEnv } from "./helpers/api";
import { TEST_JWT_SECRET, token } from "./helpers/tokens";

const PROBE = "/namespaces/";
const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

async function hs256(payload: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", ...header })
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}
const claims = (extra: Record<string, unknown> = {}) => ({
  tenant_id: "t1",
  sub: "u1",
  scope: "contacts:read",
  exp: now() + 600,
  ...extra,
});

function expectInvalidToken(res: { status: number; headers: Headers; body: any }) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body.type).toBe("/problems/unauthorized");
  expect(res.body.request_id).toBe(res.headers.get("x-request-id"));
}

describe("auth: HS256 (JWT_SECRET)", () => {
  it("accepts a valid token", async () => {
    expect((await api("GET", PROBE, { token: await hs256(claims()) })).status).toBe(200);
  });

  it("401 without a token, with a bare Bearer challenge", async () => {
    const res = await api("GET", PROBE, { token: null });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("401 for malformed headers and tokens", async () => {
    for (const header of ["Bearer", "Bearer abc", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Bearer ...."]) {
      const res = await api("GET", PROBE, { token: null, headers: { Authorization: header } });
      expect(res.status, header).toBe(401);
    }
    expectInvalidToken(await api("GET", PROBE, { token: "abc.def.ghi" }));
  });

  it("401 for a wrong signature", async () => {
    expectInvalidToken(
      await api("GET", PROBE, { token: await token({ secret: "not-the-secret-not-the-secret!!!" }) }),
    );
  });

  it("401 for alg: none", async () => {
    const unsigned = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims())}.`;
    expectInvalidToken(await api("GET", PROBE, { token: unsigned }));
  });

  it("401 for an expired token, 200 within the 60 s skew", async () => {
    expectInvalidToken(await api("GET", PROBE, { token: await hs256(claims({ exp: now() - 120 })) }));
    expect((await api("GET", PROBE, { token: await hs256(claims({ exp: now() - 30 })) })).status).toBe(200);
  });

  it("401 without exp", async () => {
    const { exp: _exp, ...noExp } = claims();
    expectInvalidToken(await api("GET", PROBE, { token: await hs256(noExp) }));
  });

  it("401 for nbf or iat more than 60 s in the future; within the skew is accepted", async () => {
    expectInvalidToken(await api("GET", PROBE, { token: await hs256(claims({ nbf: now() + 120 })) }));
    expectInvalidToken(await api("GET", PROBE, { token: await hs256(claims({ iat: now() + 120 })) }));
    expect(
      (await api("GET", PROBE, { token: await hs256(claims({ nbf: now() + 30, iat: now() + 30 })) })).status,
    ).toBe(200);
  });

  it("401 without a tenant claim", async () => {
    const { tenant_id: _t, ...noTenant } = claims();
    expectInvalidToken(await api("GET", PROBE, { token: await hs256(noTenant) }));
  });

  it("403 without the route's scope; scopes also come from `permissions`", async () => {
    const res = await api("GET", PROBE, { token: await hs256(claims({ scope: "contacts:write" })) });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe("/problems/forbidden");
    const { scope: _s, ...noScope } = claims();
    const viaPermissions = await hs256({ ...noScope, permissions: ["contacts:read"] });
    expect((await api("GET", PROBE, { token: viaPermissions })).status).toBe(200);
  });

  it("checks iss and aud when JWT_ISSUER / JWT_AUDIENCE are set", async () => {
    const config = { JWT_ISSUER: "https://idp.example", JWT_AUDIENCE: "contact-api" };
    const probe = async (extra?: Record<string, unknown>) =>
      apiWithEnv(config, "GET", PROBE, await hs256(claims(extra)));
    expect((await probe({ iss: "https://idp.example", aud: "contact-api" })).status).toBe(200);
    expectInvalidToken(await probe({ iss: "https://evil", aud: "contact-api" }));
    expectInvalidToken(await probe({ iss: "https://idp.example", aud: "other" }));
    expectInvalidToken(await probe());
  });

  it("reads tenant and user from the configured claim names", async () => {
    const config = { JWT_TENANT_CLAIM: "org", JWT_USER_CLAIM: "email" };
    const t = await hs256({
      org: "t1",
      email: "ops@lender.example",
      scope: "contacts:read namespaces:write",
      exp: now() + 600,
    });
    const created = await apiWithEnv(config, "POST", PROBE, t, {
      body: JSON.stringify({ name: `claims-${Date.now()}` }),
      headers: { "content-type": "application/json" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tenant_id: "t1", created_by: "ops@lender.example" });
  });

  it("a deployment pinned by TENANT_ID answers 403 to other tenants", async () => {
    expect((await apiWithEnv({ TENANT_ID: "t1" }, "GET", PROBE, await hs256(claims()))).status).toBe(200);
    const other = await apiWithEnv(
      { TENANT_ID: "t1" },
      "GET",
      PROBE,
      await hs256(claims({ tenant_id: "t2" })),
    );
    expect(other.status).toBe(403);
    expect(other.body.type).toBe("/problems/forbidden");
  });
});

describe("auth: verified tokens are remembered only while they hold", () => {
  it("a remembered token still expires, and is checked again under another configuration", async () => {
    const short = await hs256(claims({ exp: now() + 10, jti: "short-lived" }));
    expect((await api("GET", PROBE, { token: short })).status).toBe(200);
    expect((await apiWithEnv({ TENANT_ID: "someone-else" }, "GET", PROBE, short)).status).toBe(403);
    vi.useFakeTimers({ now: Date.now() + 120_000, toFake: ["Date"] });
    try {
      expectInvalidToken(await api("GET", PROBE, { token: short }));
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("auth: asymmetric keys", () => {
  afterEach(() => vi.restoreAllMocks());

  for (const alg of ["RS256", "ES256", "EdDSA"] as const) {
    it(`${alg} with JWT_PUBLIC_JWK; the HMAC-with-public-key trick is refused`, async () => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), alg };
      const config = { JWT_SECRET: undefined, JWT_PUBLIC_JWK: JSON.stringify(jwk) };
      const signed = await new SignJWT(claims()).setProtectedHeader({ alg }).sign(privateKey);
      expect((await apiWithEnv(config, "GET", PROBE, signed)).status).toBe(200);
      const hmacWithPublicKey = await new SignJWT(claims())
        .setProtectedHeader({ alg: "HS256" })
        .sign(new TextEncoder().encode(JSON.stringify(jwk)));
      expectInvalidToken(await apiWithEnv(config, "GET", PROBE, hmacWithPublicKey));
      // With both configured, an HS256 token is still checked against the secret only.
      const both = { JWT_PUBLIC_JWK: JSON.stringify(jwk) };
      expectInvalidToken(await apiWithEnv(both, "GET", PROBE, hmacWithPublicKey));
    });
  }

  it("JWKS: fetched once and cached, refetched once on an unknown kid", async () => {
    const first = await generateKeyPair("ES256", { extractable: true });
    const second = await generateKeyPair("ES256", { extractable: true });
    const keys = [{ ...(await exportJWK(first.publicKey)), kid: "k1", alg: "ES256" }];
    const url = `https://idp.example/jwks-${Date.now()}.json`;
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      expect(String(input instanceof Request ? input.url : input)).toBe(url);
      return new Response(JSON.stringify({ keys }), { headers: { "cache-control": "max-age=60" } });
    });
    const config = { JWT_SECRET: undefined, JWT_JWKS_URL: url };
    const sign = (key: CryptoKey, kid: string) =>
      new SignJWT(claims()).setProtectedHeader({ alg: "ES256", kid }).sign(key);

    for (let i = 0; i < 3; i++)
      expect((await apiWithEnv(config, "GET", PROBE, await sign(first.privateKey, "k1"))).status).toBe(200);
    expect(fetchSpy).toHaveBeenCalledTimes(1);

    // Key rotation: the IdP now also publishes k2; a token with k2 triggers exactly one refetch.
    keys.push({ ...(await exportJWK(second.publicKey)), kid: "k2", alg: "ES256" });
    vi.useFakeTimers({ now: Date.now() + 31_000, toFake: ["Date"] });
    try {
      expect((await apiWithEnv(config, "GET", PROBE, await sign(second.privateKey, "k2"))).status).toBe(200);
      expect(fetchSpy).toHaveBeenCalledTimes(2);
      // An unknown kid right after a refetch is refused without another fetch (no stampede).
      expectInvalidToken(await apiWithEnv(config, "GET", PROBE, await sign(second.privateKey, "k3")));
      expect(fetchSpy).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("JWKS: kept for the IdP's Cache-Control max-age, and at least 5 minutes", async () => {
    const pair = await generateKeyPair("ES256", { extractable: true });
    const keys = [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256" }];
    const start = Date.now();
    for (const [maxAge, stillCachedAt, refetchedAt] of [
      [3600, 50 * 60_000, 61 * 60_000],
      [60, 4 * 60_000, 6 * 60_000],
    ] as const) {
      const url = `https://idp.example/jwks-ttl-${maxAge}-${start}.json`;
      const fetchSpy = vi
        .spyOn(globalThis, "fetch")
        .mockImplementation(
          async () =>
            new Response(JSON.stringify({ keys }), { headers: { "cache-control": `max-age=${maxAge}` } }),
        );
      const config = { JWT_SECRET: undefined, JWT_JWKS_URL: url };
      // A fresh token at each instant (its iat moves), so the verified-token cache cannot answer.
      const probeAt = async (offset: number) => {
        vi.useFakeTimers({ now: start + offset, toFake: ["Date"] });
        try {
          const token = await new SignJWT(claims())
            .setProtectedHeader({ alg: "ES256", kid: "k1" })
            .sign(pair.privateKey);
          expect((await apiWithEnv(config, "GET", PROBE, token)).status).toBe(200);
        } finally {
          vi.useRealTimers();
        }
      };
      try {
        await probeAt(0);
        await probeAt(stillCachedAt);
        expect(fetchSpy, `max-age=${maxAge}: cached`).toHaveBeenCalledTimes(1);
        await probeAt(refetchedAt);
        expect(fetchSpy, `max-age=${maxAge}: refetched once expired`).toHaveBeenCalledTimes(2);
      } finally {
        fetchSpy.mockRestore();
      }
    }
  });

  it("503 when no verification key is configured", async () => {
    const res = await apiWithEnv({ JWT_SECRET: undefined }, "GET", PROBE, await hs256(claims()));
    expect(res.status).toBe(503);
    expect(res.text).not.toContain(TEST_JWT_SECRET);
  });
});
