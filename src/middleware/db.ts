import { drizzle } from "drizzle-orm/d1";
import type { MiddlewareHandler } from "hono";
import { contextStorage, tryGetContext } from "hono/context-storage";
import type { AppEnv, Db, DbSession, IdempotencyClaim } from "../env";
import { ApiError, invalid } from "../lib/errors";

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

/** The D1 session state of the request being served. */
function currentState(): DbSession {
  const state = tryGetContext<AppEnv>()?.get("dbSession");
  if (!state)
    throw new Error("D1 query outside a request: the request's db exists only inside the db middleware");
  return state;
}

/** The D1 session of the request being served (opened on its first query). */
export function sessionOf(state: DbSession): D1DatabaseSession {
  state.session ??= state.binding.withSession(state.start);
  return state.session;
}

type Statement = { sql: string; params: unknown[] };

/** drizzle writes start with one of these verbs (no CTE-led writes in this code base). */
const WRITE = /^\s*(?:insert|update|delete|replace)\b/i;

/** Thrown when the idempotency key a write batch claims exists: the batch, write included, rolled back. */
export class IdempotencyKeyTaken extends ApiError {
  constructor() {
    // The default answer (a repeat while the first is in flight); the idempotency middleware replays a
    // stored response or answers 422 instead when it finds one. No "UNIQUE constraint" wording: the
    // repositories' unique-violation handlers must not mistake it for their own conflicts.
    super("conflict", "A request with this Idempotency-Key is still being processed; retry later");
  }
}

function isClaimConflict(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed: idempotency_keys\./i.test(e.message)) return true;
  }
  return false;
}

/**
 * The claim's statements: an expired row of the same key (not purged yet) is dropped, then the key is
 * inserted with no response yet. A live row makes the INSERT fail (primary key), which rolls back the
 * whole batch: the write it rides with never happens without its key, nor twice with it.
 */
function claimStatements(session: D1DatabaseSession, claim: IdempotencyClaim): D1PreparedStatement[] {
  return [
    session
      .prepare("delete from idempotency_keys where tenant_id = ? and key = ? and expires_at <= ?")
      .bind(claim.tenantId, claim.key, claim.at),
    session
      .prepare(
        "insert into idempotency_keys (tenant_id, key, request_hash, created_at, expires_at) values (?, ?, ?, ?, ?)",
      )
      .bind(claim.tenantId, claim.key, claim.hash, claim.at, claim.expiresAt),
  ];
}

/**
 * The request's key as stored and still live. It rides in front of the request's first read, so a
 * request that reads before it writes (a DELETE or PATCH that loads its record), or that turns out to
 * write nothing, still meets a key already used: replayed, 422 or 409 like a claim that found it taken.
 */
function keyLookup(session: D1DatabaseSession, claim: IdempotencyClaim): D1PreparedStatement {
  return session
    .prepare("select 1 as taken from idempotency_keys where tenant_id = ? and key = ? and expires_at > ?")
    .bind(claim.tenantId, claim.key, claim.at);
}

/** Whether `statements`, run now, must carry the request's key: its claim (a write) or its lookup (a read). */
function carriesKey(state: DbSession, statements: Statement[]): boolean {
  if (!state.claim || state.claimed) return false;
  return !state.checked || statements.some((s) => WRITE.test(s.sql));
}

/**
 * Runs `statements` in one D1 batch, with the request's pending idempotency key in front (carriesKey):
 * the claim when one of them writes, else the key's lookup; returns the statements' own results. The key
 * rides in a write: when the writes' SQL guards let nothing through (a stale If-Match, a missing or
 * erased record, a change that changes nothing), the batch wrote nothing, so the claim is given back and
 * a repeat runs again (one more round trip, on that path only; a later write of the request claims the
 * key again).
 */
