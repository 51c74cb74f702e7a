import { and, eq, inArray, is, type Placeholder, SQL, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/sqlite-core";
import { contactById, contactRowid, selectContact } from "../../db/contact-queries";
import type { HistoryAction } from "../../db/enums";
import { insertSelect } from "../../db/insert";
import { addresses, bankAccounts, contactHistory, contacts, relations } from "../../db/schema";
import type { Db } from "../../env";
import { notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { listPage, type PageWindow } from "../../lib/list";
import type { ListParams } from "../../lib/list-query";
import { eitherSide } from "../relations/relation-sides";
import {
  addressFields,
  bankFields,
  type Changes,
  contactCreatedFields,
  DERIVED_CREATED,
  derivedChanges,
  isDerived,
  relationFields,
} from "./history.changes";

/** The sub-resource an entry is about; none means the contact itself. */
export type HistorySubject = { type: "address" | "bank" | "relation"; id: string | SQL };

export type HistoryEntry = {
  /** The entry's id; a new one when not given (a caller that builds statements ahead passes its own). */
  id?: string | Placeholder | SQL;
  tenantId: string | Placeholder;
  /** The contact whose history it is; SQL when the statement selects it (`from`). */
  contactId: string | Placeholder | SQL;
  actor: string | Placeholder | SQL;
  at: string | Placeholder | SQL;
  /** The action, or an SQL expression choosing it where the database decides what changed. */
  action: HistoryAction | Placeholder | SQL;
  /** The changes, or an SQL expression computing their JSON where the database decides a value. */
  changes: Changes | SQL;
  reason?: string | null | Placeholder;
  subject?: HistorySubject;
};

/** The key of a history row, as the statements after it in a batch find it. */
type EntryKey = {
  tenantId: string | Placeholder;
  contactId: string | Placeholder | SQL;
  at: string | Placeholder | SQL;
  id: string | Placeholder | SQL;
};

/**
 * An ISO instant's epoch milliseconds (contact_history.at), computed by SQLite (exact to the millisecond
 * for any instant the API writes): the statement binds the instant itself, as the other columns of the
 * write do.
 */
const millisOf = (at: string | Placeholder | SQL) =>
  sql`cast(round((julianday(${at}) - 2440587.5) * 86400000.0) as integer)`;

/** A contact's history rows: one range of the primary key. */
const historyOf = (tenantId: string | Placeholder, contactId: string | Placeholder | SQL) =>
  sql`${contactHistory.tenantId} = ${tenantId} and ${contactHistory.contactRowid} = ${contactRowid(tenantId, contactId)}`;

/** True in later statements of a batch exactly when the history row of that key was written. */
export function historyWritten(key: EntryKey): SQL {
  return sql`exists (select 1 from ${contactHistory} where ${historyOf(key.tenantId, key.contactId)}
    and ${contactHistory.at} = ${millisOf(key.at)} and ${contactHistory.id} = ${key.id})`;
}

/**
 * The statement that redacts a contact's history (erasure), guarded by `when`: an entry keeps its id,
 * time, actor, action and subject; its changes and its reason (free text that may name the person) go.
 */
export const redactHistory = (db: Db, tenantId: string, contactId: string, when: SQL) =>
  db
    .update(contactHistory)
    .set({ changes: {}, reason: null })
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

/** The contact's own addresses or bank accounts. */
const ownedBy = (table: typeof addresses | typeof bankAccounts, tenantId: string, contactId: string) =>
  and(eq(table.tenantId, tenantId), eq(table.contactId, contactId));

/** The contact's own records among `ids` (a subquery). */
const ownRows = (
  table: typeof addresses | typeof bankAccounts,
  tenantId: string,
  contactId: string,
  ids: SQL,
) => and(ownedBy(table, tenantId, contactId), inArray(table.id, ids));

// The list's ordering and keyset name the entries' result columns, so one condition and one ORDER BY
// serve every part of the compound select below (in a record's part `at` is the alias of its created_at).
const entryAt = sql`at`;
const entryId = sql`id`;

/**
 * A contact's history: its stored entries, and the `*_created` entries of itself and its records that
 * no write has touched since their creation, read from those records (schema.ts, createdEntry). Each
 * part is one index range; as a compound select SQLite merges them in (at, id) order, the stored part
 * walked backwards on the primary key, so a page reads only its own stored rows (plus the few
 * untouched records).
 */
function historyParts(db: Db, tenantId: string, contactId: string, where: SQL | undefined) {
  const rowid = contactRowid(tenantId, contactId);
  const fromRecord = <T extends typeof contacts | typeof addresses | typeof bankAccounts | typeof relations>(
    table: T,
    action: HistoryAction,
    subjectType: HistorySubject["type"] | null,
    owned: SQL | undefined,
  ) =>
    db
      .select({
        tenantId: table.tenantId,
        contactRowid: sql<number>`${rowid}`,
        at: sql<string>`${millisOf(sql`${table.createdAt}`)}`.as("at"),
        id: table.id,
        actor: table.createdBy,
        action: sql<HistoryAction>`${action}`,
        changes: sql<Changes>`'{}'`,
        reason: sql<string | null>`null`,
        subjectType: sql<HistorySubject["type"] | null>`${subjectType}`,
        subjectId: subjectType ? sql<string | null>`${table.id}` : sql<string | null>`null`,
      })
      .from(table)
      .where(and(owned, eq(table.createdEntry, false), where));
  return [
    db
      .select()
      .from(contactHistory)
      .where(and(historyOf(tenantId, contactId), where)),
    fromRecord(contacts, "created", null, contactById(tenantId, contactId)),
    fromRecord(addresses, "address_created", "address", ownedBy(addresses, tenantId, contactId)),
    fromRecord(bankAccounts, "bank_created", "bank", ownedBy(bankAccounts, tenantId, contactId)),
    fromRecord(relations, "relation_created", "relation", eitherSide(tenantId, contactId)),
  ] as const;
}

export async function listHistory(
  db: Db,
  tenantId: string,
  contactId: string,
  params: ListParams,
  secret: string,
) {
  const ofContact = historyOf(tenantId, contactId);
  const page = (window: PageWindow) =>
    unionAll(...historyParts(db, tenantId, contactId, window.where))
      .orderBy(...window.order)
      .limit(window.limit)
      .offset(window.offset);
  const result = await listPage({
    db,
    where: [],
    sort: { column: entryAt, direction: "desc", key: "-at" },
    id: entryId,
    params,
    // A cursor is bound to the contact whose history it walks.
    cursorScope: { secret, tenantId, resource: "history", filters: contactId },
    rows: page,
    // The sum of each part's count, read beside the contact's row (none: no such contact, a 404 below).
    count: (condition) => {
      const counts = historyParts(db, tenantId, contactId, condition).map(
        (part) => sql`(select count(*) from (${part}))`,
      );
      return db
        .select({ n: sql<number>`${sql.join(counts, sql` + `)}` })
        .from(contacts)
        .where(contactById(tenantId, contactId));
    },
    // The keyset compares the stored milliseconds.
    position: (row) => [Date.parse(row.at), row.id],
    // In the same round trip, what the page's derived created entries are made from: the contact, the
    // records those entries are about, and every stored entry about those subjects.
    related: (window) => {
      const subjects = db
        .select({
          subject: sql`coalesce(subject_id, '')`.as("subject"),
          derived: sql`action in ${DERIVED_CREATED} and changes = '{}'`.as("derived"),
        })
        .from(page(window).as("page"));
      const derived = sql`(select subject from (${subjects}) where derived)`;
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
        db
          .select()
          .from(relations)
          .where(and(eitherSide(tenantId, contactId), inArray(relations.id, derived))),
      ] as const;
    },
  });
  const [[contact], subjectEntries, addressRows, bankRows, relationRows] = result.related;
  if (!contact) throw notFound("Contact");
  // An erased contact's entries were redacted: nothing is derived for them.
  if (contact.contact.erasedAt) return result;
  const current = new Map<string, Record<string, unknown>>([
    ["", contactCreatedFields(contact)],
    ...addressRows.map((r) => [r.id, addressFields(r)] as const),
    ...bankRows.map((r) => [r.id, bankFields(r)] as const),
    ...relationRows.map((r) => [r.id, relationFields(r)] as const),
  ]);
  const rows = result.rows.map((row) => {
    if (!isDerived(row)) return row;
    const subject = row.subjectId ?? "";
    const entries = subjectEntries.filter((e) => (e.subjectId ?? "") === subject);
    return { ...row, changes: derivedChanges(row, entries, current.get(subject)) };
  });
  return { ...result, rows };
}
