import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { allPrefixes, searchWords } from "../src/lib/search";
import { contactSearchExpression } from "../src/resources/contacts/contacts.repository";
import { ftsIds } from "./helpers/fts";
import { allRows, insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0022_fts_update_guards.sql on a database the previous release filled (own D1 binding, this
 * file's storage only): it replaces three triggers and touches no row, so every table and search index
 * reads as before; afterwards an update that keeps the indexed text leaves the index as it was, and one
 * that changes it is found under the new text only.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0022_fts_update_guards.sql");

const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const id = (prefix: string, n: number) => `01JKB3Q2W6N7X8Y9Z0A1B2${prefix}${String(n).padStart(2, "0")}`;
const INDEXES = ["contacts_fts", "addresses_fts", "bank_accounts_fts"] as const;

const all = (query: string, ...params: unknown[]) => allRows(db, query, ...params);
const snapshot = async () => {
  const out: Record<string, unknown[]> = {};
  for (const table of ["contacts", "addresses", "bank_accounts"])
    out[table] = await all(`select rowid, * from ${table} order by rowid`);
  for (const index of INDEXES)
    out[index] = await all(`select id, hex(block) as b from ${index}_data order by id`);
  return out;
};

const people = (tenant: string, words: string) =>
  ftsIds(db, "contacts", tenant, contactSearchExpression(searchWords(words)));
const places = (tenant: string, words: string) =>
  ftsIds(db, "addresses", tenant, allPrefixes("body", searchWords(words)));
const accounts = (tenant: string, words: string) =>
  ftsIds(db, "bank_accounts", tenant, allPrefixes("body", searchWords(words)));

const searches = async () => ({
  sharma: await people("t1", "rahul sha"),
  ref: await people("t1", "cust-0002"),
  t2: await people("t2", "rahul"),
  indiranagar: await places("t1", "indiranagar"),
  hdfc: await accounts("t1", "hdfc"),
});

describe("migration 0022_fts_update_guards", () => {
  it("touches no row or index block, and the new triggers reindex only changed text", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    const contact = (n: number, tenant: string, name: string, ref: string) =>
      db
        .prepare(
          `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, created_at, created_by, updated_at)
           values (?, ?, ?, ?, ?, 'individual', 'active', ?, 'u1', ?)`,
        )
        .bind(id("C0", n), tenant, NS, ref, name, T, T);
    await db.batch([
      insertNamespace(db, NS, T),
      contact(1, "t1", "Rahul Sharma", "CUST-0001"),
      contact(2, "t1", "Priya Iyer", "CUST-0002"),
      contact(3, "t2", "Rahul Sharma", "CUST-0001"),
      db
        .prepare(
          `insert into addresses (id, tenant_id, contact_id, address_line, city, pincode, type, created_at, created_by, updated_at)
           values (?, 't1', ?, '12, 100 Feet Road, Indiranagar', 'Bengaluru', '560038', 'current', ?, 'u1', ?)`,
        )
        .bind(id("A0", 1), id("C0", 1), T, T),
      db
        .prepare(
          `insert into bank_accounts (id, tenant_id, contact_id, account_number, account_last4, ifsc, account_holder_name,
             bank_name, account_type, created_at, created_by, updated_at)
           values (?, 't1', ?, 'v1.k1.envelope', '3456', 'HDFC0001234', 'Rahul Sharma', 'HDFC Bank', 'savings', ?, 'u1', ?)`,
        )
        .bind(id("B0", 1), id("C0", 1), T, T),
    ]);
    const before = await snapshot();
    const found = await searches();
    expect(found).toEqual({
      sharma: [id("C0", 1)],
      ref: [id("C0", 2)],
      t2: [id("C0", 3)],
      indiranagar: [id("A0", 1)],
      hdfc: [id("B0", 1)],
    });

    await applyD1Migrations(db, migrations.slice(at, at + 1));
    expect(await snapshot()).toEqual(before);
    expect(await searches()).toEqual(found);
    const triggers = await all(
      "select name from sqlite_schema where type = 'trigger' and name like '%fts_au' order by name",
    );
    expect(triggers.map((t) => t.name)).toEqual([
      "addresses_fts_au",
      "bank_accounts_fts_au",
      "contacts_fts_au",
    ]);

    // Writes that keep the indexed text: no index block changes.
    const indexes = async () => {
      const s = await snapshot();
      return INDEXES.map((index) => s[index]);
    };
    const blocks = await indexes();
    await db.batch([
      db
        .prepare(
          "update contacts set name = name, ref_id = ref_id, status = 'inactive', version = 2 where id = ?",
        )
        .bind(id("C0", 1)),
      db
        .prepare("update addresses set type = 'office', city = 'Bengaluru', version = 2 where id = ?")
        .bind(id("A0", 1)),
      db
        .prepare("update bank_accounts set ifsc = 'ICIC0000001', is_primary = 1, version = 2 where id = ?")
        .bind(id("B0", 1)),
    ]);
    expect(await indexes()).toEqual(blocks);

    // Writes that change it: found under the new text, no longer under the old.
    await db.batch([
      db.prepare("update contacts set name = 'Rahul Verma' where id = ?").bind(id("C0", 1)),
      db.prepare("update contacts set ref_id = null where id = ?").bind(id("C0", 2)),
      db.prepare("update addresses set city = 'Mysuru', address_line = null where id = ?").bind(id("A0", 1)),
      db.prepare("update bank_accounts set bank_name = 'Axis Bank' where id = ?").bind(id("B0", 1)),
    ]);
    expect(await searches()).toEqual({ sharma: [], ref: [], t2: [id("C0", 3)], indiranagar: [], hdfc: [] });
    expect(await people("t1", "rahul ver")).toEqual([id("C0", 1)]);
    expect(await places("t1", "mysuru")).toEqual([id("A0", 1)]);
    expect(await accounts("t1", "axis")).toEqual([id("B0", 1)]);
    for (const index of INDEXES)
      await db.prepare(`insert into ${index} (${index}, rank) values ('integrity-check', 0)`).run();
  });
});
