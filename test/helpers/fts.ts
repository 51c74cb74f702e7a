import { tenantToken } from "../../src/lib/search";

/**
 * Ids of a tenant's rows of `table` whose FTS row (`<table>_fts`, same rowid) matches `expression`,
 * scoped by the tenant's token as a shared database scopes it; in id order. For migration tests, which
 * query a D1 binding of their own below the API.
 */
export async function ftsIds(db: D1Database, table: string, tenant: string, expression: string) {
  const { results } = await db
    .prepare(
      `select id from ${table} where rowid in (select rowid from ${table}_fts where ${table}_fts match ?) order by id`,
    )
    .bind(`tenant : "${tenantToken(tenant)}" AND (${expression})`)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
