import { and, count, eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { contactById } from "../../db/contact-queries";
import { type InsertValues, insertSelect } from "../../db/insert";
import { type addresses, type bankAccounts, contacts, type relations } from "../../db/schema";
import type { Db } from "../../env";
import { batch, last, type Query } from "../../lib/batch";
import { ApiError, type FieldError, invalid, isUniqueViolation, notFound } from "../../lib/errors";
import { checkIfMatch, type IfMatch } from "../../lib/etag";
import { newId } from "../../lib/ids";
import { listPage, type PageWindow, sortSpec, sortValue } from "../../lib/list";
import type { ListParams } from "../../lib/list-query";
import { nowIso } from "../../lib/time";
import { diff, removedChanges } from "../history/history.changes";
import { historyInsert } from "../history/history.repository";

/**
 * Addresses, bank accounts and relations: flat records that belong to a contact (Crego's layout).
 * They share one way of writing: the record, the owning contacts' history rows and any companion
 * statements go in one D1 batch, guarded so that a refused write leaves nothing behind.
 */
export type ChildTable = typeof addresses | typeof bankAccounts | typeof relations;
export type RowOf<T extends ChildTable> = T["$inferSelect"];

export type ChildKind<T extends ChildTable> = {
  table: T;
  /** What history entries call these records; also the prefix of their actions (address_created ...). */
  subject: "address" | "bank" | "relation";
  label: string;
  /** The API fields of a record, as history shows them: without its id, owner and audit fields. */
  fields: (row: RowOf<T>) => Record<string, unknown>;
  /** Contacts whose history records a change to this record. */
  owners: (row: RowOf<T>) => string[];
  /** The same owners as columns of the table (null when a record has no such owner). */
  ownerColumns: SQLiteColumn[];
  /**
   * A record's fields as its stored `*_created` entry's changes, computed by the database from the row
   * (storeCreatedEntries); none: stored empty and derived when history is read (history.changes.ts).
   */
  createdChangesSql?: SQL;
  /** Contact ids a record points to, with the body field naming each (all must be the tenant's). */
  links: (row: RowOf<T>) => { path: string; id: string }[];
  conflict: string;
  /**
   * Statements that must run before the write (e.g. clearing another primary account), each guarded by
   * `when` (true only if the write itself applies), stamped with the write's time and user; a history
   * entry they write takes `historyId` when given.
   */
  before?: (
    db: Db,
    row: RowOf<T>,
    write: { when: SQL; at: string; userId: string; historyId?: string },
  ) => Query[];
  /**
   * Whether a change sets something `fields` cannot show: a bank account's new number whose mask equals
   * the old one's (same length, same last four). It is written, with no history pair for it.
   */
  unseenChange?: (set: Partial<RowOf<T>>) => boolean;
  /** Statements that follow the write in the same batch, guarded by `written` (row null: deleted). */
  after?: (db: Db, row: RowOf<T> | null, written: SQL, previous: RowOf<T> | null) => Query[];
};

/** A record by its key, (tenant_id, id): the tenant's unique index. */
const byId = (table: ChildTable, tenantId: string, id: string) =>
  sql`${table.tenantId} = ${tenantId} and ${table.id} = ${id}`;

// drizzle cannot resolve a select, insert or update over a generic table to its row type: the three
// casts below say that a child table holds, takes and sets its own rows.
function rowsOf<T extends ChildTable>(
  db: Db,
  kind: ChildKind<T>,
  where: SQL | undefined,
  window?: PageWindow,
) {
  const query = db.select().from(kind.table).where(where);
  const page = window
    ? query
        .orderBy(...window.order)
        .limit(window.limit)
        .offset(window.offset)
    : query;
  // Cast: drizzle cannot resolve a select over a generic table T to T's row type.
  return page as unknown as Query<RowOf<T>[]>;
}
// Cast: for a generic table T drizzle's insert type is not seen to accept T's own row.
const insertRow = <T extends ChildTable>(db: Db, kind: ChildKind<T>, row: RowOf<T>, when: SQL) =>
  insertSelect(db, kind.table, row as InsertValues<T>, sql`where ${when}`);
// Cast: drizzle's update set type over a generic table T does not resolve; callers pass T's columns.
const setRow = <T extends ChildTable>(
  kind: ChildKind<T>,
  set: Partial<RowOf<T>>,
  at: string,
  userId: string,
) =>
  ({
    ...set,
    version: sql`${kind.table.version} + 1`,
    updatedAt: at,
    updatedBy: userId,
    // A changed record's created entry is stored by the same batch (storeCreatedEntries).
    createdEntry: true,
  }) as never;

/** A contact a record may point to: the tenant's, and not erased. */
const contactExists = (tenantId: string, id: string) =>
  sql`exists (select 1 from ${contacts} where ${contactById(tenantId, id)} and ${contacts.erasedAt} is null)`;

async function missingLinks(
  db: Db,
  tenantId: string,
  links: { path: string; id: string }[],
): Promise<FieldError[]> {
  const found = await db
    .select({ id: contacts.id, erasedAt: contacts.erasedAt })
    .from(contacts)
    .where(and(eq(contacts.tenantId, tenantId), sql`${contacts.id} in ${links.map((l) => l.id)}`));
  if (found.some((f) => f.erasedAt))
    throw new ApiError(
      "contact_erased",
      "An erased contact cannot gain addresses, bank accounts or relations",
    );
  const ids = new Set(found.map((f) => f.id));
  return links
    .filter((l) => !ids.has(l.id))
    .map((l) => ({ path: l.path, code: "unknown_contact", message: "is not a contact of this tenant" }));
}

const conflictOnUnique = (kind: { conflict: string }) => (error: unknown) => {
  if (isUniqueViolation(error)) throw new ApiError("conflict", kind.conflict);
  throw error;
};

/** Without If-Match, contention is retried with jittered backoff (last writer wins), never a 409. */
const MAX_ATTEMPTS = 40;
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** Math.min(attempt, 7))));

