import { type Column, getTableColumns, is, Param, Placeholder, SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../env";

/**
 * A row to insert: every required column, each a value, an SQL expression the database computes, or a
 * placeholder (a statement built once, see builtOnce) for the value each run binds.
 */
export type InsertValues<T extends SQLiteTable> = {
  [K in keyof T["$inferInsert"]]: T["$inferInsert"][K] | SQL | Placeholder;
};

/** A placeholder's value bound through its column's encoding, null as SQL null (not JSON "null"). */
export const encodedLater = (placeholder: Placeholder, column: Column) =>
  sql`${new Param(placeholder, { mapToDriverValue: (v: unknown) => (v === null ? null : column.mapToDriverValue(v)) })}`;

/**
 * `insert into <table> select <values> <tail>`: one batchable statement whose values may be computed by
 * the database (a counter, a row another statement of the batch wrote) and whose row exists only when
 * `tail` (`where ...`, or `from ... where ...`) selects a row. Values are bound to columns by name and
 * laid out in the table's column order here (drizzle lists every column in that order), so neither the
 * order of the columns nor a new column with a default can shift them.
 */
export function insertSelect<T extends SQLiteTable>(db: Db, table: T, values: InsertValues<T>, tail: SQL) {
  const given: Record<string, unknown> = values;
  const selected = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const value = given[key] === undefined ? column.default : given[key];
    if (is(value, SQL)) return value;
    if (is(value, Placeholder)) return encodedLater(value, column);
    return value === null || value === undefined ? sql`null` : sql`${column.mapToDriverValue(value)}`;
  });
  return db.insert(table).select(sql`select ${sql.join(selected, sql`, `)} ${tail}`);
}
