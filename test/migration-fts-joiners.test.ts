import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { allPrefixes, searchWords } from "../src/lib/search";
import { contactSearchExpression } from "../src/resources/contacts/contacts.repository";
import { ftsIds } from "./helpers/fts";
import { allRows, insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0024_fts_joiners.sql on a database the previous release filled (own D1 binding, this
 * file's storage only): the rows whose text holds a zero-width joiner or non-joiner are indexed again
 * without it, so they are found as typed with or without it; every other row's index entry, and every
 * table row, stays as it was. Later writes index joiner-free text through the new triggers.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0024_fts_joiners.sql");

const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const id = (prefix: string, n: number) => `01JKB3Q2W6N7X8Y9Z0A1B2${prefix}${String(n).padStart(2, "0")}`;
const ZWJ = "\u200d";
const ZWNJ = "\u200c";
const INDEXES = ["contacts_fts", "addresses_fts", "bank_accounts_fts"] as const;

const all = (query: string, ...params: unknown[]) => allRows(db, query, ...params);
const people = (words: string) => ftsIds(db, "contacts", "t1", contactSearchExpression(searchWords(words)));
const places = (words: string) => ftsIds(db, "addresses", "t1", allPrefixes("body", searchWords(words)));
const accounts = (words: string) =>
  ftsIds(db, "bank_accounts", "t1", allPrefixes("body", searchWords(words)));

describe("migration 0024_fts_joiners", () => {
  it("indexes again only the rows holding a joiner, which are then found with or without it", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    const contact = (n: number, name: string) =>
      db
        .prepare(
          `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, created_at, created_by, updated_at)
           values (?, 't1', ?, ?, ?, 'individual', 'active', ?, 'u1', ?)`,
        )
        .bind(id("C0", n), NS, `CUST-000${n}`, name, T, T);
    await db.batch([
      insertNamespace(db, NS, T),
      contact(1, `विठ्ठल आचार्${ZWJ}य`),
      contact(2, "सुरेश आचार्य"),
      contact(3, "Rahul Sharma"),
      db
        .prepare(
          `insert into addresses (id, tenant_id, contact_id, address_line, city, pincode, type, created_at, created_by, updated_at)
           values (?, 't1', ?, '12, MG Road', ?, '682001', 'current', ?, 'u1', ?)`,
        )
        .bind(id("A0", 1), id("C0", 1), `എറണാകുളം${ZWNJ}ജില്ല`, T, T),
      db
        .prepare(
          `insert into bank_accounts (id, tenant_id, contact_id, account_number, account_last4, ifsc, account_holder_name,
             bank_name, account_type, created_at, created_by, updated_at)
           values (?, 't1', ?, 'v1.k1.envelope', '3456', 'HDFC0001234', ?, 'HDFC Bank', 'savings', ?, 'u1', ?)`,
        )
        .bind(id("B0", 1), id("C0", 1), `রহিম র${ZWNJ}্যাব`, T, T),
    ]);
    // Before: the joiner splits the word.
    expect(await people("आचार्य")).toEqual([id("C0", 2)]);
    const rows = async () => {
      const out: Record<string, unknown[]> = {};
      for (const table of ["contacts", "addresses", "bank_accounts"])
        out[table] = await all(`select rowid, * from ${table} order by rowid`);
      return out;
    };
    const before = await rows();
    const plainEntry = async () =>
      (await all("select * from contacts_fts where contacts_fts match ?", 'name : "sharma"')).length;
    expect(await plainEntry()).toBe(1);

    await applyD1Migrations(db, migrations.slice(at, at + 1));
    expect(await rows()).toEqual(before);
    expect(await people("आचार्य")).toEqual([id("C0", 1), id("C0", 2)]);
    expect(await people(`आचार्${ZWJ}य`)).toEqual([id("C0", 1), id("C0", 2)]);
    expect(await people("य")).toEqual([]);
    expect(await people("rahul sha")).toEqual([id("C0", 3)]);
    expect(await people("cust-0001")).toEqual([id("C0", 1)]);
    expect(await places("എറണാകുളംജില്ല")).toEqual([id("A0", 1)]);
    expect(await places("682001")).toEqual([id("A0", 1)]);
    expect(await accounts("র্যাব")).toEqual([id("B0", 1)]);
    expect(await accounts(`র${ZWNJ}্যাব`)).toEqual([id("B0", 1)]);

    // The new triggers: a write with a joiner is indexed without it.
    await db
      .prepare("update contacts set name = ? where id = ?")
      .bind(`सुरेश आचार्${ZWJ}य जी`, id("C0", 2))
      .run();
    expect(await people("आचार्य जी")).toEqual([id("C0", 2)]);
    await db
      .prepare(
        `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, created_at, created_by, updated_at)
         values (?, 't1', ?, 'CUST-0009', ?, 'individual', 'active', ?, 'u1', ?)`,
      )
      .bind(id("C0", 9), NS, `കെ. ആർ${ZWJ}. നായർ`, T, T)
      .run();
    expect(await people("ആർ")).toEqual([id("C0", 9)]);
    for (const index of INDEXES)
      await db.prepare(`insert into ${index} (${index}, rank) values ('integrity-check', 0)`).run();
  });
});
