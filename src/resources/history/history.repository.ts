import { and, count, eq, is, SQL, sql } from "drizzle-orm";
import type { HistoryAction } from "../../db/enums";
import { insertSelect } from "../../db/insert";
import { contactHistory, contacts } from "../../db/schema";
import type { Db } from "../../env";
import { notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { listPage } from "../../lib/list";
import type { ListParams } from "../../lib/list-query";
import type { HistoryRow } from "./history.mappers";

export type Changes = Record<string, [unknown, unknown]>;

/** The sub-resource an entry is about; none means the contact itself. */
export type HistorySubject = { type: "address" | "bank" | "relation"; id: string | SQL };

export type HistoryEntry = {
  tenantId: string;
  contactId: string;
  actor: string;
  at: string;
  action: HistoryAction;
  /** The changes, or an SQL expression computing their JSON where the database decides a value. */
  changes: Changes | SQL;
  reason?: string | null;
  subject?: HistorySubject;
};

/**
 * The history row of a change, for the same batch as the change. `when` is an SQL condition (e.g. the
 * contact's expected version) so the row exists only if the change itself applies; `written` is true
 * in later statements of the batch exactly when the row was written, and guards them the same way.
 */
export function historyInsert(db: Db, entry: HistoryEntry, when: SQL = sql`1`, from: SQL = sql``) {
  const id = newId();
  const query = insertSelect(
    db,
    contactHistory,
    {
      id,
      tenantId: entry.tenantId,
      contactId: entry.contactId,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      changes: is(entry.changes, SQL) ? entry.changes : sql`${JSON.stringify(entry.changes)}`,
      reason: entry.reason ?? null,
      subjectType: entry.subject?.type ?? null,
      subjectId: entry.subject?.id ?? null,
    },
    sql`${from} where ${when}`,
  );
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

export async function listHistory(db: Db, tenantId: string, contactId: string, params: ListParams) {
  const where: SQL[] = [eq(contactHistory.tenantId, tenantId), eq(contactHistory.contactId, contactId)];
  const result = await listPage<HistoryRow>({
    db,
    where,
    sort: { column: contactHistory.at, direction: "desc", key: "-at" },
    id: contactHistory.id,
    params,
    cursorScope: { secret: "", tenantId, resource: "history", filters: contactId },
    rows: (window) =>
      db
        .select()
        .from(contactHistory)
        .where(window.where)
        .orderBy(...window.order)
        .limit(window.limit)
        .offset(window.offset),
    count: (condition) => db.select({ n: count() }).from(contactHistory).where(condition),
    position: (row) => [row.at, row.id],
    related: () => [
      db
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, contactId))),
    ],
  });
  if (result.related[0]?.length === 0) throw notFound("Contact");
  return result;
}
