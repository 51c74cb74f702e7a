import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { listHistory } from "../src/resources/history/history.repository";
import { addColumnsTodayReads, allRows, insertNamespace } from "./helpers/migration-db";

/**
 * migrations/0019_compact_history.sql on a database that holds history the way the API wrote it before
 * (own D1 binding, this file's storage only): every entry of an existing contact kept under the contact's
 * rowid with its instant in epoch milliseconds, entries of contacts that no longer exist dropped, the
 * history API reading them back as before, and the previous release's insert (which writes the form
 * maintenance_state `history_format` names) landing in the new form.
 */
const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const at = migrations.findIndex((m) => m.name === "0019_compact_history.sql");

const NS = "01JKB3Q2W6N7X8Y9Z0A1B2C3N1";
const T = "2026-01-02T03:04:05.678Z";
const id = (prefix: string, n: number) => `01JKB3Q2W6N7X8Y9Z0A1B2${prefix}${String(n).padStart(2, "0")}`;
const GONE = id("C0", 99);

type OldRow = [
  tenant: string,
  contact: string,
  at: string,
  entry: string,
  action: string,
  changes: string,
  reason: string | null,
  subjectType: string | null,
  subjectId: string | null,
];
/** History as the API wrote it before 0019 (contact by id, `at` as ISO text). */
const ROWS: OldRow[] = [
  ["t1", id("C0", 1), "2026-01-02T03:04:05.678Z", id("H0", 1), "created", "{}", null, null, null],
  [
    "t1",
    id("C0", 1),
    "2026-01-02T03:04:06.001Z",
    id("H0", 2),
    "address_created",
    "{}",
    null,
    "address",
    id("A0", 1),
  ],
  [
    "t1",
    id("C0", 1),
    "2026-01-02T03:04:06.001Z",
    id("H0", 3),
    "approved",
    '{"approval_status":["pending","approved"]}',
    "KYC done",
    null,
    null,
  ],
  [
    "t1",
    id("C0", 1),
    "2026-03-31T23:59:59.999Z",
    id("H0", 4),
    "updated",
    '{"name":["Asha Verma","Asha V"]}',
    null,
    null,
    null,
  ],
  ["t1", id("C0", 2), "2026-01-02T03:04:07.000Z", id("H0", 5), "created", "{}", null, null, null],
  ["t2", id("C0", 3), "2026-01-02T03:04:08.123Z", id("H0", 6), "created", "{}", null, null, null],
  // A contact deleted without its entries (no write of the API does this; a hand edit might have).
  ["t1", GONE, "2026-01-02T03:04:09.000Z", id("H0", 7), "created", "{}", null, null, null],
];

const all = <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
  allRows<T>(db, query, ...params);
const plan = async (query: string, ...params: unknown[]) =>
  (await all<{ detail: string }>(`explain query plan ${query}`, ...params)).map((r) => r.detail).join("\n");

const insertContact = (n: number, tenant: string, name: string) =>
  db
    .prepare(
      `insert into contacts (id, tenant_id, namespace_id, name, type, status, created_at, created_by, updated_at)
       values (?, ?, ?, ?, 'individual', 'active', ?, 'u1', ?)`,
    )
    .bind(id("C0", n), tenant, NS, name, T, T);

