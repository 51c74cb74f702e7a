/** For migration tests, which fill and query a D1 binding of their own below the API. */

/** Every row a query returns. */
export async function allRows<T = Record<string, unknown>>(
  db: D1Database,
  query: string,
  ...params: unknown[]
) {
  return (
    await db
      .prepare(query)
      .bind(...params)
      .all<T>()
  ).results;
}

/** Tenant t1's namespace "Retail", as rows written before a migration point to it. */
export const insertNamespace = (db: D1Database, id: string, at: string) =>
  db
    .prepare(
      `insert into namespaces (id, tenant_id, name, created_at, created_by, updated_at) values (?, 't1', 'Retail', ?, 'u1', ?)`,
    )
    .bind(id, at, at);

/**
 * The columns later migrations add that today's repositories select (0021: `created_entry`), added
 * with the same definition to a database migrated only this far, so that today's code reads it. Each
 * test calls it after the migration it is about and before that code runs.
 */
export async function addColumnsTodayReads(db: D1Database) {
  for (const table of ["contacts", "addresses", "bank_accounts", "relations"]) {
    const columns = await allRows<{ name: string }>(db, `pragma table_info(${table})`);
    if (!columns.some((c) => c.name === "created_entry"))
      await db.prepare(`alter table ${table} add created_entry integer default true not null`).run();
  }
}
