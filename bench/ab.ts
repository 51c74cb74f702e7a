/**
 * `npx tsx bench/ab.ts --before <dir> [--sizes 10000,100000] [--requests 200]`: the read routes of this
 * checkout (B) against another checkout's `src/app.ts` (A, e.g. `git archive <ref> | tar -x -C <dir>` with
 * node_modules linked), both in this Node process, on the same seeded database (read-only, through
 * node:sqlite), requests alternating A, B, A, B ... so machine load drifts over both alike. Reports p50
 * and mean wall time per request (the app's JavaScript and SQLite; no workerd, no HTTP) and B ÷ A.
 */
import { timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { devVar } from "../scripts/seed";
import { sizeLabel } from "./lib/report";
import { preparedOnce, sqliteParams } from "./lib/sqlite-statements";

const ROOT = join(import.meta.dirname, "..");
const subtle = crypto.subtle as SubtleCrypto & {
  timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean;
};
subtle.timingSafeEqual ??= (a, b) =>
  timingSafeEqual(
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  );
const { values: args } = parseArgs({
  options: {
    before: { type: "string" },
    sizes: { type: "string", default: "10000,100000" },
    requests: { type: "string", default: "200" },
  },
});
if (!args.before) {
  console.error("--before <dir with the other checkout> is required");
  process.exit(2);
}

/** A D1 binding over node:sqlite (read-only use: the read routes). */
function d1(db: DatabaseSync) {
  const prepared = preparedOnce(db);
  const norm = sqliteParams;
  const rows = (sql: string, params: unknown[], arrays: boolean) => {
    const s = prepared(sql);
    s.setReturnArrays(arrays);
    return s.all(...norm(params)) as unknown[];
  };
  const statement = (sql: string, params: unknown[] = []): any => ({
    sql,
    params,
    bind: (...values: unknown[]) => statement(sql, values),
    all: async () => ({ results: rows(sql, params, false), success: true, meta: {} }),
    raw: async () => rows(sql, params, true),
    first: async () => rows(sql, params, false)[0] ?? null,
    run: async () => ({ success: true, meta: { changes: 0 } }),
  });
  const binding = {
    prepare: (sql: string) => statement(sql),
    batch: async (statements: { sql: string; params: unknown[] }[]) =>
      statements.map((s) => ({ results: rows(s.sql, s.params, false), success: true, meta: {} })),
    withSession: () => ({ ...binding, getBookmark: () => null }),
  };
  return binding;
}

type App = { request: (path: string, init: RequestInit, env: unknown) => Promise<Response> };

async function main() {
  const secrets = {
    JWT_SECRET: "ab-secret-0123456789abcdef0123456789abcdef",
    CURSOR_SECRET: "ab-cursor-0123456789abcdef0123456789",
    JWT_TENANT_CLAIM: "tenant_id",
    JWT_USER_CLAIM: "sub",
    // The keys the bench seeds with (.dev.vars, else .dev.vars.example): stored identifiers decrypt and hash alike.
    IDENTIFIER_HMAC_KEY: devVar("IDENTIFIER_HMAC_KEY") ?? "",
    PII_KEYS: devVar("PII_KEYS") ?? "",
  };
  const token = await new SignJWT({ tenant_id: "bench", scope: "contacts:read contacts:write" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("bench-user")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secrets.JWT_SECRET));
  const load = async (dir: string) =>
    ((await import(pathToFileURL(join(resolve(dir), "src", "app.ts")).href)) as { app: App }).app;
  const apps = { A: await load(args.before as string), B: await load(ROOT) };
  const n = Number(args.requests);
  for (const size of (args.sizes as string).split(",").map(Number)) {
    const file = join(ROOT, "bench", ".state", "seed", `contacts-${size}.sqlite`);
    if (!existsSync(file)) {
      console.log(`${file} is missing: run npm run bench -- --sizes ${size} first`);
      continue;
    }
    const db = new DatabaseSync(file, { readOnly: true });
    const env = { ...secrets, DB: d1(db) };
    // The bench's samples: random contacts; search prefixes of individuals' two-word names.
    const max = (db.prepare("select max(rowid) as m from contacts").get() as { m: number }).m;
    const pick = db.prepare("select id, name, type from contacts where rowid = ?");
    let state = 0x2545f491;
    const ids: string[] = [];
    const searches: string[] = [];
    while (ids.length < n || searches.length < n) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const row = pick.get(1 + Math.floor((state / 4294967296) * max)) as
        | { id: string; name: string; type: string }
        | undefined;
      if (!row) continue;
      if (ids.length < n) ids.push(row.id);
      if (searches.length < n && row.type === "individual" && /^[A-Za-z]{4,} [A-Za-z]{3,}$/.test(row.name)) {
        const [given, surname] = row.name.toLowerCase().split(" ") as [string, string];
        searches.push(`${given.slice(0, 4)} ${surname.slice(0, 3)}`);
      }
    }
    const routes: [string, (i: number) => [string, RequestInit]][] = [
      ["search", (i) => [`/contacts/?search=${encodeURIComponent(searches[i] as string)}`, {}]],
      // A broad search: the first two letters of a given name match thousands of contacts at 100k.
      ["search, 2 letters", (i) => [`/contacts/?search=${(searches[i] as string).slice(0, 2)}`, {}]],
      [
        "search, 2 letters, cursor",
        (i) => [`/contacts/?cursor=&search=${(searches[i] as string).slice(0, 2)}`, {}],
      ],
      [
        "search, cursor mode",
        (i) => [`/contacts/?cursor=&search=${encodeURIComponent(searches[i] as string)}`, {}],
      ],
      [
        "dedupe",
        (i) => [
          "/contacts/dedupe/",
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ contact_id: ids[i] }),
          },
        ],
      ],
    ];
    console.log(
      `\n### ${sizeLabel(size)} contacts: A = ${args.before}, B = this checkout, ${n} requests each\n`,
    );
    console.log("| route | A p50 ms | B p50 ms | B ÷ A p50 | A mean ms | B mean ms | B ÷ A mean |");
    console.log("|---|--:|--:|--:|--:|--:|--:|");
    for (const [name, request] of routes) {
      const times: Record<"A" | "B", number[]> = { A: [], B: [] };
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < n; i++) {
          for (const which of round === 0 ? (["A", "B"] as const) : (["B", "A"] as const)) {
            const [path, init] = request(i);
            const started = performance.now();
            const res = await apps[which].request(
              path,
              { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } },
              env,
            );
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`${which} ${path}: ${res.status}`);
            // The first round warms both up (JIT, statement caches, pages): only the second is kept.
            if (round === 1) times[which].push(performance.now() - started);
          }
        }
      }
      const p50 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      const [a, b] = [times.A, times.B];
      console.log(
        `| ${name} | ${p50(a).toFixed(2)} | ${p50(b).toFixed(2)} | ${(p50(b) / p50(a)).toFixed(2)}× | ${mean(a).toFixed(2)} | ${mean(b).toFixed(2)} | ${(mean(b) / mean(a)).toFixed(2)}× |`,
      );
    }
    db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
