import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env";
import { ApiError, apiErrorIn, isProblemKind, PROBLEMS, problemResponse } from "./lib/errors";
import { logError } from "./lib/log";
import { createRouter } from "./lib/router";
import { auth } from "./middleware/auth";
import { bodyGuard } from "./middleware/body";
import { cors } from "./middleware/cors";
import { database } from "./middleware/db";
import { etags } from "./middleware/etag";
import { idempotency } from "./middleware/idempotency";
import { rateLimit } from "./middleware/rate-limit";
import { requestId } from "./middleware/request-id";
import { PiiKeysError } from "./pii/keyring";
import { addressesRouter } from "./resources/addresses/addresses.index";
import { banksRouter } from "./resources/banks/banks.index";
import { contactsRouter } from "./resources/contacts/contacts.index";
import { dedupeRouter } from "./resources/dedupe/dedupe.index";
import { namespacesRouter } from "./resources/namespaces/namespaces.index";
import { relationsRouter } from "./resources/relations/relations.index";
import { docsRouter } from "./service/docs.routes";
import { healthRouter } from "./service/health.routes";
import { registerOpenApi } from "./service/openapi";

export const app = createRouter();

// Authentication comes before body checks: API.md answers 401 to any unauthenticated request,
// whatever else is wrong with it (an oversized or non-JSON body included). CORS comes before it:
// a browser's preflight carries no token.
// Idempotency runs inside the db middleware: its key is claimed by the request's first write batch.
app.use("*", requestId, cors, auth, rateLimit, bodyGuard, database, idempotency, etags);

app.route("/", healthRouter);
app.route("/", docsRouter);
app.route("/", namespacesRouter);
// Sub-resources first: /contacts/addresses/ must not be taken for /contacts/{contact_id}/.
app.route("/", addressesRouter);
app.route("/", banksRouter);
app.route("/", relationsRouter);
app.route("/", dedupeRouter);
app.route("/", contactsRouter);

registerOpenApi(app);

/**
 * Methods served on a path, for 405 answers: computed once from the registered routes. `path` is the
 * path the router matched (c.req.path: `strict: false` has already dropped one trailing slash), so a
 * route's pattern must match it exactly: `/contacts//` arrives as `/contacts/`, which no route serves
 * (404), and an optional slash here would wrongly call it `/contacts` (a 405 allowing the very method).
 */
let routeTable: { pattern: RegExp; methods: Set<string> }[] | undefined;
function allowedMethods(path: string): string[] {
  routeTable ??= (() => {
    const byPath = new Map<string, Set<string>>();
    for (const route of app.routes) {
      if (route.method === "ALL") continue;
      const methods = byPath.get(route.path) ?? new Set<string>();
      methods.add(route.method);
      if (route.method === "GET") methods.add("HEAD");
      byPath.set(route.path, methods);
    }
    return [...byPath].map(([routePath, methods]) => ({
      pattern: new RegExp(`^${routePath.replace(/\/$/, "").replace(/:[A-Za-z_]+\{([^}]*)\}/g, "(?:$1)")}$`),
      methods,
    }));
  })();
  const allowed = new Set<string>();
  for (const { pattern, methods } of routeTable)
    if (pattern.test(path)) for (const m of methods) allowed.add(m);
  return [...allowed];
}

app.notFound((c) => {
  const allowed = allowedMethods(c.req.path);
  // A 405 names the methods the path serves; one that lists the method used would contradict itself,
  // so such a path is answered as no route (404), whatever the table says.
  if (allowed.length > 0 && !allowed.includes(c.req.method)) {
    return problemResponse(
      c,
      new ApiError("method_not_allowed", `${c.req.method} is not allowed here`, {
        headers: { Allow: allowed.join(", ") },
      }),
    );
  }
  return problemResponse(c, new ApiError("not_found", "No such route"));
});

app.onError((error, c: Context<AppEnv>) => {
  const apiError = apiErrorIn(error);
  if (apiError) return problemResponse(c, apiError);
  if (error instanceof PiiKeysError) {
    // A deployment without (valid) PII_KEYS cannot store or show protected identifiers: say so, no detail.
    logError(c.get("requestId") ?? "", "personal-data keys unavailable", error);
    return problemResponse(c, new ApiError("unavailable", "Personal-data protection is not configured"));
  }
  if (error instanceof HTTPException) {
    const kind = Object.keys(PROBLEMS)
      .filter(isProblemKind)
      .find((k) => PROBLEMS[k].status === error.status);
    if (kind && error.status < 500) return problemResponse(c, new ApiError(kind, error.message));
  }
  logError(c.get("requestId") ?? "", "unhandled error", error);
  return problemResponse(c, new ApiError("internal", "An unexpected error occurred"));
});
