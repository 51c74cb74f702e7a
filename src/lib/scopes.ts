import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";

export const Scope = {
  read: "contacts:read",
  write: "contacts:write",
  approve: "contacts:approve",
  namespaces: "namespaces:write",
  pii: "contacts:pii",
  erase: "contacts:erase",
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get("auth").scopes.has(scope)) {
      throw new ApiError("forbidden", `This operation needs the ${scope} scope`);
    }
    await next();
  };
}
