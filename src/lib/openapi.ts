import { createRoute, OpenAPIHono, type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";
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
  router.openapi = ((route, handler, hook) => {
    const { middleware: _middleware, hide, ...documented } = route;
    if (!hide) router.openAPIRegistry.registerPath(documented);
    return register({ ...route, hide: true, path: honoPath(route.path) }, handler, hook);
  }) as typeof register;
  return router;
}

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;

export const Scope = {
  read: "contacts:read",
  write: "contacts:write",
  approve: "contacts:approve",
  namespaces: "namespaces:write",
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "/problems/validation" }),
    title: z.string().openapi({ example: "Invalid request" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: "1 field is invalid" }),
    instance: z.string().openapi({ example: "/contacts/" }),
    request_id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
    errors: z
      .array(
        z.object({
          path: z.string().openapi({ example: "props.0.type" }),
          code: z.string().openapi({ example: "invalid_enum" }),
          message: z.string().openapi({ example: "must be one of file, number, text, boolean" }),
        }),
      )
      .optional(),
  })
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** Error responses every authenticated operation may give. */
const commonErrors = {
  400: problem("Malformed JSON or invalid fields; `errors` lists every invalid field"),
  401: problem("Missing, malformed, expired or wrongly signed bearer token"),
  403: problem(
    "The token lacks the scope this operation needs, or names a tenant this deployment does not serve",
  ),
  500: problem("Unexpected error; the body says nothing internal, `request_id` finds the log line"),
};
const bodyErrors = {
  413: problem("Body over 256 KiB"),
  415: problem("Body sent without `Content-Type: application/json`"),
};

export const errorResponse = problem;

export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.var.auth.scopes.has(scope)) {
      throw new ApiError("forbidden", `This operation needs the ${scope} scope`);
    }
    await next();
  };
}

type ApiRouteConfig = Omit<RouteConfig, "security" | "middleware"> & { scope: Scope };

/**
 * A route contract with the security requirement, scope check and shared error responses of this API.
 * Paths are written with their trailing slash; the router serves them without it too.
 */
export function apiRoute<const R extends ApiRouteConfig>({ scope, responses, ...config }: R) {
  const hasBody = Boolean(config.request?.body);
  return createRoute({
    ...config,
    security: [{ bearerAuth: [scope] }],
    middleware: [requireScope(scope)] as const,
    "x-scope": scope,
    responses: {
      ...responses,
      ...commonErrors,
      ...(hasBody ? bodyErrors : {}),
    },
  });
}

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { "application/json": { schema } },
});
