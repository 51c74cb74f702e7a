import type { Auth, Bindings } from "../env";
import { ApiError } from "../lib/errors";
import { Scope } from "../lib/scopes";
import type { RingSource } from "./protection";

/** What a write needs to protect identifiers: the key ring secret and the identifier-index HMAC key. */
export type PiiConfig = { ring: RingSource; hmacKey: string };

/** Who reads: protected identifiers are shown in clear only to tokens with `contacts:pii`. */
export type Viewer = { tenantId: string; clear: boolean; ring: RingSource };

export function piiConfig(env: Bindings): PiiConfig {
  // Without the HMAC key nothing could be indexed without keeping it in clear: refuse to write.
  if (!env.IDENTIFIER_HMAC_KEY)
    throw new ApiError("unavailable", "Identifier protection is not configured (IDENTIFIER_HMAC_KEY)");
  return { ring: env.PII_KEYS, hmacKey: env.IDENTIFIER_HMAC_KEY };
}

export function viewerOf(env: Bindings, auth: Auth): Viewer {
  return { tenantId: auth.tenantId, clear: auth.scopes.has(Scope.pii), ring: env.PII_KEYS };
}
