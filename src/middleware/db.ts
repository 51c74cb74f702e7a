import { drizzle } from "drizzle-orm/d1";
import type { MiddlewareHandler } from "hono";
import { contextStorage, tryGetContext } from "hono/context-storage";
import type { AppEnv, Db, DbSession } from "../env";
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

/** The D1 session of the request being served (opened on its first query). */
function currentSession(): D1DatabaseSession {
  const state = tryGetContext<AppEnv>()?.var.dbSession;
  if (!state) throw new Error("D1 query outside a request: c.var.db only runs inside the db middleware");
  state.session ??= state.binding.withSession(state.start);
  return state.session;
}

type Statement = { sql: string; params: unknown[] };

/**
 * A statement that runs on the session of whichever request executes it. Drizzle builds a query once
 * and may keep it (the repositories cache prepared queries per Db); the D1 statement is made at run time
 * on the current request's session, so no statement is ever shared between requests' sessions.
 */
function statement(sql: string, params: unknown[] = []) {
  const onSession = () =>
    currentSession()
      .prepare(sql)
      .bind(...params);
  return {
    sql,
    params,
    bind: (...values: unknown[]) => statement(sql, values),
    all: () => onSession().all(),
    raw: (options?: { columnNames?: boolean }) => onSession().raw(options as { columnNames: true }),
    first: (column?: string) => (column === undefined ? onSession().first() : onSession().first(column)),
    run: () => onSession().run(),
  };
}

const client = {
  prepare: (sql: string) => statement(sql),
  batch: (statements: Statement[]) => {
    const session = currentSession();
    return session.batch(statements.map((s) => session.prepare(s.sql).bind(...s.params)));
  },
};

/**
 * One drizzle instance for the isolate: query building and the repositories' prepared queries are
 * reused across requests, while every query runs on its own request's session. drizzle's D1 driver is
 * typed for D1Database but only calls prepare() and batch().
 */
const db: Db = drizzle(client as unknown as D1Database);
const requestContext = contextStorage();

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
  const state: DbSession = { binding: c.env.DB, start: constraint(c.req.method, sent) };
  c.set("dbSession", state);
  c.set("db", db);
  await requestContext(c, next);
  const latest = state.session?.getBookmark();
  if (latest) c.res.headers.set(BOOKMARK_HEADER, latest);
};
