import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `npm run seed` writes the SQLite file directly, so it must write exactly what the API would have
 * written for the same requests. This test seeds a small plan, sends the same plan through the real
 * Worker bundle (wrangler's build, in Miniflare, on a fresh database with the real migrations), and
 * compares both databases table by table, FTS tables and identifier index included, with ids,
 * timestamps and date-dependent ref_ids normalised.
 *
 * Node built-ins, Miniflare and the seeder are loaded at run time: this project's test tsconfig has
 * Workers types only (no @types/node).
 */
const load = (specifier: string): Promise<any> => import(/* @vite-ignore */ specifier);
const here = (import.meta as unknown as { url: string }).url;

const CONTACTS = 80;
const SEED = 2; // a plan with firms, households, duplicates, Devanagari names, client and blank ref_ids
const TENANT = "seed-check";
const USER = "seed-user";
const JWT_SECRET = "seed-test-jwt-secret-0123456789abcdef0123456789";
const HMAC_KEY = "seed-test-identifier-key-0123456789abcdef";
const PII_KEYS = JSON.stringify([{ id: "seedtest", key: "Wdw99Es0IZaBvJ0wJ505yEcacN9wwiLeaHCSvH4QJwI=" }]);
const DATABASE_ID = "seed-test-db";

type Row = Record<string, unknown>;
type Snapshot = Record<string, Row[]>;

const TABLES = ["namespaces", "contacts", "contact_history", "addresses", "bank_accounts", "relations"];
const LABELS: Record<string, string> = {
  namespaces: "N",
  contacts: "C",
  contact_history: "H",
  addresses: "A",
  bank_accounts: "B",
  relations: "R",
};
const FTS = {
  contacts_fts: "contacts",
  addresses_fts: "addresses",
  bank_accounts_fts: "bank_accounts",
} as const;

let seeded: Snapshot;
let api: Snapshot;
let plan: any[] = [];
let tmp = "";
let fs: any;

function snapshot(sqlite: any, file: string): Snapshot {
  const db = new sqlite.DatabaseSync(file);
  try {
    const all = (sql: string) => db.prepare(sql).all() as Row[];
    const snap: Snapshot = {};
    // Every table the migrations create (new ones included), except SQLite's, D1's and FTS5's shadow tables.
    const tables = all(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' and name not like '\\_cf\\_%' escape '\\' and name <> 'd1_migrations' and name not like '%\\_fts\\_%' escape '\\' order by name",
    ).map((r) => String(r.name));
    for (const table of tables) {
      try {
        snap[table] = all(`select rowid as _rowid, * from ${table} order by rowid`);
      } catch {
        // A WITHOUT ROWID table: in key order.
        snap[table] = all(`select * from ${table} order by 1, 2, 3`);
      }
    }
    snap.schema = all(
      "select type, name, tbl_name, sql from sqlite_master where name not like '\\_cf\\_%' escape '\\' and name not like 'sqlite_%' order by type, name",
    );
    snap.migrations = all("select name from d1_migrations order by id");
    for (const fts of Object.keys(FTS)) {
      // FTS5's own consistency check: throws when the index does not match its content.
      db.exec(`insert into ${fts} (${fts}) values ('integrity-check')`);
    }
    return snap;
  } finally {
    db.close();
  }
}

/** History's `at` is stored in epoch milliseconds: as the instant it stands for, it normalises like the rest. */
const instant = (table: string, column: string, v: unknown) =>
  table === "contact_history" && column === "at" && typeof v === "number" ? new Date(v).toISOString() : v;

/**
 * Ids become labels by table and rowid order (C3 = the fourth contact), timestamps become t0, t1 ...
 * in order of appearance within a row (so "updated_at = created_at" survives), and generated ref_ids
 * become pattern#counter once checked against the pattern rendered for the row's creation date.
 */
function normalise(snap: Snapshot, patternFormat: (pattern: string, at: Date) => string): Snapshot {
  const labels = new Map<string, string>();
  const rowLabel = new Map<string, Map<number, string>>();
  for (const table of TABLES) {
    const byRowid = new Map<number, string>();
    snap[table]?.forEach((row, i) => {
      labels.set(String(row.id), `${LABELS[table]}${i}`);
      byRowid.set(Number(row._rowid), `${LABELS[table]}${i}`);
    });
    rowLabel.set(table, byRowid);
  }
  const patterns = new Map(
    (snap.namespaces ?? []).map((n) => [String(n.id), n.contact_pattern as string | null]),
  );
  const refs = new Map<string, string>();
  for (const c of snap.contacts ?? []) {
    const pattern = patterns.get(String(c.namespace_id));
    const ref = c.ref_id as string | null;
    if (!pattern || !ref) continue;
    const format = patternFormat(pattern, new Date(String(c.created_at)));
    const re = new RegExp(
      `^${format
        .split(/%0?(\d*)d/)
        .map((part, i) => (i % 2 ? `(\\d{${part || 1},})` : part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")))
        .join("")}$`,
    );
    const m = re.exec(ref);
    if (m) refs.set(ref, `${pattern}#${Number(m[1])}`);
  }
  const value = (v: unknown, times: Map<string, string>): unknown => {
    if (typeof v !== "string") return v;
    // Envelopes of protected identifiers have a random IV: compared by key, sealed length and shown tail.
    let s = v.replace(
      /\bv1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)(\.[A-Za-z0-9]{1,4})?(?![A-Za-z0-9_.-])/g,
      (_e, key: string, _iv: string, sealed: string, shown?: string) =>
        `v1.${key}.<iv>.<${sealed.length}>${shown ?? ""}`,
    );
    s = s.replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, (id) => labels.get(id) ?? id);
    s = s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, (t) => {
      if (!times.has(t)) times.set(t, `t${times.size}`);
      return times.get(t) as string;
    });
    if (refs.has(s)) return refs.get(s);
    for (const [ref, label] of refs) s = s.split(`"${ref}"`).join(`"${label}"`);
    return s;
  };
  const out: Snapshot = {};
  for (const [table, rows] of Object.entries(snap)) {
    out[table] = rows.map((row) => {
      const times = new Map<string, string>();
      const base = FTS[table as keyof typeof FTS];
      const entries = Object.entries(row)
        .filter(([k]) => k !== "_rowid" || base)
        .map(([k, v]) => [
          k,
          k === "_rowid" && base ? rowLabel.get(base)?.get(Number(v)) : value(instant(table, k, v), times),
        ]);
      return Object.fromEntries(entries);
    });
  }
  return out;
}

