import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashIdentifier } from "../src/dedupe/identifiers";
import { allPrefixes, searchWords } from "../src/lib/search";
import { ftsIds } from "./helpers/fts";
import { allRows, insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0011_compact_storage.sql on a database that already holds rows the way the API wrote them
 * before it (own D1 binding, this file's storage only): history and the identifier index rebuilt,
 * keyed hashes shortened, FTS tables rebuilt contentless. Nothing may be lost.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0011_compact_storage.sql");

const hmacKey = env.IDENTIFIER_HMAC_KEY as string;
/** The full 64-hex HMAC the API stored before 0011. */
async function fullHmac(value: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(hmacKey),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(value));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

const all = <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
  allRows<T>(db, query, ...params);

const ids = (table: string, column: string, tenant: string, words: string) =>
  ftsIds(db, table, tenant, allPrefixes(column, searchWords(words)));

const C1 = "01JKB3Q2W6N7X8Y9Z0A1B2C3C1";
const C2 = "01JKB3Q2W6N7X8Y9Z0A1B2C3C2";
const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";

describe("migration 0011_compact_storage", () => {
  it("keeps every history row and index entry, shortens keyed hashes, and search still finds every row", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    const pan = await fullHmac("ABCPK1234F");
    const aadhaar = await fullHmac("234123412346");
    const account = await fullHmac("HDFC0001234:123456789012");
    await db.batch([
      insertNamespace(db, NS, T),
      ...[
        [C1, "Priya Sharma", "CUST-1"],
        [C2, "Kavya Iyer", "CUST-2"],
      ].map(([id, name, ref]) =>
        db
          .prepare(
            `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, created_at, created_by, updated_at)
             values (?, 't1', ?, ?, ?, 'individual', 'active', ?, 'u1', ?)`,
          )
          .bind(id, NS, ref, name, T, T),
      ),
      // History as the API wrote it before: created entries with their fields.
      ...[
        [
          "01JKB3Q2W6N7X8Y9Z0A1B2C3H1",
          C1,
          "created",
          '{"name":[null,"Priya Sharma"],"ref_id":[null,"CUST-1"]}',
          null,
          null,
        ],
        ["01JKB3Q2W6N7X8Y9Z0A1B2C3H2", C1, "updated", '{"rm_id":[null,"RM1"]}', null, null],
        [
          "01JKB3Q2W6N7X8Y9Z0A1B2C3H3",
          C1,
          "bank_created",
          '{"ifsc":[null,"HDFC0001234"]}',
          "bank",
          "01JKB3Q2W6N7X8Y9Z0A1B2C3B1",
        ],
        ["01JKB3Q2W6N7X8Y9Z0A1B2C3H4", C2, "created", '{"name":[null,"Kavya Iyer"]}', null, null],
      ].map(([id, contact, action, changes, subjectType, subjectId]) =>
        db
          .prepare(
            `insert into contact_history (id, tenant_id, contact_id, at, actor, action, changes, reason, subject_type, subject_id)
             values (?, 't1', ?, ?, 'u1', ?, ?, null, ?, ?)`,
          )
          .bind(id, contact, T, action, changes, subjectType, subjectId),
      ),
      // The identifier index with namespaces and full hashes; one mobile under two props of C1.
      ...[
        [C1, "pan", pan, "props.pan_no"],
        [C1, "aadhaar", aadhaar, "props.aadhaar"],
        [C1, "mobile", "+919876543210", "props.mobile"],
        [C1, "mobile", "+919876543210", "props.alt_mobile"],
        [C1, "name", "prsh|shrm", "name"],
        [C1, "bank_account", account, "banks.account_number"],
        [C2, "mobile", "+919876543210", "props.mobile"],
      ].map(([contact, kind, value, field]) =>
        db
          .prepare(
            "insert into contact_identifiers (tenant_id, namespace_id, contact_id, kind, value, field) values ('t1', ?, ?, ?, ?, ?)",
          )
          .bind(NS, contact, kind, value, field),
      ),
      db
        .prepare(
          `insert into bank_accounts (id, tenant_id, contact_id, account_number, ifsc, account_holder_name, bank_name, account_type,
             created_at, created_by, updated_at, account_last4, account_hash)
           values ('01JKB3Q2W6N7X8Y9Z0A1B2C3B1', 't1', ?, 'v1.k.iv.ct.9012', 'HDFC0001234', 'Priya Sharma', 'HDFC Bank', 'savings', ?, 'u1', ?, '9012', ?)`,
        )
        .bind(C1, T, T, account),
      db
        .prepare(
          `insert into addresses (id, tenant_id, contact_id, city, pincode, type, created_at, created_by, updated_at)
           values ('01JKB3Q2W6N7X8Y9Z0A1B2C3A1', 't1', ?, 'Bengaluru', '560001', 'current', ?, 'u1', ?)`,
        )
        .bind(C1, T, T),
    ]);
    const historyBefore = await all("select * from contact_history order by id");

    await applyD1Migrations(db, migrations.slice(at, at + 1));

    // List indexes end in the id (created_at is the id's time for records made from now on).
    const indexes = (
      await all<{ name: string }>(
        "select name from sqlite_master where type = 'index' and sql is not null and name like '%_tenant_%' order by name",
      )
    ).map((r) => r.name);
    expect(indexes.filter((n) => n.endsWith("_created_idx"))).toEqual(["namespaces_tenant_created_idx"]);
    for (const name of [
      "contacts_tenant_id_idx",
      "contacts_tenant_status_id_idx",
      "addresses_tenant_contact_id_idx",
      "bank_accounts_tenant_ifsc_id_idx",
      "relations_tenant_related_id_idx",
    ])
      expect(indexes).toContain(name);

    // History: every row and column kept (created entries written before keep their fields).
    expect(await all("select * from contact_history order by id")).toEqual(historyBefore);
    const [history] = await all<{ sql: string }>(
      "select sql from sqlite_master where name = 'contact_history'",
    );
    expect(history?.sql).toMatch(/WITHOUT ROWID/);

    // The index: no namespace column, hashes are the first 32 hex of the old ones (what the API computes
    // now), the mobile kept once for C1, clear values unchanged.
    const columns = (await all<{ name: string }>("pragma table_info(contact_identifiers)")).map(
      (c) => c.name,
    );
    expect(columns.sort()).toEqual(["contact_id", "field", "kind", "tenant_id", "value"]);
    expect(
      await all("select contact_id, kind, value from contact_identifiers order by contact_id, kind, value"),
    ).toEqual([
      { contact_id: C1, kind: "aadhaar", value: await hashIdentifier("234123412346", hmacKey) },
      {
        contact_id: C1,
        kind: "bank_account",
        value: await hashIdentifier("HDFC0001234:123456789012", hmacKey),
      },
      { contact_id: C1, kind: "mobile", value: "+919876543210" },
      { contact_id: C1, kind: "name", value: "prsh|shrm" },
      { contact_id: C1, kind: "pan", value: await hashIdentifier("ABCPK1234F", hmacKey) },
      { contact_id: C2, kind: "mobile", value: "+919876543210" },
    ]);
    expect(pan.slice(0, 32)).toBe(await hashIdentifier("ABCPK1234F", hmacKey));
    const [bank] = await all<{ account_hash: string }>("select account_hash from bank_accounts");
    expect(bank?.account_hash).toBe(account.slice(0, 32));

    // Search: the contentless FTS tables were filled from the rows, and the triggers keep them in step.
    expect(await ids("contacts", "name", "t1", "pri sha")).toEqual([C1]);
    expect(await ids("contacts", "name", "t2", "pri")).toEqual([]);
    expect(await ids("addresses", "body", "t1", "beng 5600")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C3A1"]);
    expect(await ids("bank_accounts", "body", "t1", "hdfc priya")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C3B1"]);
    expect(await ids("bank_accounts", "digits", "t1", "l9012")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C3B1"]);
    await db.batch([
      db.prepare("update contacts set name = 'Priya Nair' where id = ?").bind(C1),
      db.prepare("update addresses set city = 'Mysuru'"),
      db.prepare("update bank_accounts set bank_name = 'Axis Bank'"),
      db.prepare("delete from contacts where id = ?").bind(C2),
    ]);
    expect(await ids("contacts", "name", "t1", "nair")).toEqual([C1]);
    expect(await ids("contacts", "name", "t1", "sharma")).toEqual([]);
    expect(await ids("contacts", "name", "t1", "kavya")).toEqual([]);
    expect(await ids("addresses", "body", "t1", "mysuru")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C3A1"]);
    expect(await ids("addresses", "body", "t1", "bengaluru")).toEqual([]);
    expect(await ids("bank_accounts", "body", "t1", "axis")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C3B1"]);

    // 0012: a database that holds contacts starts the identifier index rebuild from version 0.
    await applyD1Migrations(db, migrations.slice(at + 1, at + 2));
    expect(await all("select name, value from maintenance_state")).toEqual([
      { name: "name_keys_version", value: "0" },
    ]);
  });
});
