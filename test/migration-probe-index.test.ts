import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { findCandidates, storedContactProbe } from "../src/dedupe/dedupe.repository";
import { PROBED_KIND_CONDITION, UNPROBED_KINDS } from "../src/dedupe/signals";
import { addColumnsTodayReads, allRows, insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0016_probe_index.sql and 0017_drop_lookup_index.sql on a populated database (own D1
 * binding, this file's storage only): no row changes; between the two the previous release's lookups
 * still have their full index; after both, dedupe's lookups and the rm_id / branch_id filters are served
 * by the partial indexes, whose conditions are the ones the code states.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = (name: string) => migrations.findIndex((m) => m.name === name);
const PROBE = at("0016_probe_index.sql");
const DROP = at("0017_drop_lookup_index.sql");

const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const id = (n: number) => `01JKB3Q2W6N7X8Y9Z0A1B2C3${String(n).padStart(2, "0")}`;

/** [tenant, contact number, rm_id, branch_id] */
const CONTACTS: [string, number, string | null, string | null][] = [
  ["t1", 1, "RM_1", null],
  ["t1", 2, null, "BR_1"],
  ["t1", 3, "RM_1", "BR_1"],
  ["t2", 4, "RM_1", null],
];
/** [contact number, kind, value, field]: every kind, looked up or not. */
const ROWS: [number, string, string, string][] = [
  [1, "pan", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "props.pan"],
  [1, "pan_sig", "P.61f5c451ca484843.d26926ab8369df8d", "props.pan"],
  [1, "mobile", "+919876543210", "props.mobile"],
  [1, "dob", "1990-01-02", "props.dob"],
  [1, "address", "560001", "props.address"],
  [1, "name", "prsh|shrm", "name"],
  [2, "mobile", "+919876543210", "props.phone"],
  [3, "dob", "1990-01-02", "props.dob"],
  [3, "pan_sig", "P.61f5c451ca484843.d26926ab8369df8d", "props.pan"],
  [4, "mobile", "+919876543210", "props.mobile"],
];

const all = <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
  allRows<T>(db, query, ...params);
const plan = async (query: string, ...params: unknown[]) =>
  (await all<{ detail: string }>(`explain query plan ${query}`, ...params)).map((r) => r.detail).join("\n");
const indexes = async (table: string) =>
  (
    await all<{ name: string }>(
      "select name from sqlite_master where tbl_name = ? and type = 'index' and sql is not null order by name",
      table,
    )
  ).map((r) => r.name);
const snapshot = async () => ({
  contacts: await all("select rowid, * from contacts order by rowid"),
  identifiers: await all("select * from contact_identifiers order by tenant_id, contact_id, kind, value"),
});

/** A lookup as the previous release wrote it: no condition on the kind. */
const PREVIOUS_LOOKUP =
  "select contact_id from contact_identifiers where tenant_id = 't1' and kind = 'mobile' and value = '+919876543210'";

describe("migrations 0016_probe_index and 0017_drop_lookup_index", () => {
  it("keep every row, serve the previous release between them, and leave only the indexes the queries use", async () => {
    expect(PROBE).toBeGreaterThan(0);
    expect(DROP).toBe(PROBE + 1);
    await applyD1Migrations(db, migrations.slice(0, PROBE));
    await db.batch([
      insertNamespace(db, NS, T),
      ...CONTACTS.map(([tenant, n, rm, branch]) =>
        db
          .prepare(
            `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, rm_id, branch_id, created_at, created_by, updated_at)
             values (?, ?, ?, ?, 'Prakash Sharma', 'individual', 'active', ?, ?, ?, 'u1', ?)`,
          )
          .bind(id(n), tenant, NS, `CUST-${n}`, rm, branch, T, T),
      ),
      ...ROWS.map(([n, kind, value, field]) =>
        db
          .prepare(
            `insert into contact_identifiers (tenant_id, contact_id, kind, value, field)
             select tenant_id, rowid, ?, ?, ? from contacts where id = ?`,
          )
          .bind(kind, value, field, id(n)),
      ),
    ]);
    const before = await snapshot();
    expect(before.identifiers).toHaveLength(ROWS.length);

    // Between the two: the previous release's lookup still has its index, and its rm_id filter (an
    // equality) is served by the new partial index.
    await applyD1Migrations(db, migrations.slice(0, PROBE + 1));
    expect(await plan(PREVIOUS_LOOKUP)).toMatch(
      /INDEX contact_identifiers_lookup_idx \(tenant_id=\? AND kind=\? AND value=\?\)/,
    );
    expect(
      await plan("select id from contacts where tenant_id = 't1' and rm_id = ? order by id desc", "RM_1"),
    ).toMatch(/INDEX contacts_tenant_rm_id_idx \(tenant_id=\? AND rm_id=\?\)$/);

    await applyD1Migrations(db, migrations.slice(0, DROP + 1));
    expect(await snapshot()).toEqual(before);
    expect(await indexes("contact_identifiers")).toEqual(["contact_identifiers_probe_idx"]);
    expect(await indexes("contacts")).toEqual(
      expect.arrayContaining(["contacts_tenant_branch_id_idx", "contacts_tenant_rm_id_idx"]),
    );

    // The partial indexes' conditions, as the schema holds them: the kinds the code never looks up.
    const definition = async (name: string) =>
      (await all<{ sql: string }>("select sql from sqlite_master where name = ?", name))[0]?.sql ?? "";
    expect(await definition("contact_identifiers_probe_idx")).toMatch(
      new RegExp(`WHERE ${PROBED_KIND_CONDITION.replace(/[()]/g, "\\$&")}$`),
    );
    expect(UNPROBED_KINDS).toEqual(["dob", "pan_sig", "address"]);
    expect(await definition("contacts_tenant_rm_id_idx")).toMatch(/WHERE `rm_id` is not null$/);
    expect(await definition("contacts_tenant_branch_id_idx")).toMatch(/WHERE `branch_id` is not null$/);

    // A lookup that states the condition uses the probe index and finds every contact with the value.
    const probed = `select contact_id from contact_identifiers where tenant_id = 't1' and kind = 'mobile' and value = '+919876543210' and ${PROBED_KIND_CONDITION}`;
    expect(await plan(probed)).toMatch(
      /USING COVERING INDEX contact_identifiers_probe_idx \(tenant_id=\? AND kind=\? AND value=\?\)/,
    );
    expect((await all(probed)).length).toBe(2);
    // Filters on rm_id and branch_id: index ranges that hold only contacts with a value.
    const byRm = "select id from contacts where tenant_id = 't1' and rm_id = ? order by id desc";
    expect(await plan(byRm, "RM_1")).toMatch(
      /INDEX contacts_tenant_rm_id_idx \(tenant_id=\? AND rm_id=\?\)$/,
    );
    expect(await all(byRm, "RM_1")).toEqual([{ id: id(3) }, { id: id(1) }]);
    const byBranch = "select id from contacts where tenant_id = 't1' and branch_id = ? order by id desc";
    expect(await plan(byBranch, "BR_1")).toMatch(
      /INDEX contacts_tenant_branch_id_idx \(tenant_id=\? AND branch_id=\?\)$/,
    );
    expect(await all(byBranch, "BR_1")).toEqual([{ id: id(3) }, { id: id(2) }]);

    // Dedupe on the migrated database: contact 1's rows all read back (the unprobed kinds too, for
    // scoring); its candidate is the contact sharing its mobile, within the tenant.
    await addColumnsTodayReads(db);
    const orm = drizzle(db);
    const { probe } = await storedContactProbe(orm, "t1", id(1));
    expect(probe.rows.map((r) => r.kind).sort()).toEqual(
      ROWS.filter(([n]) => n === 1)
        .map(([, kind]) => kind)
        .sort(),
    );
    const candidates = await findCandidates(orm, { tenantId: "t1", excludeId: id(1) }, probe.rows);
    expect(candidates.contacts.map((c) => c.id)).toEqual([id(2)]);
    const t2 = await findCandidates(orm, { tenantId: "t2" }, probe.rows);
    expect(t2.contacts.map((c) => c.id)).toEqual([id(4)]);
  });
});
