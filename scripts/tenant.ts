/**
 * `npm run tenant -- <command> [options]`: one Worker and one D1 database per tenant (README, Deploy).
 *
 *   create <id> [--location apac] [--jurisdiction eu] [--no-replication] [--domain api.acme.example]
 *   list
 *   migrate <id>|--all [--local]
 *   deploy <id>|--all
 *   secrets <id> [--file secrets.json] [--generate NAME,NAME]
 *   dev <id> [--port 8787]
 *   destroy <id>
 *   --dry-run on each: print the wrangler commands instead of running them (configs are still written).
 *   --dir <folder>: where tenant files live (default tenants/).
 *
 * tenants/<id>.json records the tenant (commit it); tenants/<id>.toml is rendered from
 * tenants/template.toml before every command (not committed), so a template change reaches every tenant.
 * wrangler does the work; the one exception is enabling read replication, which wrangler has no command
 * for (a single D1 REST call, see replicationRequest).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  localState,
  nextRatelimitNamespace,
  PLACEHOLDER_DATABASE_ID,
  parseDatabaseId,
  renderConfig,
  replicationRequest,
  type Tenant,
  tenantProblems,
  wranglerSteps,
} from "./tenant-config";

const ROOT = resolve(import.meta.dirname, "..");
const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    location: { type: "string" },
    jurisdiction: { type: "string" },
    "no-replication": { type: "boolean", default: false },
    domain: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    all: { type: "boolean", default: false },
    local: { type: "boolean", default: false },
    file: { type: "string" },
    generate: { type: "string" },
    port: { type: "string" },
    dir: { type: "string" },
  },
});
const [command, id] = positionals;
const dryRun = opts["dry-run"];
const DIR = resolve(opts.dir ?? join(ROOT, "tenants"));
// Offline-clean local runs, as npm run dev.
const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

function fail(message: string): never {
  console.error(`tenant: ${message}`);
  process.exit(1);
}

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
const rel = (path: string) => relative(process.cwd(), path) || ".";

/** Runs `npx wrangler <args>` (or prints it with --dry-run); returns its stdout when `capture`. */
function wrangler(args: string[], options: { input?: string; capture?: boolean; stdinNote?: string } = {}) {
  const line = `npx wrangler ${args.map(quote).join(" ")}${options.stdinNote ? ` ${options.stdinNote}` : ""}`;
  if (dryRun) {
    console.log(line);
    return "";
  }
  console.error(`$ ${line}`);
  const result = spawnSync("npx", ["wrangler", ...args], {
    env: ENV,
    input: options.input,
    encoding: "utf8",
    stdio: [
      options.input === undefined ? "inherit" : "pipe",
      options.capture ? "pipe" : "inherit",
      "inherit",
    ],
  });
  if (options.capture && result.stdout) process.stdout.write(result.stdout);
  if (result.status !== 0) fail(`wrangler ${args[0]} ${args[1] ?? ""} failed (exit ${result.status})`);
  return result.stdout ?? "";
}

const recordPath = (tenantId: string) => join(DIR, `${tenantId}.json`);
const configPath = (tenantId: string) => join(DIR, `${tenantId}.toml`);

function readTenant(tenantId: string | undefined): Tenant {
  if (!tenantId) fail(`${command} needs a tenant id`);
  if (!existsSync(recordPath(tenantId)))
    fail(`no tenant ${tenantId} in ${rel(DIR)} (npm run tenant -- create ${tenantId})`);
  return JSON.parse(readFileSync(recordPath(tenantId), "utf8")) as Tenant;
}

function allTenants(): Tenant[] {
  if (!existsSync(DIR)) return [];
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as Tenant);
}

/** The tenants a command acts on: one id, or every tenant with --all. */
function targets(): Tenant[] {
  if (opts.all) {
    const tenants = allTenants();
    if (tenants.length === 0) fail(`no tenants in ${rel(DIR)}`);
    return tenants;
  }
  return [readTenant(id)];
}

