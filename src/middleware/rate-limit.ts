import type { MiddlewareHandler } from "hono";
import type { AppEnv, Bindings } from "../env";
import { ApiError } from "../lib/errors";

/**
 * The limiter's quota for RateLimit-Policy. The binding cannot report its own configuration, so the
 * tenant template writes the same numbers into RATE_LIMIT_REQUESTS / RATE_LIMIT_PERIOD.
 */
function policy(env: Bindings): { quota: number | null; window: number } {
  const quota = Number(env.RATE_LIMIT_REQUESTS);
  const window = Number(env.RATE_LIMIT_PERIOD);
  return {
    quota: Number.isInteger(quota) && quota > 0 ? quota : null,
    window: window === 10 ? 10 : 60,
  };
}

/**
 * One counter per (tenant, user) in the Workers rate limiter bound as RATE_LIMITER; without the binding
 * nothing is limited. The binding answers only "allowed or not" (no remaining count, no reset time), so:
 * every response carries RateLimit-Policy; a refused request gets 429 with `RateLimit: r=0` and
 * Retry-After of one whole window, the longest the current window can still last.
 */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const limiter = c.env.RATE_LIMITER;
  const auth = c.get("auth");
  // Public routes (no token) are not counted: they have no user to count them for.
  if (!limiter || !auth) return next();
  const { quota, window } = policy(c.env);
  const policyHeader = quota === null ? undefined : `"default";q=${quota};w=${window}`;
  // The tenant claim cannot contain ":", so the key is unambiguous.
  const { success } = await limiter.limit({ key: `${auth.tenantId}:${auth.userId}` });
  if (!success) {
    throw new ApiError("rate_limited", `Too many requests: retry in ${window} seconds`, {
      headers: {
        "Retry-After": String(window),
        RateLimit: `"default";r=0;t=${window}`,
        ...(policyHeader ? { "RateLimit-Policy": policyHeader } : {}),
      },
    });
  }
  await next();
  if (policyHeader) c.res.headers.set("RateLimit-Policy", policyHeader);
};
