import { drizzle } from "drizzle-orm/d1";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Db } from "../env";
import { invalid } from "../lib/errors";

export const BOOKMARK_HEADER = "X-D1-Bookmark";

/**
 * D1 bookmarks are hex segments joined by "-" (`00000001-0000000a-00004f3e-<32 hex>` from D1 and
 * Miniflare alike). The exact layout is D1's business, so any run of hex segments is accepted;
 * anything else would only fail later inside D1, so it is refused up front.
 */
const BOOKMARK = /^[0-9a-f]{1,64}(?:-[0-9a-f]{1,64}){1,7}$/i;

/** Reads may start on the nearest replica; writes, and every read a write depends on, go to the primary. */
function constraint(method: string, bookmark: string | undefined): string {
  if (method !== "GET" && method !== "HEAD") return "first-primary";
  return bookmark || "first-unconstrained";
}

/**
 * A drizzle database over a D1 session opened on first use, so a request that never queries (a
 * 404, /docs, a 401 already answered) opens none and gets no bookmark.
 */
function sessionDatabase(binding: D1Database, start: string): { db: Db; bookmark: () => string | null } {
  let session: D1DatabaseSession | undefined;
  const open = () => {
    session ??= binding.withSession(start);
    return session;
  };
  const client = {
    prepare: (sql: string) => open().prepare(sql),
    batch: (statements: D1PreparedStatement[]) => open().batch(statements),
  };
  return {
    // drizzle's D1 driver is typed for D1Database but only calls prepare() and batch(), which a session has.
    db: drizzle(client as unknown as D1Database),
    bookmark: () => session?.getBookmark() ?? null,
  };
}

/**
 * c.var.db: drizzle over a request-scoped D1 session (never shared between requests). GET and HEAD
 * start from the client's X-D1-Bookmark (read-your-writes) or the nearest replica; other methods
 * use the primary. A response that touched the database carries the session's latest bookmark.
 */
export const database: MiddlewareHandler<AppEnv> = async (c, next) => {
  const sent = c.req.header(BOOKMARK_HEADER)?.trim();
  if (sent && (sent.length > 256 || !BOOKMARK.test(sent))) {
    throw invalid([
      { path: BOOKMARK_HEADER, code: "invalid_format", message: "must be a bookmark this API returned" },
    ]);
  }
  const { db, bookmark } = sessionDatabase(c.env.DB, constraint(c.req.method, sent));
  c.set("db", db);
  await next();
  const latest = bookmark();
  if (latest) c.res.headers.set(BOOKMARK_HEADER, latest);
};
