import { drizzle } from "drizzle-orm/d1";
import type { MiddlewareHandler } from "hono";
import * as schema from "../db/schema";
import type { AppEnv } from "../env";

export const database: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("db", drizzle(c.env.DB, { schema }));
  await next();
};
