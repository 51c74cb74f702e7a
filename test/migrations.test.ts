import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { allPrefixes, searchWords } from "../src/lib/search";
import { ftsIds } from "./helpers/fts";

/**
 * Migrations applied to a database that already holds rows, on a D1 binding of its own (the setup
 * file migrates only DB): the migrations up to the one under test, rows written the way the API wrote
 * them then, the migration, and checks on what it kept.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;

const upTo = (name: string) => {
  const at = migrations.findIndex((m) => m.name === name);
  expect(at, name).toBeGreaterThanOrEqual(0);
  return migrations.slice(0, at);
};

/** Ids of the tenant's addresses whose index text holds every word as a prefix (the API's search). */
const search = (tenant: string, words: string) =>
  ftsIds(db, "addresses", tenant, allPrefixes("body", searchWords(words)));

const ftsBody = async (id: string) =>
  (
    await db
      .prepare("select body from addresses_fts where rowid = (select rowid from addresses where id = ?)")
      .bind(id)
      .first<{ body: string | null }>()
  )?.body;

describe("migration 0010_addresses_optional", () => {
  it("keeps every address with its rowid, makes the address fields nullable, and search still finds them", async () => {
    await applyD1Migrations(db, upTo("0010_addresses_optional.sql"));
    const insert = db.prepare(
      `insert into addresses (rowid, id, tenant_id, contact_id, address_line, city, state, pincode, country, type, lat,
        lng, codes, tags, version, created_at, created_by, updated_at, updated_by)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const at = "2026-01-02T03:04:05.678Z";
    const row = (n: number, tenant: string, line: string, city: string, pincode: string) =>
      insert.bind(
        // row 4 with a rowid far ahead, the others with the next free one
        n === 4 ? 1000 : null,
        `01JKB3Q2W6N7X8Y9Z0A1B2C3${String(n).padStart(2, "0")}`,
        tenant,
        "01JKB3Q2W6N7X8Y9Z0A1B2C3ZZ",
        line,
        city,
        "Karnataka",
        pincode,
        "India",
        n % 2 ? "current" : "office",
        n % 2 ? 12.97 : null,
        n % 2 ? 77.59 : null,
        n % 3 ? null : '{"state_code":"KA"}',
        n % 2 ? "[]" : '["home"]',
        n,
        at,
        "u1",
        at,
        n > 1 ? "u2" : null,
      );
    await db.batch([
      row(1, "t1", "12, MG Road, Ashok Nagar", "Bengaluru", "560001"),
      row(2, "t1", "4 Lake View Road", "Mysuru", "570001"),
      row(3, "t2", "9 Temple Street", "Bengaluru", "560002"),
      row(4, "t1", "Plot 7, Hebbal", "Bengaluru", "560024"),
      row(5, "t2", "3 Fort Road", "Mangaluru", "575001"),
    ]);
    // Gaps in the rowids (a deleted row, a rowid set far ahead), so a copy that numbered rows afresh
    // would not keep them.
    await db.prepare("delete from addresses where id = ?").bind("01JKB3Q2W6N7X8Y9Z0A1B2C302").run();
    const before = (await db.prepare("select rowid as _rowid, * from addresses order by rowid").all())
      .results;
    expect(before.map((r) => r._rowid)).toEqual([1, 3, 1000, 1001]);
    expect(await search("t1", "beng")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C301", "01JKB3Q2W6N7X8Y9Z0A1B2C304"]);

    await applyD1Migrations(db, upTo("0011_compact_storage.sql"));

    const after = (await db.prepare("select rowid as _rowid, * from addresses order by rowid").all()).results;
    expect(after).toEqual(before);
    const columns = (
      await db.prepare("pragma table_info(addresses)").all<{ name: string; notnull: number }>()
    ).results;
    const notNull = Object.fromEntries(columns.map((c) => [c.name, c.notnull]));
    expect(notNull).toMatchObject({
      id: 1,
      tenant_id: 1,
      contact_id: 1,
      address_line: 0,
      city: 0,
      state: 0,
      pincode: 0,
      country: 0,
      type: 1,
    });
    const objects = async (type: string, table: string) =>
      (
        await db
          .prepare(
            "select name from sqlite_master where type = ? and tbl_name = ? and sql is not null order by name",
          )
          .bind(type, table)
          .all<{ name: string }>()
      ).results.map((r) => r.name);
    expect(await objects("index", "addresses")).toEqual([
      "addresses_tenant_contact_created_idx",
      "addresses_tenant_created_idx",
      "addresses_tenant_type_created_idx",
      "addresses_tenant_updated_idx",
    ]);
    expect(await objects("trigger", "addresses")).toEqual([
      "addresses_fts_ad",
      "addresses_fts_ai",
      "addresses_fts_au",
    ]);
    expect(await objects("table", "__new_addresses")).toEqual([]);

    // The index still matches its rows, by rowid, tenant by tenant.
    await db.prepare("insert into addresses_fts (addresses_fts) values ('integrity-check')").run();
    expect(await search("t1", "beng")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C301", "01JKB3Q2W6N7X8Y9Z0A1B2C304"]);
    expect(await search("t1", "hebbal 5600")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C304"]);
    expect(await search("t2", "beng")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C303"]);
    expect(await search("t2", "fort mangal karnataka india")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C305"]);
    expect(await search("t1", "lake")).toEqual([]);

    // The new triggers: a row with null fields is indexed by the fields it has, updates and deletes follow.
    await db.batch([
      insert.bind(
        null,
        "01JKB3Q2W6N7X8Y9Z0A1B2C306",
        "t1",
        "01JKB3Q2W6N7X8Y9Z0A1B2C3ZZ",
        "21 Cubbon Road",
        null,
        null,
        "560051",
        null,
        "current",
        null,
        null,
        null,
        "[]",
        1,
        at,
        "u1",
        at,
        null,
      ),
    ]);
    expect(await ftsBody("01JKB3Q2W6N7X8Y9Z0A1B2C306")).toContain("21 Cubbon Road");
    expect(await search("t1", "cubbon 560051")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C306"]);
    await db
      .prepare("update addresses set address_line = null, city = 'Bengaluru' where id = ?")
      .bind("01JKB3Q2W6N7X8Y9Z0A1B2C306")
      .run();
    expect(await search("t1", "cubbon")).toEqual([]);
    expect(await search("t1", "beng")).toEqual([
      "01JKB3Q2W6N7X8Y9Z0A1B2C301",
      "01JKB3Q2W6N7X8Y9Z0A1B2C304",
      "01JKB3Q2W6N7X8Y9Z0A1B2C306",
    ]);
    await db
      .prepare(
        "update addresses set address_line = null, city = null, state = null, pincode = null, country = null where id = ?",
      )
      .bind("01JKB3Q2W6N7X8Y9Z0A1B2C301")
      .run();
    expect(await ftsBody("01JKB3Q2W6N7X8Y9Z0A1B2C301")).not.toBeNull();
    expect(await search("t1", "beng")).toEqual(["01JKB3Q2W6N7X8Y9Z0A1B2C304", "01JKB3Q2W6N7X8Y9Z0A1B2C306"]);
    await db.prepare("delete from addresses where id = ?").bind("01JKB3Q2W6N7X8Y9Z0A1B2C304").run();
    expect(await search("t1", "hebbal")).toEqual([]);
    await db.prepare("insert into addresses_fts (addresses_fts) values ('integrity-check')").run();
  });
});
