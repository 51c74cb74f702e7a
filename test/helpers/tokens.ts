import { SignJWT } from "jose";

export const TEST_JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789abcdef";
export const ALL_SCOPES =
  "contacts:read contacts:write contacts:approve namespaces:write contacts:pii contacts:erase";

export type TokenOptions = {
  tenant?: string | null;
  sub?: string | null;
  scope?: string;
  expiresIn?: number | null;
  claims?: Record<string, unknown>;
  secret?: string;
};

/** An HS256 token for the test worker: tenant "t1", user "u1", every scope, 1 hour, unless told otherwise. */
export async function token(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { scope: options.scope ?? ALL_SCOPES, ...options.claims };
  if (options.tenant !== null) payload.tenant_id = options.tenant ?? "t1";
  if (options.sub !== null) payload.sub = options.sub ?? "u1";
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt(now);
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 3600));
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}