beforeAll(async () => {
  fs = await load("node:fs");
  const path = await load("node:path");
  const os = await load("node:os");
  const { spawnSync } = await load("node:child_process");
  const sqlite = await load("node:sqlite");
  const seedScript = await load(new URL("../../scripts/seed.ts", here).href);
  const { patternFormat } = await load(new URL("../../src/lib/ref-patterns.ts", here).href);
  const { Miniflare, convertV4MiniflareOptions } = await load("miniflare");
  const root = path.join(path.dirname(new URL(here).pathname), "..", "..");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "seed-test-"));

  // The Worker as deployed: wrangler's bundle.
  const build = path.join(tmp, "build");
  const built = spawnSync(
    (globalThis as any).process.execPath,
    [path.join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", build],
    {
      cwd: root,
      encoding: "utf8",
      env: {
        ...(globalThis as any).process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
      },
    },
  );
  expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);

  // 1. The seeder's database.
  const endAt = Date.now();
  const seededFile = path.join(tmp, "seeded.sqlite");
  await seedScript.seed({
    contacts: CONTACTS,
    seed: SEED,
    endAt,
    db: seededFile,
    tenant: TENANT,
    user: USER,
    hmacKey: HMAC_KEY,
    piiKeys: PII_KEYS,
    force: true,
  });

  // 2. The API's database: the same migrations on a fresh file, where Miniflare keeps D1 database DATABASE_ID.
  const persist = path.join(tmp, "state");
  const apiFile = seedScript.d1SqlitePath(persist, DATABASE_ID);
  fs.mkdirSync(path.dirname(apiFile), { recursive: true });
  const fresh = new sqlite.DatabaseSync(apiFile);
  seedScript.applyMigrations(fresh);
  fresh.close();
  const options = convertV4MiniflareOptions({
    modules: true,
    modulesRoot: build,
    scriptPath: path.join(build, "index.js"),
    compatibilityDate: "2026-11-01",
    compatibilityFlags: ["nodejs_als"], // as wrangler.toml
    d1Databases: { DB: DATABASE_ID },
    resourcePersistencePath: persist,
    bindings: {
      JWT_SECRET,
      CURSOR_SECRET: "seed-test-cursor-secret-0123456789abcdef",
      IDENTIFIER_HMAC_KEY: HMAC_KEY,
      PII_KEYS,
      JWT_TENANT_CLAIM: "tenant_id",
      JWT_USER_CLAIM: "sub",
    },
    host: "127.0.0.1",
    port: 0,
  });
  options.logRequests = false;
  const mf = new Miniflare(options);
  try {
    const url: URL = await mf.ready;
    const token = await new SignJWT({
      tenant_id: TENANT,
      scope: "contacts:read contacts:write contacts:approve namespaces:write",
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(USER)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(JWT_SECRET));
    const call = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(new URL(route, url), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, text };
    };

    // The same plan, as requests.
    for (const ns of seedScript.NAMESPACES) {
      const res = await call("POST", "/namespaces/", ns);
      expect(res.status, res.text).toBe(201);
    }
    plan = [...seedScript.planContacts({ contacts: CONTACTS, seed: SEED, endAt })];
    const ids: string[] = [];
    for (const contact of plan) {
      const created = await call("POST", "/contacts/", contact.body);
      expect(created.status, created.text).toBe(201);
      const id = created.body.id as string;
      ids[contact.index] = id;
      for (const child of contact.children) {
        let res: { status: number; text: string };
        if (child.kind === "address")
          res = await call("POST", "/contacts/addresses/", { contact_id: id, ...child.body });
        else if (child.kind === "bank")
          res = await call("POST", "/contacts/banks/", { contact_id: id, ...child.body });
        else if (child.kind === "relation")
          res = await call("POST", "/contacts/relations/", {
            contact: id,
            related_contact: child.related === null ? null : ids[child.related],
            ...child.body,
          });
        else {
          res = await call(
            "PUT",
            `/contacts/${id}/${child.action}/`,
            child.reason ? { reason: child.reason } : undefined,
          );
          expect(res.status, res.text).toBe(200);
          continue;
        }
        expect(res.status, res.text).toBe(201);
      }
    }
  } finally {
    await mf.dispose();
  }
  seeded = normalise(snapshot(sqlite, seededFile), patternFormat);
  api = normalise(snapshot(sqlite, apiFile), patternFormat);
}, 90_000);

