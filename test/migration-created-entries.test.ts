import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { createAddress, deleteAddress, updateAddress } from "../src/resources/addresses/addresses.repository";
import { listHistory } from "../src/resources/history/history.repository";
import { allRows, insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0021_created_entries.sql on a database the previous release filled (own D1 binding, this
 * file's storage only): records whose creation is a stored history row, as that release wrote them. The
 * migration rewrites no row and marks every record as having its created entry stored, so history reads
 * exactly as before (nothing is added from the records), and today's writes on those records never store
 * a second created entry; a record created after it has none stored and is read from its row.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0021_created_entries.sql");

const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const T2 = "2026-01-02T03:04:06.001Z";
const id = (prefix: string, n: number) => `01JKB3Q2W6N7X8Y9Z0A1B2${prefix}${String(n).padStart(2, "0")}`;
const ms = (iso: string) => Date.parse(iso);

const all = <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
  allRows<T>(db, query, ...params);
const TABLES = ["contacts", "addresses", "bank_accounts", "relations"] as const;
const snapshot = async () => ({
  contacts: await all("select rowid, * from contacts order by rowid"),
  addresses: await all("select rowid, * from addresses order by rowid"),
  bank_accounts: await all("select rowid, * from bank_accounts order by rowid"),
  relations: await all("select rowid, * from relations order by rowid"),
  contact_history: await all("select * from contact_history order by tenant_id, contact_id, at, id"),
});

const insertContact = (n: number, tenant: string, name: string) =>
  db
    .prepare(
      `insert into contacts (id, tenant_id, namespace_id, name, type, status, created_at, created_by, updated_at)
       values (?, ?, ?, ?, 'individual', 'active', ?, 'u1', ?)`,
    )
    .bind(id("C0", n), tenant, NS, name, T, T);
/** A history row as the previous release wrote it (0019's form: the contact's rowid, `at` in ms). */
const entry = (
  tenant: string,
  contact: number,
  iso: string,
  n: number,
  action: string,
  changes: string,
  subject: [string, string] | null = null,
) =>
  db
    .prepare(
      `insert into contact_history (tenant_id, contact_id, at, id, actor, action, changes, reason, subject_type, subject_id)
       select ?, rowid, ?, ?, 'u1', ?, ?, null, ?, ? from contacts where id = ?`,
    )
    .bind(
      tenant,
      ms(iso),
      id("H0", n),
      action,
      changes,
      subject?.[0] ?? null,
      subject?.[1] ?? null,
      id("C0", contact),
    );

describe("migration 0021_created_entries", () => {
  it("rewrites nothing, and history reads exactly the stored entries before and after", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    const relationChanges = JSON.stringify({
      contact: [null, id("C0", 1)],
      type: [null, "spouse"],
      related_contact: [null, id("C0", 2)],
    });
    await db.batch([
      insertNamespace(db, NS, T),
      insertContact(1, "t1", "Asha Verma"),
      insertContact(2, "t1", "Ravi Verma"),
      insertContact(3, "t2", "Meena Das"),
      db
        .prepare(
          "insert into addresses (id, tenant_id, contact_id, type, city, created_at, created_by, updated_at) values (?, 't1', ?, 'current', 'Pune', ?, 'u1', ?)",
        )
        .bind(id("A0", 1), id("C0", 1), T2, T2),
      db
        .prepare(
          `insert into bank_accounts (id, tenant_id, contact_id, account_number, account_last4, account_hash, ifsc,
             account_holder_name, account_type, is_primary, created_at, created_by, updated_at)
           values (?, 't1', ?, 'v1.k.x.y.9012', '9012', 'aa', 'HDFC0001234', 'Asha Verma', 'savings', 1, ?, 'u1', ?)`,
        )
        .bind(id("B0", 1), id("C0", 1), T2, T2),
      db
        .prepare(
          "insert into relations (id, tenant_id, contact_id, type, related_contact_id, created_at, created_by, updated_at) values (?, 't1', ?, 'spouse', ?, ?, 'u1', ?)",
        )
        .bind(id("R0", 1), id("C0", 1), id("C0", 2), T2, T2),
      entry("t1", 1, T, 1, "created", "{}"),
      entry("t1", 1, T2, 2, "address_created", "{}", ["address", id("A0", 1)]),
      entry("t1", 1, T2, 3, "bank_created", "{}", ["bank", id("B0", 1)]),
      entry("t1", 1, T2, 4, "relation_created", relationChanges, ["relation", id("R0", 1)]),
      entry("t1", 2, T2, 5, "relation_created", relationChanges, ["relation", id("R0", 1)]),
      entry("t1", 2, T, 6, "created", "{}"),
      entry("t2", 3, T, 7, "created", "{}"),
    ]);
    const before = await snapshot();
    expect(before.contact_history).toHaveLength(7);
    const orm = drizzle(db);
    // Today's read of a contact's history: after 0021 it must list exactly the stored entries.
    const read = async (n: number, tenant = "t1") =>
      (await listHistory(orm, tenant, id("C0", n), { page_size: 20 }, "page-mode")).rows.map((r) => [
        r.id,
        r.action,
        r.changes,
      ]);

    await applyD1Migrations(db, migrations.slice(0, at + 1));

    // No row rewritten: every column as it was, the new one reading 1 (the created entry is stored).
    const after = await snapshot();
    expect(after.contact_history).toEqual(before.contact_history);
    for (const table of TABLES) {
      expect(after[table], table).toEqual(before[table].map((row) => ({ ...row, created_entry: 1 })));
      const column = (
        await all<{ name: string; notnull: number; dflt_value: string }>(`pragma table_info(${table})`)
      ).find((c) => c.name === "created_entry");
      expect(column, table).toMatchObject({ notnull: 1, dflt_value: "true" });
    }

    // History: the stored entries, each once, with their own ids (none read from a record).
    expect(await read(1)).toEqual([
      [id("H0", 4), "relation_created", JSON.parse(relationChanges)],
      [id("H0", 3), "bank_created", expect.objectContaining({ account_type: [null, "savings"] })],
      [id("H0", 2), "address_created", expect.objectContaining({ city: [null, "Pune"] })],
      [id("H0", 1), "created", expect.objectContaining({ name: [null, "Asha Verma"] })],
    ]);
    expect(await read(2)).toEqual([
      [id("H0", 5), "relation_created", JSON.parse(relationChanges)],
      [id("H0", 6), "created", expect.objectContaining({ name: [null, "Ravi Verma"] })],
    ]);
    expect(await read(3, "t2")).toEqual([
      [id("H0", 7), "created", expect.objectContaining({ name: [null, "Meena Das"] })],
    ]);
    expect((await listHistory(orm, "t1", id("C0", 1), { page_size: 2 }, "page-mode")).envelope).toMatchObject(
      {
        count: 4,
      },
    );

    // Today's writes on a record of before: no second created entry; on a new record: none stored.
    await updateAddress(orm, "t1", "u2", id("A0", 1), { city: "Nashik" });
    const added = await createAddress(orm, "t1", "u2", { contact_id: id("C0", 1), city: "Agra" });
    await deleteAddress(orm, "t1", "u2", id("A0", 1));
    const history = (await listHistory(orm, "t1", id("C0", 1), { page_size: 20 }, "page-mode")).rows;
    expect(history.filter((r) => r.action === "address_created").map((r) => [r.id, r.subjectId])).toEqual([
      [added.id, added.id],
      [id("H0", 2), id("A0", 1)],
    ]);
    expect(
      await all(
        "select count(*) as n from contact_history where action = 'address_created' and subject_id = ?",
        added.id,
      ),
    ).toEqual([{ n: 0 }]);
  });
});
