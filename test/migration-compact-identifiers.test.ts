import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { findCandidates } from "../src/dedupe/dedupe.repository";
import { type IndexRow, insertedColumnsSql, rowsJson } from "../src/dedupe/index-form";
import { decoded, INDEX_COLUMNS } from "./helpers/identifier-rows";
import { allRows, insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0020_compact_identifiers.sql on a database whose identifier index the previous release
 * wrote (own D1 binding, this file's storage only): every row rewritten in the compact form and read
 * back as before, the same rows the API's own compact writes would give, the probe index rebuilt with
 * its condition, the marker set, and dedupe's candidate lookup answering as before.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0020_compact_identifiers.sql");

const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const id = (n: number) => `01JKB3Q2W6N7X8Y9Z0A1B2C0${String(n).padStart(2, "0")}`;
const hex = (seed: string) => seed.repeat(32).slice(0, 32);

type Row = IndexRow & { tenant: string; contact: number };
const row = (tenant: string, contact: number, kind: string, value: string, field: string): Row => ({
  tenant,
  contact,
  kind,
  value,
  field,
});

/** Rows as the previous release wrote them: every kind, hashes and clear values, ordinary and odd fields. */
const ROWS: Row[] = [
  row("t1", 1, "name", "pcpc|tpc", "name"),
  row("t1", 1, "name", "tpc@2003-04-18", "name"),
  row("t1", 1, "pan", hex("a1"), "props.pan_no"),
  row("t1", 1, "pan_sig", "P.0123456789abcdef.fedcba9876543210", "props.pan_no"),
  row("t1", 1, "aadhaar", hex("b2"), "props.aadhaar_no"),
  row("t1", 1, "mobile", "+919876543210", "props.Mobile No"),
  row("t1", 1, "email", "asha@example.in", "props.email"),
  row("t1", 1, "dob", "2003-04-18", "props.dob"),
  row("t1", 1, "address", "12@560001", "props.address"),
  row("t1", 1, "bank_account", hex("c3"), "banks.account_number"),
  row("t1", 2, "gstin", "29ABCDE1234F1Z5", "props.gst_no"),
  row("t1", 2, "gstin_pan", hex("d4"), "props.gst_no"),
  row("t1", 2, "passport", hex("e5"), "props.passport_no"),
  row("t1", 2, "voter_id", hex("f6"), "props.voter_id"),
  row("t1", 2, "driving_licence", hex("07"), "props.dl_no"),
  // A PAN still in clear (before protection; the rotation job hashes it), and a hash in upper case (not
  // one hashIdentifier writes): both stay text.
  row("t1", 2, "pan", "ABCDE1234F", "props.PAN"),
  row("t1", 2, "passport", hex("AB"), "props.passport"),
  // Fields that would read as the full form if shortened stay as written; a kind this release does not
  // know keeps its name; a name key of 32 hex digits is not a hash.
  row("t1", 3, "mobile", "+919800000001", "props.props.phone"),
  row("t1", 3, "email", "x@example.in", "props.name"),
  row("t1", 3, "mobile", "+919800000002", "props."),
  row("t1", 3, "future_kind", "x1", "props.x"),
  row("t1", 3, "name", hex("9a"), "name"),
  row("t2", 4, "pan", hex("a1"), "props.pan_no"),
  row("t2", 4, "name", "pcpc|tpc", "name"),
];

const all = <R = Record<string, unknown>>(query: string, ...params: unknown[]) =>
  allRows<R>(db, query, ...params);
const plan = async (query: string, ...params: unknown[]) =>
  (await all<{ detail: string }>(`explain query plan ${query}`, ...params)).map((r) => r.detail).join("\n");

const insertContact = (n: number, tenant: string, name: string) =>
  db
    .prepare(
      `insert into contacts (rowid, id, tenant_id, namespace_id, name, type, status, created_at, created_by, updated_at)
       values (?, ?, ?, ?, ?, 'individual', 'active', ?, 'u1', ?)`,
    )
    .bind(n, id(n), tenant, NS, name, T, T);

const stored = async () =>
  decoded(
    await all<Row>(
      `select ci.tenant_id as tenant, ci.contact_id as contact, ${INDEX_COLUMNS} from contact_identifiers ci
       order by 1, 2, ci.kind, ci.value`,
    ),
  );
const sorted = (rows: Row[]) =>
  [...rows].sort(
    (a, b) =>
      a.tenant.localeCompare(b.tenant) ||
      a.contact - b.contact ||
      a.kind.localeCompare(b.kind) ||
      a.value.localeCompare(b.value),
  );
const probe = (kind: string, value: string) =>
  findCandidates(drizzle(db), { tenantId: "t1" }, [{ kind, value, field: "props.pan_no" }]);

describe("migration 0020_compact_identifiers", () => {
  it("rewrites every row in the compact form; rows, lookups and candidates read as before", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    await db.batch([
      insertNamespace(db, NS, T),
      insertContact(1, "t1", "Tapas Chakraborty"),
      insertContact(2, "t1", "Ravi Traders"),
      insertContact(3, "t1", "Kiran Shah"),
      insertContact(4, "t2", "Tapas Chakraborty"),
      ...ROWS.map((r) =>
        db
          .prepare(
            "insert into contact_identifiers (tenant_id, contact_id, kind, value, field) values (?, ?, ?, ?, ?)",
          )
          .bind(r.tenant, r.contact, r.kind, r.value, r.field),
      ),
    ]);
    const before = {
      pan: await probe("pan", hex("a1")),
      name: await probe("name", "pcpc|tpc"),
      clear: await probe("pan", "ABCDE1234F"),
    };
    expect(before.pan.contacts.map((c) => c.id)).toEqual([id(1)]);

    await applyD1Migrations(db, migrations.slice(0, at + 1));

    // Read back (values as text, kinds by name, fields as written): the rows as they were.
    expect(sorted(await stored())).toEqual(sorted(ROWS));
    // Stored compact: looked-up kinds as one letter, hashes as 16 bytes, fields shortened.
    const raw = await all<{ kind: string; t: string; n: number; field: string }>(
      "select kind, typeof(value) as t, length(value) as n, field from contact_identifiers where contact_id = 1 order by kind, field",
    );
    expect(raw).toEqual([
      { kind: "a", t: "blob", n: 16, field: "aadhaar_no" },
      { kind: "address", t: "text", n: 9, field: "address" },
      { kind: "b", t: "blob", n: 16, field: "" },
      { kind: "dob", t: "text", n: 10, field: "dob" },
      { kind: "e", t: "text", n: 15, field: "email" },
      { kind: "m", t: "text", n: 13, field: "Mobile No" },
      { kind: "n", t: "text", n: 8, field: "" },
      { kind: "n", t: "text", n: 14, field: "" },
      { kind: "p", t: "blob", n: 16, field: "pan_no" },
      { kind: "pan_sig", t: "text", n: 35, field: "pan_no" },
    ]);
    expect(await all("select value from maintenance_state where name = 'identifier_format'")).toEqual([
      { value: "compact" },
    ]);

    // The API's compact writes (index-form.ts insertedColumnsSql) give exactly the rows 0020 wrote.
    const written = insertedColumnsSql("j.value");
    const byApi = await all(
      `select json_extract(r.value, '$.tenant') as t, json_extract(r.value, '$.contact') as c,
         ${written.kind} as kind, ${written.value} as value, ${written.field} as field
       from json_each(?1) r, json_each(?2) j where r.key = j.key order by 1, 2, 3, 4`,
      JSON.stringify(ROWS),
      rowsJson(ROWS),
    );
    expect(byApi).toEqual(
      await all(
        "select tenant_id as t, contact_id as c, kind, value, field from contact_identifiers order by 1, 2, 3, 4",
      ),
    );

    // The probe index, rebuilt with its condition, serves a compact lookup.
    expect(await all("select sql from sqlite_master where name = 'contact_identifiers_probe_idx'")).toEqual([
      {
        sql: "CREATE INDEX `contact_identifiers_probe_idx` ON `contact_identifiers` (`tenant_id`,`kind`,`value`) WHERE kind not in ('dob', 'pan_sig', 'address')",
      },
    ]);
    expect(
      await plan(
        "select contact_id from contact_identifiers where tenant_id = 't1' and kind = 'p' and value = unhex(?) and kind not in ('dob', 'pan_sig', 'address')",
        hex("a1"),
      ),
    ).toMatch(/USING COVERING INDEX contact_identifiers_probe_idx \(tenant_id=\? AND kind=\? AND value=\?\)/);

    // Dedupe's candidate lookup answers as it did on the full form, tenant by tenant.
    expect(await probe("pan", hex("a1"))).toEqual(before.pan);
    expect(await probe("name", "pcpc|tpc")).toEqual(before.name);
    expect(await probe("pan", "ABCDE1234F")).toEqual(before.clear);
    expect(before.clear.contacts.map((c) => c.id)).toEqual([id(2)]);
  });
});
