import { describe, expect, it } from "vitest";
import {
  nextRatelimitNamespace,
  PLACEHOLDER_DATABASE_ID,
  parseDatabaseId,
  renderConfig,
  replicationRequest,
  type Tenant,
  tenantProblems,
  wranglerSteps,
} from "../../scripts/tenant-config";

/** Config generation of `npm run tenant` (pure functions; the CLI end to end is in tenant-fleet.test.ts). */

const load = (specifier: string): Promise<any> => import(/* @vite-ignore */ specifier);
const here = (import.meta as unknown as { url: string }).url;
const template = async () =>
  (await load("node:fs")).readFileSync(new URL("../../tenants/template.toml", here), "utf8") as string;

const acme: Tenant = {
  id: "acme",
  location: "apac",
  replication: true,
  domain: "api.acme.example",
  database_id: "3f2a1c9e-0b7d-4e1a-9c55-2b8f6d0e4a11",
  ratelimit_namespace: "1001",
};
const globex: Tenant = {
  id: "globex",
  jurisdiction: "eu",
  replication: false,
  database_id: PLACEHOLDER_DATABASE_ID,
  ratelimit_namespace: "1002",
};
const context = { root: "..", compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_als"] };

describe("tenant config rendering", () => {
  it("pins the Worker to its tenant with its own name, database, limiter and cron", async () => {
    const config = renderConfig(await template(), acme, context);
    expect(config).not.toContain("{{");
    expect(config).toMatch(/^name = "contact-api-acme"$/m);
    expect(config).toMatch(/^main = "\.\.\/src\/index\.ts"$/m);
    expect(config).toMatch(/^compatibility_date = "2026-11-01"\ncompatibility_flags = \["nodejs_als"\]$/m);
    expect(config).toMatch(/^TENANT_ID = "acme"$/m);
    expect(config).toMatch(/^database_name = "contact-api-acme"$/m);
    expect(config).toMatch(/^database_id = "3f2a1c9e-0b7d-4e1a-9c55-2b8f6d0e4a11"$/m);
    expect(config).toMatch(/^migrations_dir = "\.\.\/migrations"$/m);
    expect(config).toMatch(
      /^\[\[ratelimits\]\]\nname = "RATE_LIMITER"\nnamespace_id = "1001"\nsimple = \{ limit = (\d+), period = (10|60) \}$/m,
    );
    expect(config).toMatch(/^\[triggers\]\ncrons = \[".+"\]$/m);
  });

  it("announces the limiter's own numbers in RateLimit-Policy", async () => {
    const config = renderConfig(await template(), acme, context);
    const [, limit, period] = config.match(/simple = \{ limit = (\d+), period = (\d+) \}/) ?? [];
    expect(config).toContain(`RATE_LIMIT_REQUESTS = "${limit}"`);
    expect(config).toContain(`RATE_LIMIT_PERIOD = "${period}"`);
  });

  it("a custom domain replaces workers.dev; Smart Placement only without replicas", async () => {
    const a = renderConfig(await template(), acme, context);
    expect(a).toContain(
      'workers_dev = false\nroutes = [{ pattern = "api.acme.example", custom_domain = true }]',
    );
    expect(a).not.toMatch(/^\[placement\]/m);
    const g = renderConfig(await template(), globex, context);
    expect(g).toMatch(/^workers_dev = true$/m);
    expect(g).not.toContain("routes =");
    expect(g).toMatch(/^\[placement\]\nmode = "smart"$/m);
  });

  it("one template for every tenant: configs differ only where the tenants do", async () => {
    const t = await template();
    const twin = renderConfig(t, { ...acme, id: "initech", ratelimit_namespace: "1003" }, context);
    const differing = renderConfig(t, acme, context)
      .split("\n")
      .filter((line, i) => line !== twin.split("\n")[i]);
    expect(differing).toEqual([
      expect.stringContaining("tenants/acme.json"),
      'name = "contact-api-acme"',
      'database_name = "contact-api-acme"',
      'TENANT_ID = "acme"',
      'namespace_id = "1001"',
    ]);
    expect(() => renderConfig(`${t}\nx = "{{nope}}"`, acme, context)).toThrow(/nope/);
  });
});

describe("tenant options and wrangler steps", () => {
  it("refuses ids wrangler or the token could not carry, unknown regions and a location inside a jurisdiction", () => {
    expect(tenantProblems(acme)).toEqual([]);
    for (const id of ["", "Acme", "acme_corp", "-acme", "acme-", "a".repeat(41)])
      expect(tenantProblems({ ...acme, id }), id).toHaveLength(1);
    expect(tenantProblems({ ...acme, location: "india" as Tenant["location"] })).toHaveLength(1);
    expect(tenantProblems({ ...globex, location: "apac" })).toHaveLength(1);
    expect(tenantProblems({ ...acme, domain: "https://api.acme.example/" })).toHaveLength(1);
  });

  it("creates the database where asked and reads its id from wrangler's output", () => {
    expect(wranglerSteps.createDatabase(acme)).toEqual([
      "d1",
      "create",
      "contact-api-acme",
      "--location",
      "apac",
    ]);
    expect(wranglerSteps.createDatabase(globex)).toEqual([
      "d1",
      "create",
      "contact-api-globex",
      "--jurisdiction",
      "eu",
    ]);
    const toml = `[[d1_databases]]\nbinding = "DB"\ndatabase_name = "contact-api-acme"\ndatabase_id = "${acme.database_id}"`;
    const json = `{ "d1_databases": [{ "binding": "DB", "database_id": "${acme.database_id}" }] }`;
    expect(parseDatabaseId(toml)).toBe(acme.database_id);
    expect(parseDatabaseId(json)).toBe(acme.database_id);
    expect(parseDatabaseId("error")).toBeNull();
  });

  it("local runs keep one state folder per tenant; remote ones name the config", () => {
    expect(wranglerSteps.migrate("tenants/acme.toml", "tenants/.wrangler/acme")).toEqual([
      "d1",
      "migrations",
      "apply",
      "DB",
      "--local",
      "-c",
      "tenants/acme.toml",
      "--persist-to",
      "tenants/.wrangler/acme",
    ]);
    expect(wranglerSteps.migrate("tenants/acme.toml", null)).toEqual([
      "d1",
      "migrations",
      "apply",
      "DB",
      "--remote",
      "-c",
      "tenants/acme.toml",
    ]);
  });

  it("limiter namespaces are unique; replication goes through the one REST call wrangler lacks", () => {
    expect(nextRatelimitNamespace([])).toBe("1001");
    expect(nextRatelimitNamespace([acme, globex])).toBe("1003");
    const request = replicationRequest("acc", acme.database_id, true);
    expect(request.url).toBe(
      `https://api.cloudflare.com/client/v4/accounts/acc/d1/database/${acme.database_id}`,
    );
    expect(JSON.parse(request.body)).toEqual({ read_replication: { mode: "auto" } });
  });
});
