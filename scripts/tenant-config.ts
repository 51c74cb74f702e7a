/**
 * Per-tenant deployments: what is recorded about a tenant (tenants/<id>.json), how its wrangler config is
 * rendered from tenants/template.toml, and which wrangler commands make and keep it. Pure functions: the
 * CLI (scripts/tenant.ts) does the file and process work, test/node/tenant.test.ts checks these.
 */
export const LOCATIONS = ["weur", "eeur", "apac", "oc", "wnam", "enam"] as const;
export const JURISDICTIONS = ["eu", "fedramp", "us"] as const;

/** What `create` records in tenants/<id>.json (committed: the database id is an identifier, not a secret). */
export type Tenant = {
  id: string;
  /** D1 location hint for the primary (`apac` is the nearest to India: D1 has no India location). */
  location?: (typeof LOCATIONS)[number];
  /** D1 jurisdiction: data stays inside it (the location hint is then ignored by D1). */
  jurisdiction?: (typeof JURISDICTIONS)[number];
  /** Read replicas in every D1 region: copies of the tenant's data outside the primary's region. */
  replication: boolean;
  /** Custom domain served by the tenant's Worker; without it the Worker is on workers.dev. */
  domain?: string;
  /** From `wrangler d1 create`; the placeholder until the database exists. */
  database_id: string;
  /** The rate limiter's namespace, unique in the account. */
  ratelimit_namespace: string;
};

export const PLACEHOLDER_DATABASE_ID = "00000000-0000-0000-0000-000000000000";

/** Tenant ids as Worker and database names accept them: the token's tenant claim must equal it. */
export const TENANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const workerName = (id: string) => `contact-api-${id}`;
export const databaseName = (id: string) => `contact-api-${id}`;

/** Problems with a tenant's options, as messages (empty: valid). */
export function tenantProblems(t: Partial<Tenant>): string[] {
  const problems: string[] = [];
  if (!t.id || !TENANT_ID.test(t.id))
    problems.push(
      "the tenant id must be 1-40 lower-case letters, digits and inner '-' (it names the Worker)",
    );
  if (t.location && !LOCATIONS.includes(t.location))
    problems.push(`--location must be one of ${LOCATIONS.join(", ")}`);
  if (t.jurisdiction && !JURISDICTIONS.includes(t.jurisdiction))
    problems.push(`--jurisdiction must be one of ${JURISDICTIONS.join(", ")}`);
  if (t.location && t.jurisdiction)
    problems.push(
      "give --location or --jurisdiction, not both: D1 ignores the location inside a jurisdiction",
    );
  if (t.domain !== undefined && !DOMAIN.test(t.domain)) problems.push("--domain must be a host name");
  return problems;
}

/**
 * The tenant's wrangler config: the template with every {{placeholder}} filled. `root` is the repository
 * seen from the config's folder (paths in a wrangler config are relative to the config file); the
 * runtime (compatibility date and flags) is wrangler.toml's, so every deployment runs the same one.
 */
export function renderConfig(
  template: string,
  tenant: Tenant,
  context: { root: string; compatibilityDate: string; compatibilityFlags: string[] },
): string {
  const routes = tenant.domain
    ? `workers_dev = false\nroutes = [{ pattern = "${tenant.domain}", custom_domain = true }]`
    : "workers_dev = true";
  const placement = tenant.replication
    ? "# Smart Placement stays off: it would run the Worker next to the primary and undo the read replicas."
    : '# No read replicas: Smart Placement runs the Worker next to its database.\n[placement]\nmode = "smart"';
  const values: Record<string, string> = {
    root: context.root.split("\\").join("/") || ".",
    id: tenant.id,
    worker: workerName(tenant.id),
    database: databaseName(tenant.id),
    database_id: tenant.database_id,
    compatibility_date: context.compatibilityDate,
    compatibility_flags: JSON.stringify(context.compatibilityFlags),
    ratelimit_namespace: tenant.ratelimit_namespace,
    routes,
    placement,
  };
  const rendered = template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`tenants/template.toml: unknown placeholder ${whole}`);
    return value;
  });
  return rendered;
}

/** The next free rate-limiter namespace id among the known tenants (1001, 1002, ...). */
export function nextRatelimitNamespace(tenants: Tenant[]): string {
  const used = tenants.map((t) => Number(t.ratelimit_namespace)).filter(Number.isInteger);
  return String(Math.max(1000, ...used) + 1);
}

/** The database id in `wrangler d1 create` output (TOML or JSON snippet). */
export function parseDatabaseId(output: string): string | null {
  return output.match(/database_id["']?\s*[=:]\s*["']([0-9a-f-]{36})["']/i)?.[1] ?? null;
}

/** Where a tenant's local (Miniflare) state lives: one folder per tenant, so databases never mix. */
export const localState = (tenantsDir: string, id: string) => `${tenantsDir}/.wrangler/${id}`;

/** wrangler argument lists, one per step (`npx wrangler ...`). `config` is the tenant's rendered config. */
export const wranglerSteps = {
  createDatabase: (t: Tenant) => [
    "d1",
    "create",
    databaseName(t.id),
    ...(t.location ? ["--location", t.location] : []),
    ...(t.jurisdiction ? ["--jurisdiction", t.jurisdiction] : []),
  ],
  migrate: (config: string, local: string | null) =>
    local
      ? ["d1", "migrations", "apply", "DB", "--local", "-c", config, "--persist-to", local]
      : ["d1", "migrations", "apply", "DB", "--remote", "-c", config],
  deploy: (config: string) => ["deploy", "-c", config],
  /** Secrets as JSON on stdin: they never touch the disk or the command line. */
  secrets: (config: string) => ["secret", "bulk", "-c", config],
  dev: (config: string, local: string, extra: string[]) => [
    "dev",
    "-c",
    config,
    "--persist-to",
    local,
    ...extra,
  ],
  deleteWorker: (config: string) => ["delete", "-c", config],
  deleteDatabase: (t: Tenant) => ["d1", "delete", databaseName(t.id)],
};

/**
 * Read replication is the one step wrangler has no command for: the D1 REST API
 * (PUT /accounts/{account}/d1/database/{id} {"read_replication": {"mode": "auto"}}).
 */
export function replicationRequest(accountId: string, databaseId: string, on: boolean) {
  return {
    method: "PUT",
    url: `https://api.cloudflare.com/client/v4/accounts/${accountId}/d1/database/${databaseId}`,
    body: JSON.stringify({ read_replication: { mode: on ? "auto" : "disabled" } }),
  };
}
