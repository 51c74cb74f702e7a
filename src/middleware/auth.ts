import type { MiddlewareHandler } from "hono";
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import type { AppEnv, Auth, Bindings } from "../env";
import { ApiError } from "../lib/errors";

const CLOCK_SKEW_SECONDS = 60;
const ASYMMETRIC = ["RS256", "ES256", "EdDSA"];
const MIN_JWKS_TTL_MS = 5 * 60 * 1000;

const unauthorized = (detail: string, tokenSent: boolean) =>
  new ApiError("unauthorized", detail, {
    headers: { "WWW-Authenticate": tokenSent ? 'Bearer error="invalid_token"' : "Bearer" },
  });

type KeySource = { algorithms: string[]; key: JWTVerifyGetKey | CryptoKey | Uint8Array };

/** JWKS documents per URL, kept for max(Cache-Control max-age, 5 minutes); one fetch in flight per URL. */
const jwksCache = new Map<string, { getKey: JWTVerifyGetKey; expires: number; fetchedAt: number }>();
const jwksInFlight = new Map<string, Promise<JWTVerifyGetKey>>();

function maxAgeMs(cacheControl: string | null): number {
  const match = cacheControl?.match(/max-age=(\d+)/i);
  return Math.max(MIN_JWKS_TTL_MS, match ? Number(match[1]) * 1000 : 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JWK's shape as far as this module reads it (importJWK checks the rest). */
function isJwk(value: unknown): value is JWK {
  return (
    isRecord(value) &&
    (value.kty === undefined || typeof value.kty === "string") &&
    (value.alg === undefined || typeof value.alg === "string")
  );
}

/** A JWKS's outer shape (createLocalJWKSet checks each key). */
function isJwkSet(value: unknown): value is JSONWebKeySet {
  return isRecord(value) && Array.isArray(value.keys) && value.keys.every(isRecord);
}

function fetchJwks(url: string): Promise<JWTVerifyGetKey> {
  const pending = jwksInFlight.get(url);
  if (pending) return pending;
  const request = (async () => {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`JWKS fetch failed with ${response.status}`);
    const body: unknown = await response.json();
    if (!isJwkSet(body)) throw new errors.JWKSInvalid("JSON Web Key Set malformed");
    const getKey = createLocalJWKSet(body);
    const now = Date.now();
    jwksCache.set(url, {
      getKey,
      fetchedAt: now,
      expires: now + maxAgeMs(response.headers.get("cache-control")),
    });
    return getKey;
  })().finally(() => jwksInFlight.delete(url));
  jwksInFlight.set(url, request);
  return request;
}

/** A key resolver that serves from the cache and refetches once when a key id is unknown. */
function remoteKeys(url: string): JWTVerifyGetKey {
  return async (header, token) => {
    const cached = jwksCache.get(url);
    const getKey = cached && cached.expires > Date.now() ? cached.getKey : await fetchJwks(url);
    try {
      return await getKey(header, token);
    } catch (error) {
      // One refetch on a key-id miss (key rotation), at most every 30 s so bad tokens cannot stampede the IdP.
      const entry = jwksCache.get(url);
      if (!(error instanceof errors.JWKSNoMatchingKey) || !entry || Date.now() - entry.fetchedAt < 30_000)
        throw error;
      return (await fetchJwks(url))(header, token);
    }
  };
}

function configuredAlgorithms(env: Bindings, fallback: string[]): string[] {
  const pinned = env.JWT_ALGORITHMS?.split(/[\s,]+/).filter(Boolean);
  return pinned?.length ? pinned.filter((alg) => fallback.includes(alg)) : fallback;
}

const publicKeys = new Map<string, Promise<KeySource>>();

/** The HS256 key, imported once per isolate instead of on every request. */
const hmacKeys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    hmacKeys.set(secret, key);
  }
  return key;
}

async function keySource(env: Bindings, alg: string): Promise<KeySource | null> {
  if (alg === "HS256" && env.JWT_SECRET) {
    return { algorithms: ["HS256"], key: await hmacKey(env.JWT_SECRET) };
  }
  if (env.JWT_JWKS_URL) {
    return { algorithms: configuredAlgorithms(env, ASYMMETRIC), key: remoteKeys(env.JWT_JWKS_URL) };
  }
  if (env.JWT_PUBLIC_JWK) {
    const raw = env.JWT_PUBLIC_JWK;
    let source = publicKeys.get(raw);
    if (!source) {
      source = (async () => {
        const jwk: unknown = JSON.parse(raw);
        if (!isJwk(jwk)) throw new TypeError("JWK must be an object");
        const keyAlg = jwk.alg ?? (jwk.kty === "RSA" ? "RS256" : jwk.kty === "EC" ? "ES256" : "EdDSA");
        return {
          algorithms: configuredAlgorithms(env, [keyAlg]),
          key: await importJWK(jwk, keyAlg),
        };
      })();
      publicKeys.set(raw, source);
    }
    return source;
  }
  if (env.JWT_SECRET) return { algorithms: ["HS256"], key: await hmacKey(env.JWT_SECRET) };
  return null;
}

function scopesOf(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  if (typeof payload.scope === "string") for (const s of payload.scope.split(" ")) if (s) scopes.add(s);
  if (Array.isArray(payload.permissions)) {
    for (const p of payload.permissions) if (typeof p === "string") scopes.add(p);
  }
  return scopes;
}

