import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";

/** Response headers a browser client may read (API.md, Edge behaviour). */
const EXPOSED =
  "X-Request-Id, ETag, Idempotent-Replayed, X-D1-Bookmark, RateLimit, RateLimit-Policy, Retry-After, Location";
const METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
const REQUEST_HEADERS =
  "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, X-D1-Bookmark";

/** CORS_ORIGINS parsed once per distinct value: "https://a.example, https://b.example/" -> a set of origins. */
const parsed = new Map<string, ReadonlySet<string>>();
function allowedOrigins(config: string | undefined): ReadonlySet<string> {
  const raw = config ?? "";
  let origins = parsed.get(raw);
  if (!origins) {
    origins = new Set(
      raw
        .split(",")
        .map((o) => o.trim().replace(/\/+$/, "").toLowerCase())
        .filter(Boolean),
    );
    parsed.set(raw, origins);
  }
  return origins;
}

/**
 * Browser origins named in CORS_ORIGINS get CORS headers, and their preflights a 204 before any token
 * is asked for (a browser never sends credentials with a preflight). Any other origin gets none: its
 * preflight falls through to auth (401) and its browser refuses the answer.
 */
export const cors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origins = allowedOrigins(c.env.CORS_ORIGINS);
  if (origins.size === 0) return next();
  const origin = c.req.header("origin");
  if (!origin || !origins.has(origin.toLowerCase())) {
    await next();
    c.res.headers.append("Vary", "Origin");
    return;
  }
  if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": METHODS,
      "Access-Control-Allow-Headers": REQUEST_HEADERS,
      "Access-Control-Expose-Headers": EXPOSED,
      "Access-Control-Max-Age": "600",
      Vary: "Origin",
    });
  }
  await next();
  c.res.headers.set("Access-Control-Allow-Origin", origin);
  c.res.headers.set("Access-Control-Expose-Headers", EXPOSED);
  c.res.headers.append("Vary", "Origin");
};
