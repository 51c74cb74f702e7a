import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { findCandidates, storedContactProbe } from "../src/dedupe/dedupe.repository";
import { addColumnsTodayReads, allRows, insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0014_identifiers_by_contact_rowid.sql on a database that already holds index rows the way
 * the API wrote them before it (own D1 binding, this file's storage only): every row of an existing
 * contact kept under that contact's rowid, rows of contacts that no longer exist dropped, and dedupe's
 * reads (a stored contact's rows, candidates by identifier and by name key) answer from the new table
 * through the lookup index and the primary key. The previous release's SQL, still running while a rollout
 * replaces it, neither fails nor writes a row the new code cannot read.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0014_identifiers_by_contact_rowid.sql");

const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const id = (n: number) => `01JKB3Q2W6N7X8Y9Z0A1B2C3${String(n).padStart(2, "0")}`;
const GONE = id(99);

/** [tenant, contact, kind, value, field] as the API wrote them before 0014. */
const ROWS: [string, string, string, string, string][] = [
  ["t1", id(1), "pan", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "props.pan"],
  ["t1", id(1), "mobile", "+919876543210", "props.mobile"],
  ["t1", id(1), "name", "prsh|shrm", "name"],
  ["t1", id(1), "bank_account", "aa1e2d3c4b5a69788796a5b4c3d2e1f0", "banks.account_number"],
  ["t1", id(2), "mobile", "+919876543210", "props.phone"],
  ["t1", id(2), "name", "prsh|shrm", "name"],
  ["t1", id(3), "email", "kavya@example.com", "props.email"],
  ["t2", id(4), "mobile", "+919876543210", "props.mobile"],
  ["t2", id(4), "name", "prsh|shrm", "name"],
  // A contact deleted without its rows (no write of the API does this; a hand edit might have).
  ["t1", GONE, "mobile", "+919876543210", "props.mobile"],
];

const all = <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
  allRows<T>(db, query, ...params);

const plan = async (query: string, ...params: unknown[]) =>
  (await all<{ detail: string }>(`explain query plan ${query}`, ...params)).map((r) => r.detail).join("\n");

describe("migration 0014_identifiers_by_contact_rowid", () => {
  it("keys every row of an existing contact by its rowid, and dedupe reads them back", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    await db.batch([
      insertNamespace(db, NS, T),
      ...[1, 2, 3, 4].map((n) =>
        db
          .prepare(
            `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, created_at, created_by, updated_at)
             values (?, ?, ?, ?, 'Prakash Sharma', 'individual', 'active', ?, 'u1', ?)`,
          )
          .bind(id(n), n === 4 ? "t2" : "t1", NS, `CUST-${n}`, T, T),
      ),
      ...ROWS.map((row) =>
        db
          .prepare(
            "insert into contact_identifiers (tenant_id, contact_id, kind, value, field) values (?, ?, ?, ?, ?)",
          )
          .bind(...row),
      ),
    ]);
    const rowids = new Map(
      (await all<{ id: string; rowid: number }>("select id, rowid from contacts")).map((r) => [
        r.id,
        r.rowid,
      ]),
    );

    await applyD1Migrations(db, migrations.slice(0, at + 1));

    const [table] = await all<{ sql: string }>(
      "select sql from sqlite_master where name = 'contact_identifiers'",
    );
    expect(table?.sql).toMatch(
      /PRIMARY KEY \(`tenant_id`, `contact_id`, `kind`, `value`\)\s*\) WITHOUT ROWID/,
    );
    const columns = (await all<{ name: string }>("pragma table_info(contact_identifiers)")).map(
      (c) => c.name,
    );
    expect(columns).toEqual(["tenant_id", "contact_id", "kind", "value", "field"]);
    expect(
      (
        await all<{ name: string }>(
          "select name from sqlite_master where tbl_name = 'contact_identifiers' and type = 'index'",
        )
      ).map((r) => r.name),
    ).toEqual(["contact_identifiers_lookup_idx"]);

    // Every row of an existing contact, under its rowid; the deleted contact's row is gone.
    const kept = ROWS.filter(([, contact]) => contact !== GONE)
      .map(([tenant_id, contact, kind, value, field]) => ({
        tenant_id,
        contact_id: rowids.get(contact),
        kind,
        value,
        field,
      }))
      .sort((a, b) => (a.contact_id ?? 0) - (b.contact_id ?? 0) || a.kind.localeCompare(b.kind));
    expect(
      await all(
        "select tenant_id, contact_id, kind, value, field from contact_identifiers order by contact_id, kind",
      ),
    ).toEqual(kept);

    // The two access paths: a contact's rows by the primary key, a value's contacts by the lookup index.
    expect(await plan("select * from contact_identifiers where tenant_id = 't1' and contact_id = 1")).toMatch(
      /USING PRIMARY KEY \(tenant_id=\? AND contact_id=\?\)/,
    );
    expect(
      await plan(
        "select contact_id from contact_identifiers where tenant_id = 't1' and kind = 'mobile' and value = 'x'",
      ),
    ).toMatch(
      /USING COVERING INDEX contact_identifiers_lookup_idx \(tenant_id=\? AND kind=\? AND value=\?\)/,
    );

    // Dedupe through the migrated table: C1's rows, and its candidates (shared mobile and name key),
    // never another tenant's contact nor C1 itself.
    await addColumnsTodayReads(db);
    const orm = drizzle(db);
    const { probe } = await storedContactProbe(orm, "t1", id(1));
    expect(probe.rows.map((r) => `${r.kind}:${r.value}:${r.field}`).sort()).toEqual(
      ROWS.filter(([, contact]) => contact === id(1))
        .map(([, , kind, value, field]) => `${kind}:${value}:${field}`)
        .sort(),
    );
    const candidates = await findCandidates(orm, { tenantId: "t1", excludeId: id(1) }, probe.rows);
    expect(candidates.contacts.map((c) => c.id)).toEqual([id(2)]);
    // Its rows as scoring reads them: its name keys found it, but are not read back.
    expect(candidates.index.map((r) => `${r.contactId}:${r.kind}:${r.field}`).sort()).toEqual([
      `${id(2)}:mobile:props.phone`,
    ]);
    const t2 = await findCandidates(orm, { tenantId: "t2" }, probe.rows);
    expect(t2.contacts.map((c) => c.id)).toEqual([id(4)]);

    // The previous release's statements (contacts named by id), as they run during a rollout: its
    // insert lands under the rowid, its reads and deletes by id find nothing and do not fail.
    const [, readById, deleteById] = await db.batch([
      db
        .prepare(
          `insert into contact_identifiers (tenant_id, kind, value, contact_id, field)
           select 't1', 'email', 'prakash@example.com', c.id, 'props.email' from contacts c where c.id = ?
           on conflict do nothing`,
        )
        .bind(id(3)),
      db
        .prepare("select kind from contact_identifiers where tenant_id = 't1' and contact_id = ?")
        .bind(id(3)),
      db
        .prepare(
          "delete from contact_identifiers where tenant_id = 't1' and contact_id = ? and kind <> 'bank_account'",
        )
        .bind(id(2)),
    ]);
    expect(readById?.results).toEqual([]);
    expect(deleteById?.meta.changes).toBe(0);
    expect(
      await all(
        "select contact_id, kind, value, field from contact_identifiers where contact_id = ? order by value",
        rowids.get(id(3)),
      ),
    ).toEqual([
      { contact_id: rowids.get(id(3)), kind: "email", value: "kavya@example.com", field: "props.email" },
      { contact_id: rowids.get(id(3)), kind: "email", value: "prakash@example.com", field: "props.email" },
    ]);
    expect(
      await all("select count(*) as n from contact_identifiers where typeof(contact_id) <> 'integer'"),
    ).toEqual([{ n: 0 }]);
  });
});
