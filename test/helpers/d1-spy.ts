import { env } from "cloudflare:workers";

export type Captured = { sql: string; params: unknown[] };

/**
 * A D1 binding that counts round trips (each first/all/run/raw call and each batch is one) and
 * records every statement with its parameters, passing everything through to the real database.
 */
export function spyD1(db: D1Database = env.DB) {
  const spy = { roundTrips: 0, statements: [] as Captured[] };
  type Wrapped = { inner: D1PreparedStatement; sql: string; params: unknown[] };
  const wrap = (inner: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
    const state: Wrapped = { inner, sql, params };
    const record = () => spy.statements.push({ sql, params });
    return {
      __spy: state,
      bind: (...values: unknown[]) => wrap(inner.bind(...values), sql, values),
      first: (...args: [string?]) => {
        spy.roundTrips++;
        record();
        return inner.first(...(args as [string]));
      },
      all: () => {
        spy.roundTrips++;
        record();
        return inner.all();
      },
      run: () => {
        spy.roundTrips++;
        record();
        return inner.run();
      },
      raw: (options?: { columnNames?: boolean }) => {
        spy.roundTrips++;
        record();
        return inner.raw(options as { columnNames: true });
      },
    } as unknown as D1PreparedStatement;
  };
  // The worker queries through a D1 session (withSession): the spy wraps the session the same way.
  const spied = (target: Pick<D1Database, "prepare" | "batch">) => ({
    prepare: (sql: string) => wrap(target.prepare(sql), sql, []),
    batch: (statements: D1PreparedStatement[]) => {
      spy.roundTrips++;
      const inner = statements.map((s) => {
        const state = (s as unknown as { __spy: Wrapped }).__spy;
        spy.statements.push({ sql: state.sql, params: state.params });
        return state.inner;
      });
      return target.batch(inner);
    },
  });
  const binding = {
    ...spied(db),
    exec: (sql: string) => db.exec(sql),
    dump: () => db.dump(),
    withSession: (constraintOrBookmark?: string) => {
      const session = db.withSession(constraintOrBookmark);
      return { ...spied(session), getBookmark: () => session.getBookmark() };
    },
  } as unknown as D1Database;
  return { binding, spy };
}

/** SQLite's plan for a statement: one detail line per step. */
export async function queryPlan(sql: string, params: unknown[], db: D1Database = env.DB): Promise<string[]> {
  const { results } = await db
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

/**
 * Plan steps that read a whole table or a whole index (a SCAN that is not of a virtual table such as
 * FTS5 or json_each, a constant row or a subquery's own result, named or not: the plan opens a named
 * one as a CO-ROUTINE or MATERIALIZE step, whose own steps are checked). A scan of a covering index is
 * as costly as the table's: it reads every entry.
 */
export function fullScans(plan: string[]): string[] {
  const subqueries = new Set(plan.map((step) => /^(?:CO-ROUTINE|MATERIALIZE) (\S+)$/.exec(step)?.[1]));
  return plan.filter(
    (step) =>
      /^SCAN /.test(step) &&
      !/VIRTUAL TABLE|^SCAN CONSTANT ROW|^SCAN \(subquery-\d+\)$/.test(step) &&
      !subqueries.has(step.slice("SCAN ".length)),
  );
}
