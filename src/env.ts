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
};

export type Bindings = Omit<Env, keyof OptionalConfig> & OptionalConfig;

export type Auth = { tenantId: string; userId: string; scopes: ReadonlySet<string> };

export type Db = DrizzleD1Database;

export type AppEnv = {
  Bindings: Bindings;
  Variables: { requestId: string; auth: Auth; db: Db };
};
