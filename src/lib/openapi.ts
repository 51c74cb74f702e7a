import { createRoute, type RouteConfig, type z } from "@hono/zod-openapi";
import { bodyErrors, commonErrors } from "./problems";
import { requireScope, type Scope } from "./scopes";

type ApiRouteConfig = Omit<RouteConfig, "security" | "middleware"> & { scope: Scope };

type ErrorResponses<R extends ApiRouteConfig> = typeof commonErrors &
  (R["request"] extends { body: object } ? typeof bodyErrors : unknown);

/**
 * A route contract with the security requirement, scope check and shared error responses of this API.
 * Paths are written with their trailing slash; the router serves them without it too.
 */
export function apiRoute<const R extends ApiRouteConfig>(config: R) {
  const { scope, responses, ...rest } = config;
  const errors = config.request?.body ? { ...commonErrors, ...bodyErrors } : commonErrors;
  return createRoute({
    ...rest,
    security: [{ bearerAuth: [scope] }],
    middleware: [requireScope(scope)] as const,
    "x-scope": scope,
    // The spread loses the literal keys TypeScript needs to check handlers against each status.
    responses: { ...responses, ...errors } as R["responses"] & ErrorResponses<R>,
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
