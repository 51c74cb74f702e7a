import { drizzle } from "drizzle-orm/d1";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Db } from "../env";

/** One drizzle instance per D1 binding for the isolate's life, not one per request. */
const instances = new WeakMap<D1Database, Db>();

export const database: MiddlewareHandler<AppEnv> = async (c, next) => {
  let db = instances.get(c.env.DB);
  if (!db) {
    db = drizzle(c.env.DB);
    instances.set(c.env.DB, db);
  }
  c.set("db", db);
  await next();
};