async function batchWithClaim(state: DbSession, statements: Statement[]): Promise<D1Result[]> {
  const session = sessionOf(state);
  const prepared = statements.map((s) => session.prepare(s.sql).bind(...s.params));
  const claim = state.claim;
  if (!claim || !carriesKey(state, statements)) return prepared.length ? session.batch(prepared) : [];
  state.checked = true;
  const writes = statements.some((s) => WRITE.test(s.sql));
  const head = writes ? claimStatements(session, claim) : [keyLookup(session, claim)];
  let results: D1Result[];
  try {
    results = await session.batch([...head, ...prepared]);
  } catch (error) {
    if (isClaimConflict(error)) throw new IdempotencyKeyTaken();
    throw error;
  }
  if (!writes) {
    if (results[0]?.results.length) throw new IdempotencyKeyTaken();
    return results.slice(head.length);
  }
  const own = results.slice(head.length);
  const wrote = own.some(
    (result, i) => WRITE.test(statements[i]?.sql ?? "") && (result.meta.changes ?? 0) > 0,
  );
  if (wrote) state.claimed = true;
  else await releaseClaim(session, claim);
  return own;
}

/** Deletes the request's own claim, still unanswered, of a batch that wrote nothing. */
async function releaseClaim(session: D1DatabaseSession, claim: IdempotencyClaim): Promise<void> {
  await session
    .prepare(
      "delete from idempotency_keys where tenant_id = ? and key = ? and request_hash = ? and created_at = ? and status is null",
    )
    .bind(claim.tenantId, claim.key, claim.hash, claim.at)
    .run();
}

/** Rows of a batch result as arrays (what raw() returns), the way drizzle maps its own batches. */
const rawRows = (result: D1Result) => result.results.map((row) => (isRecord(row) ? Object.values(row) : []));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * A statement that runs on the session of whichever request executes it. Drizzle builds a query once
 * and may keep it (the repositories cache prepared queries per Db); the D1 statement is made at run time
 * on the current request's session, so no statement is ever shared between requests' sessions. A write
 * run on its own while an idempotency claim is pending becomes a batch of the claim and the write.
 */
function statement(sql: string, params: unknown[] = []) {
  const onSession = () =>
    sessionOf(currentState())
      .prepare(sql)
      .bind(...params);
  const claiming = () => {
    const state = currentState();
    if (!carriesKey(state, [{ sql, params }])) return null;
    return batchWithClaim(state, [{ sql, params }]).then(([result]) => {
      if (result === undefined) throw new Error("A batch of one statement returned no result");
      return result;
    });
  };
  return {
    sql,
    params,
    bind: (...values: unknown[]) => statement(sql, values),
    all: () => claiming() ?? onSession().all(),
    raw: (options?: { columnNames?: boolean }) => {
      // Column names come only from a statement of its own (drizzle asks them of reads only): a pending
      // key is looked up in a batch of its own first.
      if (options?.columnNames)
        return batchWithClaim(currentState(), []).then(() => onSession().raw({ columnNames: true }));
      return claiming()?.then(rawRows) ?? onSession().raw();
    },
    first: (column?: string) => {
      const claimed = claiming();
      if (claimed) {
        return claimed.then(({ results }) => {
          const row = results[0] ?? null;
          if (column === undefined) return row;
          return isRecord(row) ? (row[column] ?? null) : null;
        });
      }
      return column === undefined ? onSession().first() : onSession().first(column);
    },
    run: () => claiming() ?? onSession().run(),
  };
}

const client = {
  prepare: (sql: string) => statement(sql),
  batch: (statements: Statement[]) => batchWithClaim(currentState(), statements),
};

/**
 * One drizzle instance for the isolate: query building and the repositories' prepared queries are
 * reused across requests, while every query runs on its own request's session. drizzle's D1 driver is
 * typed for D1Database but only calls prepare() and batch().
 */
// Cast: drizzle's D1 driver is typed for D1Database but only calls the prepare() and batch() given here.
const db: Db = drizzle(client as unknown as D1Database);
const requestContext = contextStorage();

async function bookmarkRead(session: D1DatabaseSession): Promise<void> {
  try {
    await session.prepare("select 1").run();
  } catch {
    // The answer already says what failed.
  }
}

/**
 * c.get("db"): drizzle over a request-scoped D1 session (never shared between requests). GET and HEAD
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
  if (!state.session) return;
  // When every statement of the request failed (a unique conflict) the session has no bookmark yet: one
  // trivial read gives it one, on that path only. A database that fails that too has none to give.
  if (!state.session.getBookmark()) await bookmarkRead(state.session);
  const latest = state.session.getBookmark();
  if (latest) c.res.headers.set(BOOKMARK_HEADER, latest);
};
