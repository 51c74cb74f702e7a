import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { searchWords } from "../src/lib/search";
import { contactSearchExpression } from "../src/resources/contacts/contacts.repository";
import { ftsIds } from "./helpers/fts";
import { insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0013_search_prefix_index.sql on a database that already holds contacts (own D1 binding,
 * this file's storage only): contacts_fts rebuilt with prefix indexes finds exactly what it found
 * before, for prefixes shorter than, equal to and longer than the indexed ones, and the triggers on
 * `contacts` keep the new table current.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0013_search_prefix_index.sql");

const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const id = (n: number) => `01JKB3Q2W6N7X8Y9Z0A1B2C3${String(n).padStart(2, "0")}`;
const PEOPLE: [string, string, string][] = [
  ["t1", "Rahul Sharma", "CUST-0001"],
  ["t1", "Rahim Shaikh", "CUST-0002"],
  ["t1", "Rahman Shah", "CUST-0003"],
  ["t1", "Priya Sharma", "CUST-0004"],
  ["t1", "राहुल शर्मा", "CUST-0005"],
  ["t1", "Ra Sh", "CUST-0006"],
  ["t2", "Rahul Sharma", "CUST-0001"],
];
/** What users type: 1 to 6 characters per word, one or two words, Latin and Devanagari. */
const SEARCHES = [
  "r",
  "ra",
  "rah",
  "rahu",
  "rahul",
  "rahul s",
  "ra sh",
  "rah sha",
  "sharm",
  "pri sh",
  "राहु",
  "रा श",
  "cust-0001",
  "cust 000",
];

/** What the API's contact search finds (its own expression), read below the API. */
const search = (tenant: string, words: string) =>
  ftsIds(db, "contacts", tenant, contactSearchExpression(searchWords(words)));

async function everySearch(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const tenant of ["t1", "t2"])
    for (const words of SEARCHES) out[`${tenant}:${words}`] = await search(tenant, words);
  return out;
}

describe("migration 0013_search_prefix_index", () => {
  it("finds exactly what search found before, and the triggers keep the rebuilt index current", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    await db.batch([
      insertNamespace(db, NS, T),
      ...PEOPLE.map(([tenant, name, ref], i) =>
        db
          .prepare(
            `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, created_at, created_by, updated_at)
             values (?, ?, ?, ?, ?, 'individual', 'active', ?, 'u1', ?)`,
          )
          .bind(id(i), tenant, NS, ref, name, T, T),
      ),
    ]);
    const before = await everySearch();
    // The data holds matches for short and long prefixes, and the tenants differ.
    expect(before["t1:rah sha"]).toEqual([id(0), id(1), id(2)]);
    expect(before["t1:rahu"]).toEqual([id(0)]);
    expect(before["t1:राहु"]).toEqual([id(4)]);
    expect(before["t2:ra"]).toEqual([id(6)]);

    await applyD1Migrations(db, migrations.slice(0, at + 1));
    const sql = await db
      .prepare("select sql from sqlite_master where name = 'contacts_fts'")
      .first<{ sql: string }>();
    expect(sql?.sql).toMatch(/prefix = '2 3 4'/);
    expect(await everySearch()).toEqual(before);
    await db.prepare("insert into contacts_fts (contacts_fts) values ('integrity-check')").run();

    // Insert, rename and delete go through the 0001 triggers into the rebuilt table.
    await db
      .prepare(
        `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, created_at, created_by, updated_at)
         values (?, 't1', ?, 'CUST-0099', 'Rahul Verma', 'individual', 'active', ?, 'u1', ?)`,
      )
      .bind(id(90), NS, T, T)
      .run();
    expect(await search("t1", "rah ve")).toEqual([id(90)]);
    await db.prepare("update contacts set name = 'Kavya Iyer' where id = ?").bind(id(0)).run();
    expect(await search("t1", "rahu")).toEqual([id(90)]);
    expect(await search("t1", "ka iy")).toEqual([id(0)]);
    await db.prepare("delete from contacts where id = ?").bind(id(1)).run();
    expect(await search("t1", "rah sha")).toEqual([id(2)]);
    await db.prepare("insert into contacts_fts (contacts_fts) values ('integrity-check')").run();
  });
});