/** Writes the tenant's record and renders its config from the template; returns the config's path. */
function save(tenant: Tenant): string {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(recordPath(tenant.id), `${JSON.stringify(tenant, null, 2)}\n`);
  return render(tenant);
}

function render(tenant: Tenant): string {
  const template = readFileSync(join(ROOT, "tenants", "template.toml"), "utf8");
  const shared = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const compatibilityDate = shared.match(/^compatibility_date\s*=\s*"([^"]+)"/m)?.[1];
  if (!compatibilityDate) fail("wrangler.toml has no compatibility_date");
  const flags = shared.match(/^compatibility_flags\s*=\s*\[([^\]]*)\]/m)?.[1] ?? "";
  const compatibilityFlags = [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
  const config = renderConfig(template, tenant, {
    root: relative(DIR, ROOT),
    compatibilityDate,
    compatibilityFlags,
  });
  writeFileSync(configPath(tenant.id), config);
  return rel(configPath(tenant.id));
}

async function enableReplication(tenant: Tenant) {
  const account = process.env.CLOUDFLARE_ACCOUNT_ID;
  const apiToken = process.env.CLOUDFLARE_API_TOKEN;
  const request = replicationRequest(account ?? "$CLOUDFLARE_ACCOUNT_ID", tenant.database_id, true);
  const curl = `curl -X ${request.method} ${request.url} -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" -H "Content-Type: application/json" -d '${request.body}'`;
  if (dryRun) {
    console.log(`# wrangler has no command for read replication: the D1 REST API does it\n${curl}`);
    return;
  }
  if (!account || !apiToken) {
    console.error(
      `tenant: read replication NOT enabled (set CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN, or run):\n  ${curl}`,
    );
    return;
  }
  const response = await fetch(request.url, {
    method: request.method,
    headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
    body: request.body,
  });
  if (!response.ok) fail(`enabling read replication failed: ${response.status} ${await response.text()}`);
  console.error(`tenant: read replication enabled for ${tenant.id}`);
}

async function create() {
  const existing = id && existsSync(recordPath(id)) ? readTenant(id) : undefined;
  const tenant: Tenant = {
    id: id ?? "",
    ...(opts.location ? { location: opts.location as Tenant["location"] } : {}),
    ...(opts.jurisdiction ? { jurisdiction: opts.jurisdiction as Tenant["jurisdiction"] } : {}),
    replication: !opts["no-replication"],
    ...(opts.domain ? { domain: opts.domain.toLowerCase() } : {}),
    database_id: existing?.database_id ?? PLACEHOLDER_DATABASE_ID,
    ratelimit_namespace: existing?.ratelimit_namespace ?? nextRatelimitNamespace(allTenants()),
  };
  const problems = tenantProblems(tenant);
  if (problems.length > 0) fail(problems.join("\n"));
  if (existing && existing.database_id !== PLACEHOLDER_DATABASE_ID && !dryRun)
    fail(
      `${id} already has database ${existing.database_id}; edit ${rel(recordPath(tenant.id))} to change it`,
    );

  const output = wrangler(wranglerSteps.createDatabase(tenant), { capture: true });
  if (!dryRun) {
    const databaseId = parseDatabaseId(output);
    if (!databaseId) fail("found no database_id in the output of wrangler d1 create");
    tenant.database_id = databaseId;
  }
  if (tenant.replication) await enableReplication(tenant);
  const config = save(tenant);
  console.error(`tenant: wrote ${rel(recordPath(tenant.id))} and ${config}`);
  console.error(
    `next: npm run tenant -- migrate ${tenant.id}; npm run tenant -- secrets ${tenant.id} --file <json>; npm run tenant -- deploy ${tenant.id}`,
  );
}