const TENANT_CLAIM = /^[A-Za-z0-9_.-]{1,64}$/;
/** Control, format (bidi marks and overrides, zero-width characters ...) and lone surrogates. */
const USER_CLAIM_REFUSED = /[\p{Cc}\p{Cf}\p{Cs}]/u;

/** The tenant claim: a string, or an integer read as its decimal string, of 1-64 of A-Z a-z 0-9 _ . - */
function tenantClaim(payload: JWTPayload, name: string): string | null {
  const value = payload[name];
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  return typeof text === "string" && TENANT_CLAIM.test(text) ? text : null;
}

/** The user claim: a string of 1-128 characters of any script, without control, format or bidi characters. */
function userClaim(payload: JWTPayload, name: string): string | null {
  const value = payload[name];
  if (typeof value !== "string" || USER_CLAIM_REFUSED.test(value)) return null;
  const length = [...value].length;
  return length >= 1 && length <= 128 ? value : null;
}

/** Verifies a bearer token: who is calling, and until when the token holds. Throws 401/403 problems. */
async function verifyToken(
  env: Bindings,
  authorization: string | undefined,
): Promise<{ auth: Auth; exp: number }> {
  const match = authorization?.match(/^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)\s*$/i);
  if (!authorization) throw unauthorized("A bearer token is required", false);
  // RFC 6750 section 3.1: no error code when no Bearer token was sent (another scheme, or none).
  if (!/^Bearer\s+\S/i.test(authorization)) throw unauthorized("A bearer token is required", false);
  if (!match?.[1]) throw unauthorized("The Authorization header is not a bearer token", true);
  const token = match[1];

  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw unauthorized("The token is malformed", true);
  }
  const source = await keySource(env, alg ?? "");
  if (!source) throw new ApiError("unavailable", "Token verification is not configured");
  if (!alg || !source.algorithms.includes(alg))
    throw unauthorized("The token's algorithm is not accepted", true);

  let payload: JWTPayload;
  try {
    const options = {
      algorithms: source.algorithms,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ["exp"],
      ...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}),
      ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE } : {}),
    };
    const { key } = source;
    ({ payload } =
      typeof key === "function"
        ? await jwtVerify(token, key, options)
        : await jwtVerify(token, key, options));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw unauthorized("The token has expired", true);
    if (error instanceof errors.JWTClaimValidationFailed)
      throw unauthorized(`The token's ${error.claim} claim is not accepted`, true);
    if (error instanceof errors.JOSEError) throw unauthorized("The token could not be verified", true);
    throw error;
  }
  if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) {
    throw unauthorized("The token's iat claim is in the future", true);
  }

  const tenantId = tenantClaim(payload, env.JWT_TENANT_CLAIM || "tenant_id");
  if (!tenantId) throw unauthorized("The token names no valid tenant", true);
  if (env.TENANT_ID && tenantId !== env.TENANT_ID)
    throw new ApiError("forbidden", "This deployment does not serve that tenant");
  const userId = userClaim(payload, env.JWT_USER_CLAIM || "sub");
  if (!userId) throw unauthorized("The token names no valid user", true);
  // jwtVerify requires a numeric exp (requiredClaims), so this only narrows the type.
  if (typeof payload.exp !== "number") throw unauthorized("The token has no valid exp claim", true);
  return { auth: { tenantId, userId, scopes: scopesOf(payload) }, exp: payload.exp };
}

export const PUBLIC_PATHS = /^\/(health\/?|openapi\.json\/?|docs(\/.*)?)$/;

/** Every request except the public service routes needs a valid token, before anything else is checked. */
/**
 * Tokens already verified by this isolate, under the configuration they were verified with, until they
 * expire: clients reuse a token for many requests, and verifying it again is most of auth's CPU time.
 * Only successes are kept; the cache is bounded.
 */
const verified = new Map<string, { auth: Auth; exp: number }>();
const MAX_VERIFIED = 1000;

/** The verification configuration as one string, computed once per bindings object (fixed for a deployment). */
const configKeys = new WeakMap<Bindings, string>();
function configKey(env: Bindings): string {
  let key = configKeys.get(env);
  if (key === undefined) {
    key = [
      env.JWT_SECRET,
      env.JWT_JWKS_URL,
      env.JWT_PUBLIC_JWK,
      env.JWT_ALGORITHMS,
      env.JWT_ISSUER,
      env.JWT_AUDIENCE,
      env.JWT_TENANT_CLAIM,
      env.JWT_USER_CLAIM,
      env.TENANT_ID,
    ].join("\u0000");
    configKeys.set(env, key);
  }
  return key;
}

async function authenticateCached(env: Bindings, authorization: string | undefined): Promise<Auth> {
  const key = authorization ? `${configKey(env)}\u0000${authorization}` : "";
  const hit = key ? verified.get(key) : undefined;
  if (hit && hit.exp > Date.now() / 1000 - CLOCK_SKEW_SECONDS) return hit.auth;
  const { auth, exp } = await verifyToken(env, authorization);
  if (verified.size >= MAX_VERIFIED) {
    const oldest = verified.keys().next();
    if (!oldest.done) verified.delete(oldest.value);
  }
  verified.set(key, { auth, exp });
  return auth;
}

export const auth: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (PUBLIC_PATHS.test(c.req.path) && (c.req.method === "GET" || c.req.method === "HEAD")) return next();
  c.set("auth", await authenticateCached(c.env, c.req.header("authorization")));
  await next();
};
