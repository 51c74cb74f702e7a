import { and, count, eq, inArray, is, type Placeholder, SQL, sql } from "drizzle-orm";
import { contactRowid, selectContact } from "../../db/contact-queries";
import type { HistoryAction } from "../../db/enums";
import { insertSelect } from "../../db/insert";
import { addresses, bankAccounts, contactHistory } from "../../db/schema";
import type { Db } from "../../env";
import { notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { listPage } from "../../lib/list";
import type { ListParams } from "../../lib/list-query";
import {
  addressFields,
  bankFields,
  type Changes,
  contactCreatedFields,
  DERIVED_CREATED,
  derivedChanges,
  isDerived,
} from "./history.changes";

/** The sub-resource an entry is about; none means the contact itself. */
export type HistorySubject = { type: "address" | "bank" | "relation"; id: string | SQL };

export type HistoryEntry = {
  /** The entry's id; a new one when not given (a caller that builds statements ahead passes its own). */
  id?: string | Placeholder;
  tenantId: string | Placeholder;
  contactId: string | Placeholder;
  actor: string | Placeholder;
  at: string | Placeholder;
  action: HistoryAction | Placeholder;
  /** The changes, or an SQL expression computing their JSON where the database decides a value. */
  changes: Changes | SQL;
  reason?: string | null | Placeholder;
  subject?: HistorySubject;
};

/** The key of a history row, as the statements after it in a batch find it. */
type EntryKey = {
  tenantId: string | Placeholder;
  contactId: string | Placeholder;
  at: string | Placeholder;
  id: string | Placeholder;
};

/**
 * An ISO instant's epoch milliseconds (contact_history.at), computed by SQLite (exact to the millisecond
 * for any instant the API writes): the statement binds the instant itself, as the other columns of the
 * write do.
 */
const millisOf = (at: string | Placeholder) =>
  sql`cast(round((julianday(${at}) - 2440587.5) * 86400000.0) as integer)`;

/** A contact's history rows: one range of the primary key. */
const historyOf = (tenantId: string | Placeholder, contactId: string | Placeholder) =>
  sql`${contactHistory.tenantId} = ${tenantId} and ${contactHistory.contactRowid} = ${contactRowid(tenantId, contactId)}`;

/** True in later statements of a batch exactly when the history row of that key was written. */
export function historyWritten(key: EntryKey): SQL {
  return sql`exists (select 1 from ${contactHistory} where ${historyOf(key.tenantId, key.contactId)}
    and ${contactHistory.at} = ${millisOf(key.at)} and ${contactHistory.id} = ${key.id})`;
}

/** The statement that blanks a contact's history changes (erasure), guarded by `when`. */
export const redactHistory = (db: Db, tenantId: string, contactId: string, when: SQL) =>
  db
    .update(contactHistory)
    .set({ changes: {} })
    .where(and(historyOf(tenantId, contactId), when));

/**
 * The history row of a change, for the same batch as the change. `when` is an SQL condition (e.g. the
 * contact's expected version) so the row exists only if the change itself applies; `written` is true
 * in later statements of the batch exactly when the row was written, and guards them the same way.
 */
export function historyInsert(db: Db, entry: HistoryEntry, when: SQL = sql`1`, from: SQL = sql``) {
  const id = entry.id ?? newId();
  const query = insertSelect(
    db,
    contactHistory,
    {
      id,
      tenantId: entry.tenantId,
      contactRowid: contactRowid(entry.tenantId, entry.contactId),
      at: millisOf(entry.at),
      actor: entry.actor,
      action: entry.action,
      changes: is(entry.changes, SQL) ? entry.changes : sql`${JSON.stringify(entry.changes)}`,
      reason: entry.reason ?? null,
      subjectType: entry.subject?.type ?? null,
      subjectId: entry.subject?.id ?? null,
    },
    sql`${from} where ${when}`,
  );
  return { query, written: historyWritten({ ...entry, id }) };
}

/** The contact's own records among `ids` (a subquery). */
const ownRows = (
  table: typeof addresses | typeof bankAccounts,
  tenantId: string,
  contactId: string,
  ids: SQL,
) => and(eq(table.tenantId, tenantId), eq(table.contactId, contactId), inArray(table.id, ids));

export async function listHistory(db: Db, tenantId: string, contactId: string, params: ListParams) {
  const ofContact = historyOf(tenantId, contactId);
  const result = await listPage({
    db,
    where: [ofContact],
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
    // The keyset compares the stored milliseconds.
    position: (row) => [Date.parse(row.at), row.id],
    // In the same round trip, what the page's derived created entries are made from: the contact, the
    // addresses and bank accounts those entries are about, and every entry about those subjects.
    related: (window) => {
      const page = db
        .select({
          subject: sql`coalesce(${contactHistory.subjectId}, '')`.as("subject"),
          derived:
            sql`${contactHistory.action} in ${DERIVED_CREATED} and ${contactHistory.changes} = '{}'`.as(
              "derived",
            ),
        })
        .from(contactHistory)
        .where(window.where)
        .orderBy(...window.order)
        .limit(window.limit)
        .offset(window.offset);
      const derived = sql`(select subject from (${page}) where derived)`;
      return [
        selectContact(db, tenantId, contactId),
        db
          .select()
          .from(contactHistory)
          .where(and(ofContact, sql`coalesce(${contactHistory.subjectId}, '') in ${derived}`)),
        db
          .select()
          .from(addresses)
          .where(ownRows(addresses, tenantId, contactId, derived)),
        db
          .select()
          .from(bankAccounts)
          .where(ownRows(bankAccounts, tenantId, contactId, derived)),
      ] as const;
    },
  });
  const [[contact], subjectEntries, addressRows, bankRows] = result.related;
  if (!contact) throw notFound("Contact");
  // An erased contact's entries were redacted: nothing is derived for them.
  if (contact.contact.erasedAt) return result;
  const current = new Map<string, Record<string, unknown>>([
    ["", contactCreatedFields(contact)],
    ...addressRows.map((r) => [r.id, addressFields(r)] as const),
    ...bankRows.map((r) => [r.id, bankFields(r)] as const),
  ]);
  const rows = result.rows.map((row) => {
    if (!isDerived(row)) return row;
    const subject = row.subjectId ?? "";
    const entries = subjectEntries.filter((e) => (e.subjectId ?? "") === subject);
    return { ...row, changes: derivedChanges(row, entries, current.get(subject)) };
  });
  return { ...result, rows };
}
