import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0023_name_keys_v4.sql on a database that holds contacts (own D1 binding, this file's
 * storage only): the recorded version of the name keys stays, so the scheduled reindex rebuilds the rows
 * written under it. An empty database starts at the current version (test/reindex.test.ts).
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0023_name_keys_v4.sql");
const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";

const version = async () =>
  (
    await db
      .prepare("select value from maintenance_state where name = 'name_keys_version'")
      .first<{ value: string }>()
  )?.value;

describe("migration 0023_name_keys_v4", () => {
  it("keeps the version of a database with contacts, so its rows are rebuilt", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    // 0012 ran on an empty database: version 3, the keys current then.
    expect(await version()).toBe("3");
    await db.batch([
      insertNamespace(db, NS, T),
      db
        .prepare(
          `insert into contacts (id, tenant_id, namespace_id, name, type, status, created_at, created_by, updated_at)
           values ('01JKB3Q2W6N7X8Y9Z0A1B2C301', 't1', ?, 'गुरप्रीत सिंह', 'individual', 'active', ?, 'u1', ?)`,
        )
        .bind(NS, T, T),
    ]);
    await applyD1Migrations(db, migrations.slice(at, at + 1));
    expect(await version()).toBe("3");
    expect((await db.prepare("select name from contacts").first<{ name: string }>())?.name).toBe(
      "गुरप्रीत सिंह",
    );
  });
});
