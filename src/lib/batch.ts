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
