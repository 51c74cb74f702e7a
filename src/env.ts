import type { DrizzleD1Database } from "drizzle-orm/d1";

/** Optional configuration: secrets and variables an operator may set (see README, Configuration). */
export type OptionalConfig = {
  JWT_SECRET?: string;
  JWT_JWKS_URL?: string;
  JWT_PUBLIC_JWK?: string;
  JWT_ALGORITHMS?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  TENANT_ID?: string;
  CURSOR_SECRET?: string;
  IDENTIFIER_HMAC_KEY?: string;
  /** JSON list of {id, key} (base64 of 32 bytes), newest first: encrypts protected identifiers. */
  PII_KEYS?: string;
  /** Comma list of browser origins allowed by CORS; empty: none. */
  CORS_ORIGINS?: string;
  /** Workers rate limiting binding: one counter per (tenant, user); absent: nothing is limited. */
  RATE_LIMITER?: RateLimit;
  /** The limiter's `simple = { limit, period }`, repeated for the RateLimit-Policy header. */
  RATE_LIMIT_REQUESTS?: string;
  RATE_LIMIT_PERIOD?: string;
};

export type Bindings = Omit<Env, keyof OptionalConfig> & OptionalConfig;

export type Auth = { tenantId: string; userId: string; scopes: ReadonlySet<string> };

export type Db = DrizzleD1Database;

/**
 * An Idempotency-Key claim (src/middleware/idempotency.ts): the row the request's first write batch
 * inserts into idempotency_keys, so the key is taken exactly when, and only if, the write commits.
 */
export type IdempotencyClaim = { tenantId: string; key: string; hash: string; at: string; expiresAt: string };

/**
 * The request's D1 session: how it starts, and the session once the first query opened it. `claim`
 * rides in the first write (batch or statement) the request issues; `claimed` once that write committed;
 * `checked` once a statement of the request has looked the key up (its first read, or a claim).
 */
export type DbSession = {
  binding: D1Database;
  start: string;
  session?: D1DatabaseSession;
  claim?: IdempotencyClaim;
  claimed?: boolean;
  checked?: boolean;
};

/** Variables are read with `c.get(name)`: Hono's `c.var` copies every variable into a new object on each read. */
export type AppEnv = {
  Bindings: Bindings;
  Variables: { requestId: string; auth: Auth; db: Db; dbSession: DbSession };
};
