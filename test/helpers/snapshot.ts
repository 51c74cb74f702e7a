import { env } from "cloudflare:workers";

let tables: Promise<string[]> | undefined;

/** The tables that hold a tenant's rows: every table with a tenant_id column (FTS shadows excluded). */
function tenantTables(): Promise<string[]> {
  tables ??= (async () => {
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
    ).all<{ name: string }>();
    const withTenant: string[] = [];
    for (const { name } of results) {
      const columns = await env.DB.prepare(`SELECT name FROM pragma_table_info(?)`)
        .bind(name)
        .all<{ name: string }>();
      if (columns.results.some((c) => c.name === "tenant_id")) withTenant.push(name);
    }
    if (withTenant.length < 6) throw new Error(`expected the tenant tables, found ${withTenant.join(", ")}`);
    return withTenant.sort();
  })();
  return tables;
}

/** Every row of the tenant in every table, as one comparable value: proof that a request changed nothing. */
export async function tenantSnapshot(tenant: string): Promise<Record<string, unknown[]>> {
  const names = await tenantTables();
  const results = await env.DB.batch(
    names.map((name) =>
      // Ordered by every column: WITHOUT ROWID tables have no rowid.
      env.DB.prepare(`SELECT * FROM "${name}" WHERE tenant_id = ? ORDER BY 1, 2, 3, 4, 5`).bind(tenant),
    ),
  );
  return Object.fromEntries(names.map((name, i) => [name, results[i]?.results ?? []]));
}
