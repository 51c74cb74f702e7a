import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `npm run tenant` end to end, offline, in a temporary tenants folder: two tenants created with
 * --dry-run, their configs bundled by `wrangler deploy --dry-run`, both local databases migrated with
 * `migrate --all --local`, then `dev acme` and `dev globex` served side by side: each serves its own
 * tenant from its own database, refuses the other's tokens, and never sees the other's rows.
 *
 * Node built-ins are loaded at run time: the test tsconfig has Workers types only (no @types/node).
 */
const load = (specifier: string): Promise<any> => import(/* @vite-ignore */ specifier);
const here = (import.meta as unknown as { url: string }).url;
const nodeProcess = (globalThis as any).process;

let fs: any;
let path: any;
let childProcess: any;
let root = "";
let dir = "";
let jwtSecret = "";
const servers: { child: any; url: string }[] = [];

/** `npm run tenant -- <args> --dir <tmp>`, through tsx as the npm script runs it. */
function tenant(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = childProcess.spawnSync(
    nodeProcess.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/tenant.ts", ...args, "--dir", dir],
    { cwd: root, encoding: "utf8", env: { ...nodeProcess.env, CI: "true" } },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function freePort(): Promise<number> {
  const net = await load("node:net");
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `npm run tenant -- dev <id>` in its own process group, once /health answers. */
async function serve(id: string): Promise<string> {
  const port = await freePort();
  const child = childProcess.spawn(
    nodeProcess.execPath,
    [
      path.join(root, "node_modules/tsx/dist/cli.mjs"),
      "scripts/tenant.ts",
      "dev",
      id,
      "--port",
      String(port),
      "--dir",
      dir,
    ],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...nodeProcess.env, CI: "true" } },
  );
  let log = "";
  child.stdout.on("data", (d: unknown) => (log += String(d)));
  child.stderr.on("data", (d: unknown) => (log += String(d)));
  const url = `http://127.0.0.1:${port}`;
  servers.push({ child, url });
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`dev ${id} exited:\n${log}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) return url;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`dev ${id} did not answer within 60 s:\n${log}`);
}

const bearer = (tenantId: string) =>
  new SignJWT({ tenant_id: tenantId, scope: "contacts:read contacts:write namespaces:write" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject("fleet-user")
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(new TextEncoder().encode(jwtSecret));

async function call(url: string, tenantId: string, method: string, route: string, body?: unknown) {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${await bearer(tenantId)}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null, text };
}

/** Every namespace and contact name stored in a tenant's local database file. */
async function storedNames(id: string): Promise<string[]> {
  const sqlite = await load("node:sqlite");
  const d1 = path.join(dir, ".wrangler", id, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = fs.readdirSync(d1).find((f: string) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  const db = new sqlite.DatabaseSync(path.join(d1, file), { readOnly: true });
  try {
    return db
      .prepare(
        "select tenant_id || ':' || name as n from namespaces union all select tenant_id || ':' || name from contacts",
      )
      .all()
      .map((r: { n: string }) => r.n);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  fs = await load("node:fs");
  path = await load("node:path");
  childProcess = await load("node:child_process");
  const os = await load("node:os");
  root = path.join(path.dirname(new URL(here).pathname), "..", "..");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenants-"));
}, 10_000);

afterAll(async () => {
  for (const { child } of servers) {
    try {
      nodeProcess.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("npm run tenant (offline)", { timeout: 120_000 }, () => {
  it("create --dry-run prints the wrangler commands and writes one config per tenant", () => {
    const acme = tenant("create", "acme", "--location", "apac", "--domain", "api.acme.example", "--dry-run");
    expect(acme.status, acme.stderr).toBe(0);
    expect(acme.stdout).toContain("npx wrangler d1 create contact-api-acme --location apac\n");
    expect(acme.stdout).toMatch(
      /curl -X PUT .*\/d1\/database\/.* -d '\{"read_replication":\{"mode":"auto"\}\}'/,
    );
    const globex = tenant("create", "globex", "--jurisdiction", "eu", "--no-replication", "--dry-run");
    expect(globex.status, globex.stderr).toBe(0);
    expect(globex.stdout).toBe("npx wrangler d1 create contact-api-globex --jurisdiction eu\n");
    expect(fs.readdirSync(dir).sort()).toEqual(["acme.json", "acme.toml", "globex.json", "globex.toml"]);
    expect(tenant("create", "Bad_Id", "--dry-run").status).toBe(1);

    const listed = tenant("list");
    expect(listed.stdout).toMatch(/acme\s+api\.acme\.example\s+apac\s+replicas\s+\(not created\)/);
    expect(listed.stdout).toMatch(/globex\s+\(workers\.dev\)\s+jurisdiction eu\s+primary only/);
  });

  it("every other command prints its wrangler steps with --dry-run", () => {
    const deploy = tenant("deploy", "--all", "--dry-run");
    expect(deploy.status, deploy.stderr).toBe(0);
    const config = (id: string) => path.relative(root, path.join(dir, `${id}.toml`));
    expect(deploy.stdout.trim().split("\n")).toEqual([
      `npx wrangler d1 migrations apply DB --remote -c ${config("acme")}`,
      `npx wrangler deploy -c ${config("acme")}`,
      `npx wrangler d1 migrations apply DB --remote -c ${config("globex")}`,
      `npx wrangler deploy -c ${config("globex")}`,
    ]);
    const secrets = tenant("secrets", "acme", "--generate", "CURSOR_SECRET", "--dry-run");
    expect(secrets.stdout).toBe(
      `npx wrangler secret bulk -c ${config("acme")} <<< '{"CURSOR_SECRET": ...}'\n`,
    );
    const destroy = tenant("destroy", "globex", "--dry-run");
    expect(destroy.stdout).toBe(`npx wrangler delete -c ${config("globex")}\n`);
    expect(fs.existsSync(path.join(dir, "globex.json"))).toBe(true);
  });

  it("wrangler deploy --dry-run bundles each tenant's config with its bindings", () => {
    for (const id of ["acme", "globex"]) {
      const out = childProcess.spawnSync(
        nodeProcess.execPath,
        [
          path.join(root, "node_modules/wrangler/bin/wrangler.js"),
          "deploy",
          "--dry-run",
          "-c",
          path.join(dir, `${id}.toml`),
          "--outdir",
          path.join(dir, "build", id),
        ],
        { cwd: root, encoding: "utf8", env: { ...nodeProcess.env, WRANGLER_SEND_METRICS: "false" } },
      );
      expect(out.status, `${out.stdout}\n${out.stderr}`).toBe(0);
      expect(out.stdout).toMatch(new RegExp(`env\\.DB \\(contact-api-${id}\\)\\s+D1 Database`));
      expect(out.stdout).toMatch(/env\.RATE_LIMITER \(\d+ requests\/\d+s\)\s+Rate Limit/);
      expect(out.stdout).toContain(`env.TENANT_ID ("${id}")`);
    }
  });

  it("migrate --all --local migrates one local database per tenant", () => {
    const migrated = tenant("migrate", "--all", "--local");
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(migrated.stderr).toContain(
      `--persist-to ${path.relative(root, path.join(dir, ".wrangler", "acme"))}`,
    );
    expect(migrated.stderr).toContain(
      `--persist-to ${path.relative(root, path.join(dir, ".wrangler", "globex"))}`,
    );
  });

  it("dev <id> serves that tenant from its own database; the other tenant's token gets 403", async () => {
    const [acmeUrl, globexUrl] = [await serve("acme"), await serve("globex")];
    // dev serves with the repository's .dev.vars (copied from the example when missing): sign with its secret.
    jwtSecret =
      String(fs.readFileSync(path.join(root, ".dev.vars"), "utf8")).match(
        /^JWT_SECRET="?([^"\n]+)"?/m,
      )?.[1] ?? "";

    const namespace = await call(acmeUrl, "acme", "POST", "/namespaces/", { name: "Acme Retail" });
    expect(namespace.status, namespace.text).toBe(201);
    expect(namespace.body.tenant_id).toBe("acme");
    const contact = await call(acmeUrl, "acme", "POST", "/contacts/", {
      name: "Acme Person",
      namespace: "Acme Retail",
      status: "active",
      type: "individual",
      props: [],
    });
    expect(contact.status, contact.text).toBe(201);
    expect(contact.headers.get("x-d1-bookmark")).toMatch(/^[0-9a-f]+(-[0-9a-f]+)+$/);
    expect(contact.headers.get("ratelimit-policy")).toMatch(/^"default";q=\d+;w=(10|60)$/);

    const intruder = await call(acmeUrl, "globex", "GET", "/namespaces/");
    expect(intruder.status).toBe(403);
    expect(intruder.body.type).toBe("/problems/forbidden");
    expect((await call(globexUrl, "acme", "GET", `/contacts/${contact.body.id}/`)).status).toBe(403);

    const own = await call(globexUrl, "globex", "POST", "/namespaces/", { name: "Globex Retail" });
    expect(own.status, own.text).toBe(201);
    const globexList = await call(globexUrl, "globex", "GET", "/namespaces/");
    expect(globexList.body.results.map((n: { name: string }) => n.name)).toEqual(["Globex Retail"]);

    expect((await storedNames("acme")).sort()).toEqual(["acme:Acme Person", "acme:Acme Retail"]);
    expect(await storedNames("globex")).toEqual(["globex:Globex Retail"]);
  });
});