const contention = (label: string) =>
  new ApiError("conflict", `The ${label.toLowerCase()} is being changed by another request; try again`);

/**
 * The statements that create a record, in batch order: what must run before it, the record (only when
 * every contact it links to is the tenant's) and the companion statements. The record's creation is
 * not a history row: history reads it from the record until a write changes it (storeCreatedEntries).
 * A `before` statement's history entry takes its id from `nextId`.
 */
export function childCreateStatements<T extends ChildTable>(
  db: Db,
  kind: ChildKind<T>,
  row: RowOf<T>,
  nextId: () => string = newId,
): Query[] {
  const table = kind.table;
  const linked = and(...kind.links(row).map((l) => contactExists(row.tenantId, l.id))) ?? sql`1`;
  const exists = sql`exists (select 1 from ${table} where ${byId(table, row.tenantId, row.id)})`;
  const write = { when: linked, at: row.createdAt, userId: row.createdBy, historyId: nextId() };
  return [
    ...(kind.before?.(db, row, write) ?? []),
    insertRow(db, kind, row, linked),
    ...(kind.after?.(db, row, exists, null) ?? []),
  ];
}

/**
 * The `*_created` entries of the records of `kind` that `where` selects and whose creation history
 * still reads from the record (created_entry false, schema.ts), stored on each owning contact with the
 * record's own id, time and author. Every write that changes, moves or deletes records runs these
 * first (and marks the records), so an entry a reader has seen keeps its id, time and fields.
 */
export function storeCreatedEntries<T extends ChildTable>(
  db: Db,
  kind: ChildKind<T>,
  tenantId: string,
  where: SQL | undefined,
): Query[] {
  const table = kind.table;
  return kind.ownerColumns.map(
    (owner) =>
      historyInsert(
        db,
        {
          id: sql`${table.id}`,
          tenantId,
          contactId: sql`${owner}`,
          actor: sql`${table.createdBy}`,
          at: sql`${table.createdAt}`,
          action: `${kind.subject}_created`,
          subject: { type: kind.subject, id: sql`${table.id}` },
          changes: kind.createdChangesSql ?? {},
        },
        // `+`: the owner's presence filters rows, it never picks the index (the caller's key does).
        and(eq(table.tenantId, tenantId), eq(table.createdEntry, false), sql`+${owner} is not null`, where),
        sql`from ${table}`,
      ).query,
  );
}

export async function createChild<T extends ChildTable>(db: Db, kind: ChildKind<T>, row: RowOf<T>) {
  const results = await batch(db, [
    ...childCreateStatements(db, kind, row),
    rowsOf(db, kind, byId(kind.table, row.tenantId, row.id)),
  ]).catch(conflictOnUnique(kind));
  const [stored] = last(results);
  if (stored) return stored;
  throw invalid(await missingLinks(db, row.tenantId, kind.links(row)));
}

export async function getChild<T extends ChildTable>(
  db: Db,
  kind: ChildKind<T>,
  tenantId: string,
  id: string,
) {
  const [row] = await rowsOf(db, kind, byId(kind.table, tenantId, id));
  if (!row) throw notFound(kind.label);
  return row;
}

/**
 * Read, compute the change, write it with a version check (history rows only if the version still
 * matches); a concurrent write makes it read again.
 */
