import {
  OpenAPIHono,
  type RouteConfig,
  type RouteConfigToTypedResponse,
  type RouteHandler,
} from "@hono/zod-openapi";
import type { Context, TypedResponse } from "hono";
import type { AppEnv } from "../env";
import { validationHook } from "./validation";

/** A path id starts with a digit (ULIDs do; `addresses`, `banks`, `dedupe` do not), so ids never shadow static paths. */
export const ID_SEGMENT = "[0-9][0-9A-Za-z]*";

/** The Hono path of a contract path: no trailing slash, and `{id}` as a Hono parameter constrained to ID_SEGMENT. */
export function honoPath(path: string): string {
  return path.replace(/(.)\/$/, "$1").replace(/\{([A-Za-z_]+)\}/g, `:$1{${ID_SEGMENT}}`);
}

/**
 * Every router comes from here, so all share the app's types, path rules and validation hook.
 * Contracts are documented with their trailing slash (`/contacts/`) but routed without it: with
 * `strict: false` Hono then serves both spellings from one handler, with no redirect.
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({ strict: false, defaultHook: validationHook });
  const register = router.openapi;
  // Cast: the wrapper keeps openapi()'s generic signature, which an arrow function cannot restate.
  router.openapi = ((route, handler, hook) => {
    const { middleware: _middleware, hide, ...documented } = route;
    if (!hide) router.openAPIRegistry.registerPath(documented);
    return register({ ...route, hide: true, path: honoPath(route.path) }, handler, hook);
  }) as typeof register;
  return router;
}

/** A 204 as the route contracts type it (a response with no content). */
export const noContent = (c: Context) =>
  // Cast: c.body(null) is typed as a bodiless Response, the contracts expect a typed 204 with no content.
  c.body(null, 204) as unknown as Response & TypedResponse<Record<never, never>, 204, string>;

/**
 * A handler typed from its route at both ends: `c.req.valid()` from the request schemas, and the
 * returned body and status against the documented responses (an undocumented status or a body of
 * another shape does not compile). Library handlers accept any `Response` when a route has a response
 * without content (a 204); these never do: a 204 is answered with `noContent(c)`.
 */
export type AppRouteHandler<R extends RouteConfig> = (
  c: Parameters<RouteHandler<R, AppEnv>>[0],
) => Promise<RouteConfigToTypedResponse<R>>;
