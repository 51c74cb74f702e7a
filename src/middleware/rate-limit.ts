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
 * Requests let through per (tenant, user) by this isolate in the current window. The limiter counts in
 * fixed windows of its period but reports only "allowed or not", so `RateLimit` on an allowed response
 * is this isolate's share: `r` is an upper bound of what is left (other isolates count too) and `t` the
 * seconds to the window's end. Bounded: a full map starts over, which only raises the estimate.
 */
const seen = new Map<string, { window: number; n: number }>();

function estimate(key: string, quota: number, window: number, now = Date.now()): string {
  const current = Math.floor(now / (window * 1000));
  const entry = seen.get(key);
  const n = entry?.window === current ? entry.n + 1 : 1;
  if (!entry && seen.size >= 10_000) seen.clear();
  seen.set(key, { window: current, n });
  const left = Math.max(1, Math.ceil(((current + 1) * window * 1000 - now) / 1000));
  return `"default";r=${Math.max(0, quota - n)};t=${left}`;
}

/**
 * One counter per (tenant, user) in the Workers rate limiter bound as RATE_LIMITER; without the binding
 * nothing is limited. With the quota configured, every response carries RateLimit-Policy and RateLimit
 * (an allowed one this isolate's estimate); a refused request gets 429 with `RateLimit: r=0` and
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
  const key = `${auth.tenantId}:${auth.userId}`;
  const { success } = await limiter.limit({ key });
  if (!success) {
    throw new ApiError("rate_limited", `Too many requests: retry in ${window} seconds`, {
      headers: {
        "Retry-After": String(window),
        RateLimit: `"default";r=0;t=${window}`,
        ...(policyHeader ? { "RateLimit-Policy": policyHeader } : {}),
      },
    });
  }
  const remaining = quota === null ? undefined : estimate(key, quota, window);
  await next();
  if (policyHeader) c.res.headers.set("RateLimit-Policy", policyHeader);
  if (remaining) c.res.headers.set("RateLimit", remaining);
};
