import { fillPlaceholders } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../env";

/** A statement D1 can run in a batch, with what it resolves to. */
export type Query<T = unknown> = BatchItem<"sqlite"> & PromiseLike<T>;

/** The results of a batch, one per statement and typed as that statement's own result. */
export type Results<T extends readonly Query[]> = { -readonly [K in keyof T]: Awaited<T[K]> };

/**
 * db.batch for statements built at run time: one D1 round trip and one transaction, results in order.
 * drizzle types its own batch for tuples written out in place; this keeps that typing for tuples that
 * hold spread lists too.
 */
export async function batch<const T extends readonly Query[]>(db: Db, queries: T): Promise<Results<T>> {
  const [first, ...rest] = queries;
  // One statement needs no batch: D1's single-statement call is cheaper and just as atomic.
  const results = !first ? [] : rest.length === 0 ? [await first] : await db.batch([first, ...rest]);
  // Cast: db.batch types fixed tuples only; Results<T> restates its typing for tuples with spreads.
  return results as Results<T>;
}

type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L]
  ? L
  : T[number] | undefined;

/** The last result of a batch (usually the read-back of the written row), with its own type. */
export function last<const T extends readonly unknown[]>(items: T): Last<T> {
  // Cast: indexing by length - 1 types as T[number]; Last<T> is the tuple's last element type.
  return items[items.length - 1] as Last<T>;
}

/** What this module uses of a drizzle query builder and of the query it prepares. */
type Builder<R> = {
  toSQL(): { sql: string; params: unknown[] };
  prepare(): {
    execute(values: Record<string, unknown>): PromiseLike<R>;
    mapResult(result: unknown, isFromBatch?: boolean): unknown;
  };
};

/** A statement made by a builtOnce function: it also answers toSQL(), as drizzle's builders do. */
export type BuiltQuery<R> = Query<R> & { toSQL(): { sql: string; params: unknown[] } };

/**
 * A query whose SQL drizzle builds once per database handle, with `sql.placeholder(name)` where each
 * call's values go: building queries (a select's column list, an insert's values) was the largest part
 * of the write routes' query CPU. A call gives a statement that runs when awaited and goes into a batch
 * like any other: drizzle's batch asks it for `_prepare()` (drizzle's internal statement protocol, as
 * its own builders answer it) and gets the prepared query with this call's values filled in. The query
 * is prepared on first use, so a handle that only renders SQL (the seeder's) never prepares one.
 */
export function builtOnce<V extends Record<string, unknown>, R>(
  build: (db: Db) => Builder<R>,
): (db: Db, values: V) => BuiltQuery<R> {
  type Prepared = ReturnType<Builder<R>["prepare"]>;
  const built = new WeakMap<
    Db,
    { builder: Builder<R>; sql: string; params: unknown[]; prepared?: Prepared }
  >();
  return (db, values) => {
    let entry = built.get(db);
    if (!entry) {
      const builder = build(db);
      entry = { builder, ...builder.toSQL() };
      built.set(db, entry);
    }
    const once = entry;
    const prepared = () => {
      once.prepared ??= once.builder.prepare();
      return once.prepared;
    };
    const filled = () => fillPlaceholders(once.params, values);
    const statement = {
      toSQL: () => ({ sql: once.sql, params: filled() }),
      _prepare: () => {
        const query = prepared();
        return {
          getQuery: () => ({ sql: once.sql, params: filled() }),
          // Cast: drizzle keeps the statement it prepared on the query (internal); its batch binds that one.
          stmt: (query as unknown as { stmt: unknown }).stmt,
          mapResult: (result: unknown, isFromBatch?: boolean) => query.mapResult(result, isFromBatch),
        };
      },
      // biome-ignore lint/suspicious/noThenProperty: awaited like drizzle's own builders, which are thenable too.
      then: <A, B>(resolve?: (result: R) => A, reject?: (error: unknown) => B) =>
        prepared().execute(values).then(resolve, reject),
    };
    // Cast: drizzle types batch items as its own builder classes; this object answers what batch calls.
    return statement as unknown as BuiltQuery<R>;
  };
}