afterAll(() => {
  if (tmp) fs?.rmSync(tmp, { recursive: true, force: true });
});

describe("npm run seed writes what the API writes", () => {
  it("covers what the data set is meant to hold", () => {
    const bodies = plan.map((p) => p.body);
    const children = plan.flatMap((p) => p.children);
    expect(plan).toHaveLength(CONTACTS);
    expect(bodies.some((b) => b.type === "corporate" && b.props.some((p: any) => p.key === "gstin"))).toBe(
      true,
    );
    expect(bodies.some((b) => /[\u0900-\u097f]/.test(b.name))).toBe(true);
    expect(bodies.some((b) => b.ref_id === "")).toBe(true);
    expect(bodies.some((b) => b.ref_id)).toBe(true);
    expect(bodies.some((b) => b.status === "inactive")).toBe(true);
    expect(children.some((c) => c.kind === "relation" && c.related === null)).toBe(true);
    expect(children.some((c) => c.kind === "relation" && c.related !== null)).toBe(true);
    expect(children.some((c) => c.kind === "action" && c.action === "reject")).toBe(true);
    expect(children.some((c) => c.kind === "bank" && c.body.is_primary)).toBe(true);
    expect(seeded.contact_identifiers?.some((r) => r.kind === "a")).toBe(true); // Aadhaar, as the compact form names it (src/dedupe/index-form.ts)
  });

  it("has the same tables", () => {
    expect(Object.keys(seeded).sort()).toEqual(Object.keys(api).sort());
    for (const table of [...TABLES, "contact_identifiers", ...Object.keys(FTS)])
      expect(seeded).toHaveProperty(table);
  });

  it.each([...TABLES, "contact_identifiers"])("%s: the same rows, in the same order", (table) => {
    expect(seeded[table]?.length).toBeGreaterThan(0);
    expect(seeded[table]).toEqual(api[table]);
  });

  it("every other table: the same rows, in the same order", () => {
    const others = Object.keys(api).filter(
      (t) => ![...TABLES, "contact_identifiers", "schema", "migrations", ...Object.keys(FTS)].includes(t),
    );
    for (const table of others) expect(seeded[table], table).toEqual(api[table]);
  });

  it.each(Object.keys(FTS))("%s: the same search index", (table) => {
    expect(seeded[table]?.length).toBe(seeded[FTS[table as keyof typeof FTS]]?.length);
    expect(seeded[table]).toEqual(api[table]);
  });

  it("the same schema and applied migrations", () => {
    expect(seeded.schema).toEqual(api.schema);
    expect(seeded.migrations).toEqual(api.migrations);
  });
});
