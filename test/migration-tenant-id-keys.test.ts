import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { allRows, insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0018_tenant_id_keys.sql on a populated database (own D1 binding, this file's storage only):
 * contacts, addresses, bank accounts and relations are rebuilt with (tenant_id, id) as their one key.
 * Every row keeps its columns and its rowid (the search tables and the identifier index are keyed by
 * it), the counts and the search answer as before, and the triggers keep both up to date afterwards.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0018_tenant_id_keys.sql");

const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const id = (prefix: string, n: number) => `01JKB3Q2W6N7X8Y9Z0A1B2${prefix}${String(n).padStart(2, "0")}`;
const TABLES = ["contacts", "addresses", "bank_accounts", "relations"] as const;

const all = <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
  allRows<T>(db, query, ...params);
const run = (query: string, ...params: unknown[]) =>
  db
    .prepare(query)
    .bind(...params)
    .run();
const plan = async (query: string, ...params: unknown[]) =>
  (await all<{ detail: string }>(`explain query plan ${query}`, ...params)).map((r) => r.detail).join("\n");

const insertContact = (n: number, tenant: string, name: string, rm: string | null) =>
  db
    .prepare(
      `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, approval_status, props, rm_id,
         version, created_at, created_by, updated_at)
       values (?, ?, ?, ?, ?, 'individual', 'active', ?, '[["mobile","+919876543210"]]', ?, 1, ?, 'u1', ?)`,
    )
    .bind(id("C0", n), tenant, NS, `CUST-${n}`, name, n % 2 ? "pending" : "approved", rm, T, T);
const insertAddress = (n: number, contact: number, tenant: string, city: string) =>
  db
    .prepare(
      `insert into addresses (id, tenant_id, contact_id, address_line, city, pincode, country, type, created_at, created_by, updated_at)
       values (?, ?, ?, '12, MG Road', ?, '560001', 'India', 'current', ?, 'u1', ?)`,
    )
    .bind(id("A0", n), tenant, id("C0", contact), city, T, T);
const insertBank = (n: number, contact: number, tenant: string, primary: boolean) =>
  db
    .prepare(
      `insert into bank_accounts (id, tenant_id, contact_id, account_number, ifsc, account_holder_name, bank_name,
         account_type, is_primary, created_at, created_by, updated_at, account_last4, account_hash)
       values (?, ?, ?, 'v1.k1.envelope', 'HDFC0001234', 'Asha Verma', 'HDFC Bank', 'savings', ?, ?, 'u1', ?, ?, ?)`,
    )
    .bind(id("B0", n), tenant, id("C0", contact), primary ? 1 : 0, T, T, `${5670 + n}`, `hash-${n}`);
const insertRelation = (n: number, contact: number, related: number | null, tenant: string) =>
  db
    .prepare(
      `insert into relations (id, tenant_id, contact_id, type, related_contact_id, created_at, created_by, updated_at)
       values (?, ?, ?, 'guarantor', ?, ?, 'u1', ?)`,
    )
    .bind(id("R0", n), tenant, id("C0", contact), related === null ? null : id("C0", related), T, T);

const snapshot = async () =>
  Object.fromEntries(
    await Promise.all(
      TABLES.map(async (table) => [table, await all(`select rowid as rid, * from ${table} order by rowid`)]),
    ),
  );
const searches = async () => ({
  contacts: await all("select rowid from contacts_fts where contacts_fts match 'name:asha' order by rowid"),
  refs: await all(`select rowid from contacts_fts where contacts_fts match 'ref_id:"CUST-3"' order by rowid`),
  addresses: await all("select rowid from addresses_fts where addresses_fts match 'mysuru' order by rowid"),
  banks: await all("select rowid from bank_accounts_fts where bank_accounts_fts match 'digits:l5672'"),
});
const counts = () => all("select * from contact_counts order by tenant_id, approval_status");

describe("migration 0018_tenant_id_keys", () => {
  it("rebuilds the four tables keyed by (tenant_id, id), every row kept under its rowid", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    await db.batch([
      insertNamespace(db, NS, T),
      insertContact(1, "t1", "Asha Verma", "RM_1"),
      insertContact(2, "t1", "Ravi Iyer", null),
      insertContact(3, "t1", "Asha Rao", null),
      insertContact(4, "t2", "Asha Verma", "RM_1"),
      insertAddress(1, 1, "t1", "Mysuru"),
      insertAddress(2, 3, "t1", "Bengaluru"),
      insertAddress(3, 4, "t2", "Mysuru"),
      insertBank(1, 1, "t1", true),
      insertBank(2, 1, "t1", false),
      insertBank(3, 4, "t2", true),
      insertRelation(1, 1, 2, "t1"),
      insertRelation(2, 2, null, "t1"),
    ]);
    // A deleted contact leaves a gap in the rowids, which the copy must keep.
    await run("delete from contacts where id = ?", id("C0", 2));
    const before = await snapshot();
    const searchedBefore = await searches();
    const countsBefore = await counts();
    expect(searchedBefore.contacts).toHaveLength(3);

    await applyD1Migrations(db, migrations.slice(0, at + 1));

    expect(await snapshot()).toEqual(before);
    expect(await searches()).toEqual(searchedBefore);
    expect(await counts()).toEqual(countsBefore);
    for (const table of TABLES) {
      const indexes = await all<{ name: string; unique: number }>(
        `select name, "unique" from pragma_index_list('${table}') order by name`,
      );
      // No automatic index on id alone: the unique (tenant_id, id) index is the key.
      expect(indexes.filter((i) => i.name.startsWith("sqlite_autoindex"))).toEqual([]);
      expect(indexes).toContainEqual({ name: `${table}_tenant_id_uq`, unique: 1 });
      expect(indexes.map((i) => i.name)).not.toContain(`${table}_tenant_id_idx`);
      expect(await plan(`select * from ${table} where tenant_id = ? and id = ?`, "t1", "x")).toContain(
        `USING INDEX ${table}_tenant_id_uq (tenant_id=? AND id=?)`,
      );
    }
    for (const table of ["addresses", "bank_accounts", "relations"])
      expect(
        await plan(`select * from ${table} where tenant_id = ? and contact_id = ? order by id`, "t1", "x"),
      ).toContain(`USING INDEX ${table}_tenant_contact_id_idx (tenant_id=? AND contact_id=?)`);
    expect(
      await all(
        "select name from sqlite_master where type = 'trigger' and name = 'contact_identifiers_by_id'",
      ),
    ).toEqual([]);
  });

  it("keeps (tenant_id, id) unique and the counts and search tables in step with later writes", async () => {
    await expect(insertContact(1, "t1", "Copy", null).run()).rejects.toThrow(/UNIQUE/);
    await expect(insertAddress(1, 1, "t1", "Copy").run()).rejects.toThrow(/UNIQUE/);
    await expect(insertBank(1, 3, "t1", false).run()).rejects.toThrow(/UNIQUE/);
    await expect(insertRelation(1, 3, 1, "t1").run()).rejects.toThrow(/UNIQUE/);
    // A second primary account of a contact is still refused, and one account twice on a contact.
    await expect(insertBank(9, 1, "t1", true).run()).rejects.toThrow(/UNIQUE/);

    await insertContact(5, "t1", "Asha Menon", null).run();
    await insertAddress(5, 5, "t1", "Mysuru").run();
    await insertBank(5, 5, "t1", false).run();
    const [added] = await all<{ rowid: number }>("select rowid from contacts where id = ?", id("C0", 5));
    const [last] = await all<{ m: number }>(
      "select max(rowid) as m from contacts where id <> ?",
      id("C0", 5),
    );
    expect(added?.rowid).toBeGreaterThan(last?.m ?? Number.POSITIVE_INFINITY);
    expect((await searches()).contacts).toContainEqual({ rowid: added?.rowid });
    expect((await searches()).addresses).toHaveLength(3);
    expect(
      await all("select n from contact_counts where tenant_id = 't1' and approval_status = 'pending'"),
    ).toEqual([{ n: 3 }]);

    await run(
      "update contacts set name = 'Kavya Menon', approval_status = 'approved' where id = ?",
      id("C0", 5),
    );
    expect((await searches()).contacts).not.toContainEqual({ rowid: added?.rowid });
    expect(
      await all("select n from contact_counts where tenant_id = 't1' and approval_status = 'pending'"),
    ).toEqual([{ n: 2 }]);
    await run("update addresses set city = 'Hubli' where id = ?", id("A0", 5));
    expect((await searches()).addresses).toHaveLength(2);
    await run("delete from bank_accounts where id = ?", id("B0", 2));
    expect((await searches()).banks).toEqual([]);
    await run("delete from contacts where id = ?", id("C0", 5));
    expect(
      await all("select n from contact_counts where tenant_id = 't1' and approval_status = 'approved'"),
    ).toEqual([{ n: 0 }]);
    expect(await all("select rowid from contacts_fts where contacts_fts match 'kavya'")).toEqual([]);
  });
});