export async function updateChild<T extends ChildTable>(
  db: Db,
  kind: ChildKind<T>,
  tenantId: string,
  userId: string,
  id: string,
  apply: (current: RowOf<T>) => Partial<RowOf<T>> | Promise<Partial<RowOf<T>>>,
  ifMatch?: IfMatch,
): Promise<RowOf<T>> {
  const table = kind.table;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const current = await getChild(db, kind, tenantId, id);
    checkIfMatch(ifMatch, current.version);
    const set = await apply(current);
    const next: RowOf<T> = { ...current, ...set };
    const changes = diff(kind.fields(current), kind.fields(next));
    if (Object.keys(changes).length === 0 && !kind.unseenChange?.(set)) return current;
    const at = nowIso();
    const sameVersion = sql`exists (select 1 from ${table} where ${byId(table, tenantId, id)} and ${table.version} = ${current.version})`;
    const links = kind.links(next).filter((l) => !kind.links(current).some((c) => c.id === l.id));
    // The whole write applies only at the version read and with every newly linked contact in the tenant.
    const applies = and(sameVersion, ...links.map((l) => contactExists(tenantId, l.id))) ?? sameVersion;
    const owners = [...new Set([...kind.owners(current), ...kind.owners(next)])];
    const [first, ...others] = owners.map((contactId) =>
      historyInsert(
        db,
        {
          tenantId,
          contactId,
          actor: userId,
          at,
          action: `${kind.subject}_updated`,
          subject: { type: kind.subject, id },
          changes,
        },
        applies,
      ),
    );
    if (!first) throw new Error("a record has at least one owning contact");
    const [wrote, ...rest] = await batch(db, [
      first.query,
      ...others.map((h) => h.query),
      ...storeCreatedEntries(db, kind, tenantId, and(byId(table, tenantId, id), applies)),
      ...(kind.before?.(db, next, { when: applies, at, userId }) ?? []),
      db
        .update(table)
        .set(setRow(kind, set, at, userId))
        .where(and(byId(table, tenantId, id), applies)),
      ...(kind.after?.(db, next, first.written, current) ?? []),
      rowsOf(db, kind, byId(table, tenantId, id)),
    ]).catch(conflictOnUnique(kind));
    const [stored] = last(rest);
    if (stored && stored.version === current.version + 1 && wrote.meta.changes > 0) return stored;
    if (links.length) {
      const missing = await missingLinks(db, tenantId, links);
      if (missing.length) throw invalid(missing);
    }
    if (!stored) throw notFound(kind.label);
  }
  throw contention(kind.label);
}

export async function deleteChild<T extends ChildTable>(
  db: Db,
  kind: ChildKind<T>,
  tenantId: string,
  userId: string,
  id: string,
  ifMatch?: IfMatch,
) {
  const table = kind.table;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const current = await getChild(db, kind, tenantId, id);
    checkIfMatch(ifMatch, current.version);
    const at = nowIso();
    const sameVersion = sql`exists (select 1 from ${table} where ${byId(table, tenantId, id)} and ${table.version} = ${current.version})`;
    const [first, ...others] = kind.owners(current).map((contactId) =>
      historyInsert(
        db,
        {
          tenantId,
          contactId,
          actor: userId,
          at,
          action: `${kind.subject}_deleted`,
          subject: { type: kind.subject, id },
          changes: removedChanges(kind.fields(current)),
        },
        sameVersion,
      ),
    );
    if (!first) throw new Error("a record has at least one owning contact");
    // History first: its guard reads the row at the version read, before the delete removes it.
    const [wrote] = await batch(db, [
      first.query,
      ...others.map((h) => h.query),
      ...storeCreatedEntries(db, kind, tenantId, and(byId(table, tenantId, id), sameVersion)),
      db.delete(table).where(and(byId(table, tenantId, id), eq(table.version, current.version))),
      ...(kind.after?.(db, null, first.written, current) ?? []),
    ]);
    if (wrote.meta.changes > 0) return;
  }
  throw contention(kind.label);
}

export type ChildListSpec = {
  where: SQL[];
  params: ListParams & { ordering?: string };
  resource: string;
  filters: unknown;
  secret: string;
};

export function listChildren<T extends ChildTable>(
  db: Db,
  kind: ChildKind<T>,
  tenantId: string,
  spec: ChildListSpec,
) {
  const table = kind.table;
  const sort = sortSpec(
    spec.params.ordering,
    { created_at: table.createdAt, updated_at: table.updatedAt },
    table.id,
  );
  return listPage<RowOf<T>>({
    db,
    where: spec.where,
    sort,
    id: table.id,
    params: spec.params,
    cursorScope: { secret: spec.secret, tenantId, resource: spec.resource, filters: spec.filters },
    rows: (window) => rowsOf(db, kind, window.where, window),
    count: (condition) => db.select({ n: count() }).from(table).where(condition),
    position: (row) => [sortValue(sort, row), row.id],
  });
}