describe("migration 0019_compact_history", () => {
  it("keys every entry by its contact's rowid and its instant in milliseconds; history reads as before", async () => {
    expect(at).toBeGreaterThan(0);
    await applyD1Migrations(db, migrations.slice(0, at));
    await db.batch([
      insertNamespace(db, NS, T),
      insertContact(1, "t1", "Asha V"),
      insertContact(2, "t1", "Ravi Iyer"),
      insertContact(3, "t2", "Meena Das"),
      insertContact(4, "t1", "Kiran Shah"),
      db
        .prepare(
          "insert into addresses (id, tenant_id, contact_id, type, created_at, created_by, updated_at) values (?, 't1', ?, 'current', ?, 'u1', ?)",
        )
        .bind(id("A0", 1), id("C0", 1), T, T),
      ...ROWS.map((row) =>
        db
          .prepare(
            `insert into contact_history (tenant_id, contact_id, at, id, actor, action, changes, reason, subject_type, subject_id)
             values (?, ?, ?, ?, 'u1', ?, ?, ?, ?, ?)`,
          )
          .bind(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8]),
      ),
    ]);
    const rowids = new Map(
      (await all<{ id: string; rowid: number }>("select id, rowid from contacts")).map((r) => [
        r.id,
        r.rowid,
      ]),
    );

    await applyD1Migrations(db, migrations.slice(0, at + 1));

    const stored = await all("select * from contact_history order by tenant_id, contact_id, at, id");
    const expected = ROWS.filter((r) => r[1] !== GONE)
      .map(([tenant, contact, iso, entry, action, changes, reason, subjectType, subjectId]) => ({
        tenant_id: tenant,
        contact_id: rowids.get(contact),
        at: Date.parse(iso),
        id: entry,
        actor: "u1",
        action,
        changes,
        reason,
        subject_type: subjectType,
        subject_id: subjectId,
      }))
      .sort(
        (a, b) =>
          a.tenant_id.localeCompare(b.tenant_id) ||
          Number(a.contact_id) - Number(b.contact_id) ||
          a.at - b.at ||
          a.id.localeCompare(b.id),
      );
    expect(stored).toEqual(expected);
    expect(
      await all("select typeof(contact_id) as k, typeof(at) as t from contact_history group by 1, 2"),
    ).toEqual([{ k: "integer", t: "integer" }]);
    expect(await all("select value from maintenance_state where name = 'history_format'")).toEqual([
      { value: "compact" },
    ]);

    // The API's read: newest first (same instant: id desc), ISO instants, the contact's own id as subject.
    await addColumnsTodayReads(db);
    const history = await listHistory(drizzle(db), "t1", id("C0", 1), { page_size: 10 }, "page-mode");
    expect(history.rows.map((r) => [r.id, r.at])).toEqual([
      [id("H0", 4), "2026-03-31T23:59:59.999Z"],
      [id("H0", 3), "2026-01-02T03:04:06.001Z"],
      [id("H0", 2), "2026-01-02T03:04:06.001Z"],
      [id("H0", 1), "2026-01-02T03:04:05.678Z"],
    ]);
    expect(history.envelope).toMatchObject({ count: 4 });
    // Another tenant's contact reads as missing, and its entries stay its own.
    await expect(
      listHistory(drizzle(db), "t2", id("C0", 1), { page_size: 10 }, "page-mode"),
    ).rejects.toMatchObject({
      status: 404,
    });
    expect(
      await plan(
        "select * from contact_history where tenant_id = ? and contact_id = (select rowid from contacts where tenant_id = ? and id = ?) order by at desc, id desc",
        "t1",
        "t1",
        id("C0", 1),
      ),
    ).not.toContain("TEMP B-TREE");
  });

  it("stores the previous release's writes in the new form", async () => {
    // The previous release's history insert (src/resources/history/history.repository.ts at f99910f):
    // contact and instant in the form maintenance_state names.
    const compact =
      "exists (select 1 from maintenance_state where name = 'history_format' and value = 'compact')";
    const iso = "2026-04-01T10:00:00.250Z";
    const wrote = await db
      .prepare(
        `insert into contact_history (tenant_id, contact_id, at, id, actor, action, changes, reason, subject_type, subject_id)
         select ?1, case when ${compact} then (select rowid from contacts where tenant_id = ?1 and id = ?2) else ?2 end,
           case when ${compact} then cast(round((julianday(?3) - 2440587.5) * 86400000.0) as integer) else ?3 end,
           ?4, 'u1', 'activated', '{"status":["inactive","active"]}', null, null, null
         where exists (select 1 from contacts where tenant_id = ?1 and id = ?2)`,
      )
      .bind("t1", id("C0", 4), iso, id("H0", 8))
      .run();
    expect(wrote.meta.changes).toBe(1);
    await addColumnsTodayReads(db);
    const history = await listHistory(drizzle(db), "t1", id("C0", 4), { page_size: 10 }, "page-mode");
    expect(history.rows.map((r) => [r.id, r.at, r.action])).toEqual([[id("H0", 8), iso, "activated"]]);
  });
});
