import type { DatabaseSync, StatementSync } from "node:sqlite";

/** Statements of a node:sqlite database prepared once per SQL text, for the D1 stand-ins of bench/. */
export function preparedOnce(db: DatabaseSync): (sql: string) => StatementSync {
  const cache = new Map<string, StatementSync>();
  return (sql) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
}

/** D1 parameters as node:sqlite binds them: booleans as 0/1, undefined as null. */
export const sqliteParams = (params: unknown[]) =>
  params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p === undefined ? null : p)) as never[];
