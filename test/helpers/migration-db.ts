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
