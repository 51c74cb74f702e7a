import { and, count, eq, is, SQL, sql } from "drizzle-orm";
import { contactHistory, contacts } from "../../db/schema";
import type { Db } from "../../env";
import { notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { type ListParams, listPage } from "../../lib/pagination";

export type HistoryAction =
  | "created"
  | "updated"
  | "activated"
  | "deactivated"
  | "approved"
  | "rejected"
  | "props_updated"
  | "props_deleted"
  | `${"address" | "bank" | "relation"}_${"created" | "updated" | "deleted"}`;

export type Changes = Record<string, [unknown, unknown]>;

export type HistoryEntry = {
  tenantId: string;
  contactId: string;
  actor: string;
  at: string;
  action: HistoryAction;
  /** The changes, or an SQL expression computing their JSON where the database decides a value. */
  changes: Changes | SQL;
  reason?: string | null;
};

/**
 * The history row of a change, for the same batch as the change. `when` is an SQL condition (e.g. the
 * contact's expected version) so the row exists only if the change itself applies; `written` is true
 * in later statements of the batch exactly when the row was written, and guards them the same way.
 */
export function historyInsert(db: Db, entry: HistoryEntry, when?: SQL) {
  const id = newId();
  const changes = is(entry.changes, SQL) ? entry.changes : JSON.stringify(entry.changes);
  // Columns in table order: id, tenant_id, contact_id, at, actor, action, changes, reason.
  const query = db
    .insert(contactHistory)
    .select(sql`select ${id}, ${entry.tenantId}, ${entry.contactId}, ${entry.at}, ${entry.actor}, ${entry.action},
      ${changes}, ${entry.reason ?? null} where ${when ?? sql`1`}`)
    .returning({ id: contactHistory.id });
  return { query, written: sql`exists (select 1 from ${contactHistory} where ${contactHistory.id} = ${id})` };
}

/** Field-level differences: only what changed, as [old, new]. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const old = before[key] ?? null;
    if (JSON.stringify(old) !== JSON.stringify(value)) changes[key] = [old, value];
  }
  return changes;
}

const isSet = (value: unknown) =>
  value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);

/** The fields of a new record as history changes [null, value]: only those that are set. */
export function createdChanges(fields: Record<string, unknown>): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(fields)) if (isSet(value)) changes[key] = [null, value];
  return changes;
}

/** The fields of a deleted record as history changes [value, null]. */
export function removedChanges(fields: Record<string, unknown>): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(fields))
    if (value !== null && value !== undefined) changes[key] = [value, null];
  return changes;
}

export type HistoryRow = typeof contactHistory.$inferSelect;

export async function listHistory(db: Db, tenantId: string, contactId: string, params: ListParams) {
  const where: SQL[] = [eq(contactHistory.tenantId, tenantId), eq(contactHistory.contactId, contactId)];
  const result = await listPage<HistoryRow>({
    db,
    where,
    sort: { column: contactHistory.at, direction: "desc", key: "-at" },
    id: contactHistory.id,
    params,
    cursorScope: { secret: "", tenantId, resource: "history", filters: contactId },
    rows: (condition, order, limit, offset) =>
      db
        .select()
        .from(contactHistory)
        .where(condition)
        .orderBy(...order)
        .limit(limit)
        .offset(offset),
    count: (condition) => db.select({ n: count() }).from(contactHistory).where(condition),
    position: (row) => [row.at, row.id],
    related: () => [
      db
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, contactId))),
    ],
  });
  if ((result.related[0] as unknown[]).length === 0) throw notFound("Contact");
  return result;
}

export function toHistoryEntry(row: HistoryRow) {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    changes: row.changes,
    reason: row.reason,
  };
}
