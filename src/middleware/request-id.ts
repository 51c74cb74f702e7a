import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { newId } from "../lib/ids";

const ACCEPTED = /^[A-Za-z0-9._-]{1,128}$/;

/** Keeps a well-formed incoming X-Request-Id, else mints one; echoes it on every response. */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const id = incoming && ACCEPTED.test(incoming) ? incoming : newId();
  c.set("requestId", id);
  await next();
  c.res.headers.set("X-Request-Id", id);
};