function list() {
  const rows = allTenants().map((t) => [
    t.id,
    t.domain ?? "(workers.dev)",
    t.jurisdiction ? `jurisdiction ${t.jurisdiction}` : (t.location ?? "(nearest)"),
    t.replication ? "replicas" : "primary only",
    t.database_id === PLACEHOLDER_DATABASE_ID ? "(not created)" : t.database_id,
  ]);
  if (rows.length === 0) return console.log(`no tenants in ${rel(DIR)}`);
  for (const row of [["tenant", "domain", "location", "reads", "database id"], ...rows])
    console.log(row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(20) : cell)).join(" "));
}

function migrate() {
  for (const tenant of targets()) {
    const config = render(tenant);
    const local = opts.local ? localState(rel(DIR), tenant.id) : null;
    if (!local && tenant.database_id === PLACEHOLDER_DATABASE_ID && !dryRun)
      fail(`${tenant.id} has no database yet: npm run tenant -- create ${tenant.id}`);
    wrangler(wranglerSteps.migrate(config, local));
  }
}

function deploy() {
  // Migrations first: they are written to work with the code already deployed (README, rolling a migration).
  for (const tenant of targets()) {
    if (tenant.database_id === PLACEHOLDER_DATABASE_ID && !dryRun)
      fail(`${tenant.id} has no database yet: npm run tenant -- create ${tenant.id}`);
    const config = render(tenant);
    wrangler(wranglerSteps.migrate(config, null));
    wrangler(wranglerSteps.deploy(config));
  }
}

function secrets() {
  const tenant = readTenant(id);
  const values: Record<string, string | null> = opts.file
    ? (JSON.parse(readFileSync(opts.file, "utf8")) as Record<string, string | null>)
    : {};
  for (const name of (opts.generate ?? "").split(",").filter(Boolean))
    values[name.trim()] = randomBytes(32).toString("base64url");
  const names = Object.keys(values);
  if (names.length === 0) fail("secrets needs --file secrets.json and/or --generate NAME,NAME");
  wrangler(wranglerSteps.secrets(render(tenant)), {
    input: JSON.stringify(values),
    stdinNote: `<<< '{${names.map((n) => `"${n}": ...`).join(", ")}}'`,
  });
}

function dev() {
  const tenant = readTenant(id);
  const config = render(tenant);
  const local = localState(rel(DIR), tenant.id);
  // Local secrets: the repository's .dev.vars, as npm run dev (wrangler would look next to the config).
  const devVars = join(ROOT, ".dev.vars");
  if (!existsSync(devVars) && !dryRun) copyFileSync(join(ROOT, ".dev.vars.example"), devVars);
  wrangler(wranglerSteps.migrate(config, local));
  // Absolute: wrangler resolves --env-file against the config's folder, its node launcher against the cwd.
  const extra = ["--env-file", devVars, ...(opts.port ? ["--port", opts.port] : [])];
  wrangler(wranglerSteps.dev(config, local, extra));
}

function destroy() {
  const tenant = readTenant(id);
  const config = render(tenant);
  // wrangler asks before deleting the database; the data is gone afterwards (export it first).
  wrangler(wranglerSteps.deleteWorker(config));
  if (tenant.database_id !== PLACEHOLDER_DATABASE_ID) wrangler(wranglerSteps.deleteDatabase(tenant));
  if (!dryRun) {
    rmSync(recordPath(tenant.id));
    rmSync(configPath(tenant.id));
    rmSync(join(DIR, ".wrangler", tenant.id), { recursive: true, force: true });
    console.error(`tenant: removed ${tenant.id}`);
  }
}

const commands: Record<string, () => void | Promise<void>> = {
  create,
  list,
  migrate,
  deploy,
  secrets,
  dev,
  destroy,
};
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(
    readFileSync(import.meta.filename, "utf8")
      .split("*/")[0]
      ?.replace(/^\/\*\*|^ \* ?/gm, ""),
  );
  process.exit(command ? 1 : 0);
}
await run();
