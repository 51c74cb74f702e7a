/**
 * `npx tsx bench/sql.ts [--sizes 10000,1000000] [--repeat 3] [--cursor-depth 20000]`: which SQL each read route runs, and what it
 * costs in SQLite as the data set grows. The real app (src/app.ts) answers each request in Node,
 * against a seeded database of bench/.state/seed/ through a D1 binding backed by node:sqlite that
 * times every statement and asks SQLite for its plan. No Worker runtime: this isolates the database
 * work that the load benchmark measures only as a whole. Run `npm run bench` first (it seeds).
 */
import { timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { devVar } from "../scripts/seed";
import { app } from "../src/app";
import { sizeLabel } from "./lib/report";
import { preparedOnce, sqliteParams } from "./lib/sqlite-statements";

const ROOT = join(import.meta.dirname, "..");
// workerd's crypto.subtle has timingSafeEqual (cursor signatures use it); Node's does not.
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
    sizes: { type: "string", default: "10000,100000,1000000" },
    repeat: { type: "string", default: "3" },
    "cursor-depth": { type: "string", default: "20000" },
  },
});
const repeat = Math.max(1, Number(args.repeat));

type Timed = { sql: string; params: unknown[]; ms: number; rows: number; plan: string[] };

/** A D1 binding over node:sqlite that records and times each statement (the best of `repeat` runs). */
function timedD1(db: DatabaseSync, log: Timed[]) {
  const prepared = preparedOnce(db);
  const norm = sqliteParams;
  const execute = (sql: string, params: unknown[], arrays: boolean) => {
    const s = prepared(sql);
    s.setReturnArrays(arrays);
    const reader = /^\s*(select|with)\b/i.test(sql) || /\breturning\b/i.test(sql);
    let best = Number.POSITIVE_INFINITY;
    let result: unknown[] = [];
    let changes = 0;
    for (let i = 0; i < (reader ? repeat : 1); i++) {
      const started = performance.now();
      if (reader) result = s.all(...norm(params)) as unknown[];
      else changes = Number(s.run(...norm(params)).changes);
      best = Math.min(best, performance.now() - started);
    }
    let plan: string[] = [];
    try {
      plan = (db.prepare(`explain query plan ${sql}`).all(...norm(params)) as { detail: string }[]).map(
        (r) => r.detail,
      );
    } catch {
      plan = [];
    }
    log.push({ sql, params, ms: best, rows: reader ? result.length : changes, plan });
    return { result, changes };
  };
  const statement = (sql: string, params: unknown[] = []): any => ({
    sql,
    params,
    bind: (...values: unknown[]) => statement(sql, values),
    all: async () => ({ results: execute(sql, params, false).result, success: true, meta: {} }),
    raw: async () => execute(sql, params, true).result,
    first: async () => (execute(sql, params, false).result as unknown[])[0] ?? null,
    run: async () => ({ success: true, meta: { changes: execute(sql, params, false).changes } }),
  });
  return {
    prepare: (sql: string) => statement(sql),
    batch: async (statements: { sql: string; params: unknown[] }[]) => {
      db.exec("BEGIN");
      try {
        const out = statements.map((s) => ({
          results: execute(s.sql, s.params, false).result,
          success: true,
          meta: {},
        }));
        db.exec("COMMIT");
        return out;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    // The worker queries through a D1 session (read replicas); here there is one database.
    withSession() {
      return { ...this, getBookmark: () => null };
    },
  };
}

async function main() {
  const secrets: Record<string, string> = {
    JWT_SECRET: "sql-diagnosis-secret-0123456789abcdef0123456789",
    CURSOR_SECRET: "sql-diagnosis-cursor-0123456789abcdef",
    JWT_TENANT_CLAIM: "tenant_id",
    JWT_USER_CLAIM: "sub",
    // The keys the bench seeds with (.dev.vars, else .dev.vars.example): stored identifiers decrypt and hash alike.
    IDENTIFIER_HMAC_KEY: devVar("IDENTIFIER_HMAC_KEY") ?? "",
    PII_KEYS: devVar("PII_KEYS") ?? "",
  };
  const token = await new SignJWT({
    tenant_id: "bench",
    scope: "contacts:read contacts:write contacts:approve namespaces:write",
  })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("bench-user")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secrets.JWT_SECRET));
  for (const size of args.sizes.split(",").map(Number)) {
    const file = join(ROOT, "bench", ".state", "seed", `contacts-${size}.sqlite`);
    if (!existsSync(file)) {
      console.log(`${file} is missing: run npm run bench (or --sizes ${size}) first`);
      continue;
    }
    // Read-only: nothing changes the seeded file.
    const db = new DatabaseSync(file, { readOnly: true });
    const someId = (
      db.prepare("select id from contacts where rowid = (select max(rowid) / 2 from contacts)").get() as {
        id: string;
      }
    ).id;
    const name = (db.prepare("select name from contacts where rowid = 7").get() as { name: string }).name
      .toLowerCase()
      .split(" ");
    const search = `${name[0]?.slice(0, 4)} ${name[1]?.slice(0, 3) ?? ""}`.trim();
    // A broad search: two letters, what a search box holds after two keystrokes.
    const broad = name[0]?.slice(0, 2) ?? "ra";
    const env = (log: Timed[]) => ({ ...secrets, DB: timedD1(db, log) });
    const get = (path: string, log: Timed[] = []) =>
      app.request(path, { headers: { authorization: `Bearer ${token}` } }, env(log));
    // A cursor some way into the newest-first list, walked 100 rows a page (as the bench does, less deep).
    const depth = Math.min(Number(args["cursor-depth"]), Math.floor(size / 2));
    let cursor = "";
    for (let walked = 0; walked < depth; walked += 100) {
      const page = (await (
        await get(`/contacts/?page_size=100&cursor=${encodeURIComponent(cursor)}`)
      ).json()) as {
        next_cursor: string | null;
      };
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    const requests: [string, string, string?][] = [
      ["retrieve", `/contacts/${someId}/`],
      ["list page 1", "/contacts/"],
      ["list filtered", "/contacts/?status=active&namespace=Retail&ordering=name"],
      ["search", `/contacts/?search=${encodeURIComponent(search)}`],
      // The ruling's cost of an explicit ordering: every match is sorted before the page.
      ["search, ordering=name", `/contacts/?search=${encodeURIComponent(search)}&ordering=name`],
      [`search, broad ("${broad}")`, `/contacts/?search=${broad}`],
      [`search, broad ("${broad}"), ordering=name`, `/contacts/?search=${broad}&ordering=name`],
      [`search, broad ("${broad}"), cursor mode`, `/contacts/?search=${broad}&cursor=`],
      ["cursor page, first", "/contacts/?cursor="],
      [
        `cursor page, ${depth.toLocaleString("en-US")} rows deep`,
        `/contacts/?cursor=${encodeURIComponent(cursor)}`,
      ],
      ["dedupe", "/contacts/dedupe/", JSON.stringify({ contact_id: someId })],
    ];
    console.log(`\n## ${sizeLabel(size)} contacts\n`);
    for (const [label, path, body] of requests) {
      const log: Timed[] = [];
      const res = await app.request(
        path,
        {
          method: body ? "POST" : "GET",
          headers: {
            authorization: `Bearer ${token}`,
            ...(body ? { "content-type": "application/json" } : {}),
          },
          body,
        },
        env(log),
      );
      const total = log.reduce((s, t) => s + t.ms, 0);
      // A list's `count` (page mode): how many rows the request had to consider.
      const answer: unknown = await res.json();
      const count =
        typeof answer === "object" && answer !== null && "count" in answer && typeof answer.count === "number"
          ? `, count ${answer.count.toLocaleString("en-US")}`
          : "";
      console.log(
        `### ${label} (${res.status}${count}): ${log.length} statements, ${total.toFixed(2)} ms in SQLite\n`,
      );
      for (const t of log) {
        console.log(
          `- ${t.ms.toFixed(2)} ms, ${t.rows} rows: \`${t.sql.replace(/\s+/g, " ").slice(0, 400)}\``,
        );
        for (const step of t.plan) console.log(`  - plan: ${step}`);
      }
      console.log("");
    }
    db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
