import { and, count, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { contacts } from "../../db/schema";
import type { Db } from "../../env";
import { ApiError, type FieldError, invalid, isUniqueViolation, notFound } from "../../lib/errors";
import {
  batch,
  type CursorScope,
  type ListParams,
  listPage,
  type Query,
  sortSpec,
} from "../../lib/pagination";
import { nowIso } from "../../lib/time";
import {
  createdChanges,
  diff,
  type HistoryAction,
  historyInsert,
  removedChanges,
} from "../history/history.repository";

/**
 * Addresses, bank accounts and relations: flat records that belong to a contact (Crego's layout).
 * They share one way of writing: the record, the owning contacts' history rows and any companion
 * statements go in one D1 batch, guarded so that a refused write leaves nothing behind.
 */
type ChildTable = SQLiteTable & {
  id: SQLiteColumn;
  tenantId: SQLiteColumn;
  contactId: SQLiteColumn;
  version: SQLiteColumn;
  createdAt: SQLiteColumn;
  updatedAt: SQLiteColumn;
};

export type ChildRow = {
  id: string;
  tenantId: string;
  contactId: string;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string | null;
};

export type ChildKind<Row extends ChildRow> = {
  table: ChildTable;
  /** History action prefix: address_created, bank_updated, relation_deleted ... */
  history: "address" | "bank" | "relation";
  label: string;
  /** The API fields of a record, as history shows them. */
  fields: (row: Row) => Record<string, unknown>;
  /** Contacts whose history records a change to this record. */
  owners: (row: Row) => string[];
  /** Contact ids a record points to, with the body field naming each (all must be the tenant's). */
  links: (row: Row) => { path: string; id: string }[];
  conflict: string;
  /**
   * Statements that must run before the write (e.g. clearing another primary account), each guarded by
   * `when` (true only if the write itself applies), stamped with the write's time and user.
   */
  before?: (db: Db, row: Row, write: { when: SQL; at: string; userId: string }) => Query<unknown>[];
  /** Statements that follow the write in the same batch, guarded by `written` (row null: deleted). */
  after?: (db: Db, row: Row | null, written: SQL, previous: Row | null) => Query<unknown>[];
};

/** A record's own API fields, for history: without its id, owner and audit fields. */
export function recordFields(api: Record<string, unknown>): Record<string, unknown> {
  const {
    id: _id,
    contact_id: _contact,
    tenant_id: _tenant,
    version: _version,
    created_at: _createdAt,
    created_by: _createdBy,
    updated_at: _updatedAt,
    updated_by: _updatedBy,
    ...fields
  } = api;
  return fields;
}

const contactExists = (tenantId: string, id: string) =>
  sql`exists (select 1 from ${contacts} where ${contacts.tenantId} = ${tenantId} and ${contacts.id} = ${id})`;

/** `insert into <table> select <row values in column order> where <condition>`: one batchable statement. */
function insertWhere(db: Db, table: ChildTable, row: Record<string, unknown>, condition: SQL) {
  const values = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const value = row[key];
    return value === null || value === undefined ? sql`null` : sql`${column.mapToDriverValue(value)}`;
  });
  return db.insert(table).select(sql`select ${sql.join(values, sql`, `)} where ${condition}`);
}

async function missingLinks<Row extends ChildRow>(
  db: Db,
  kind: ChildKind<Row>,
  row: Row,
): Promise<FieldError[]> {
  const links = kind.links(row);
  const found = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.tenantId, row.tenantId), sql`${contacts.id} in ${links.map((l) => l.id)}`));
  const ids = new Set(found.map((f) => f.id));
  return links
    .filter((l) => !ids.has(l.id))
    .map((l) => ({ path: l.path, code: "unknown_contact", message: "is not a contact of this tenant" }));
}

export async function createChild<Row extends ChildRow>(
  db: Db,
  kind: ChildKind<Row>,
  row: Row,
): Promise<Row> {
  const table = kind.table;
  const linked = and(...kind.links(row).map((l) => contactExists(row.tenantId, l.id))) as SQL;
  const exists = sql`exists (select 1 from ${table} where ${table.id} = ${row.id})`;
  const action = `${kind.history}_created` as HistoryAction;
  const histories = kind.owners(row).map(
    (contactId) =>
      historyInsert(
        db,
        {
          tenantId: row.tenantId,
          contactId,
          actor: row.createdBy,
          at: row.createdAt,
          action,
          changes: { id: [null, row.id], ...createdChanges(kind.fields(row)) },
        },
        exists,
      ).query,
  );
  let results: unknown[];
  try {
    results = await batch(db, [
      ...(kind.before?.(db, row, { when: linked, at: row.createdAt, userId: row.createdBy }) ?? []),
      insertWhere(db, table, row, linked),
      ...histories,
      ...(kind.after?.(db, row, exists, null) ?? []),
      db.select().from(table).where(eq(table.id, row.id)),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError("conflict", kind.conflict);
    throw error;
  }
  const [stored] = results.at(-1) as Row[];
  if (stored) return stored;
  throw invalid(await missingLinks(db, kind, row));
}

export async function getChild<Row extends ChildRow>(
  db: Db,
  kind: ChildKind<Row>,
  tenantId: string,
  id: string,
) {
  const [row] = (await db
    .select()
    .from(kind.table)
    .where(and(eq(kind.table.tenantId, tenantId), eq(kind.table.id, id)))) as Row[];
  if (!row) throw notFound(kind.label);
  return row;
}

/**
 * Read, compute the change, write it with a version check (history rows only if the version still
 * matches); a concurrent write makes it read again.
 */
export async function updateChild<Row extends ChildRow>(
  db: Db,
  kind: ChildKind<Row>,
  tenantId: string,
  userId: string,
  id: string,
  apply: (current: Row) => Partial<Row>,
): Promise<Row> {
  const table = kind.table;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await getChild(db, kind, tenantId, id);
    const set = apply(current);
    const next = { ...current, ...set } as Row;
    const changes = diff(kind.fields(current), kind.fields(next));
    if (Object.keys(changes).length === 0) return current;
    const at = nowIso();
    const sameVersion = sql`exists (select 1 from ${table} where ${table.id} = ${id} and ${table.version} = ${current.version})`;
    const links = kind.links(next).filter((l) => !kind.links(current).some((c) => c.id === l.id));
    // The whole write applies only at the version read and with every newly linked contact in the tenant.
    const applies = and(sameVersion, ...links.map((l) => contactExists(tenantId, l.id))) as SQL;
    const owners = [...new Set([...kind.owners(current), ...kind.owners(next)])];
    const action = `${kind.history}_updated` as HistoryAction;
    const histories = owners.map((contactId) =>
      historyInsert(
        db,
        { tenantId, contactId, actor: userId, at, action, changes: { id: [id, id], ...changes } },
        applies,
      ),
    );
    let results: unknown[];
    try {
      results = await batch(db, [
        ...histories.map((h) => h.query),
        ...(kind.before?.(db, next, { when: applies, at, userId }) ?? []),
        db
          .update(table)
          .set({ ...set, version: sql`${table.version} + 1`, updatedAt: at, updatedBy: userId } as never)
          .where(and(eq(table.id, id), applies)),
        ...(kind.after?.(db, next, histories[0]?.written ?? sql`0`, current) ?? []),
        db.select().from(table).where(eq(table.id, id)),
      ]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError("conflict", kind.conflict);
      throw error;
    }
    const [stored] = results.at(-1) as Row[];
    if (stored && stored.version === current.version + 1 && (results[0] as unknown[]).length > 0)
      return stored;
    if (links.length) {
      const missing = await missingLinks(db, kind, { ...next, tenantId } as Row);
      if (missing.length) throw invalid(missing);
    }
    if (!stored) throw notFound(kind.label);
  }
  throw new ApiError(
    "conflict",
    `The ${kind.label.toLowerCase()} is being changed by another request; try again`,
  );
}

export async function deleteChild<Row extends ChildRow>(
  db: Db,
  kind: ChildKind<Row>,
  tenantId: string,
  userId: string,
  id: string,
) {
  const table = kind.table;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await getChild(db, kind, tenantId, id);
    const at = nowIso();
    const sameVersion = sql`exists (select 1 from ${table} where ${table.id} = ${id} and ${table.version} = ${current.version})`;
    const action = `${kind.history}_deleted` as HistoryAction;
    const histories = kind.owners(current).map((contactId) =>
      historyInsert(
        db,
        {
          tenantId,
          contactId,
          actor: userId,
          at,
          action,
          changes: { id: [id, null], ...removedChanges(kind.fields(current)) },
        },
        sameVersion,
      ),
    );
    const deleted = db
      .delete(table)
      .where(and(eq(table.id, id), eq(table.version, current.version)))
      .returning({ id: table.id });
    const [first] = await batch(db, [
      ...histories.map((h) => h.query),
      deleted,
      ...(kind.after?.(db, null, histories[0]?.written ?? sql`0`, current) ?? []),
    ]);
    if ((first as unknown[]).length > 0) return;
  }
  throw new ApiError(
    "conflict",
    `The ${kind.label.toLowerCase()} is being changed by another request; try again`,
  );
}

export type ChildListSpec = {
  where: SQL[];
  params: ListParams & { ordering?: string };
  resource: string;
  filters: unknown;
  secret: string;
};

export function listChildren<Row extends ChildRow>(
  db: Db,
  kind: ChildKind<Row>,
  tenantId: string,
  spec: ChildListSpec,
) {
  const table = kind.table;
  const sort = sortSpec(spec.params.ordering, { created_at: table.createdAt, updated_at: table.updatedAt });
  const cursorScope: CursorScope = {
    secret: spec.secret,
    tenantId,
    resource: spec.resource,
    filters: spec.filters,
  };
  return listPage<Row>({
    db,
    where: spec.where,
    sort,
    id: table.id,
    params: spec.params,
    cursorScope,
    rows: (condition, order, limit, offset) =>
      db
        .select()
        .from(table)
        .where(condition)
        .orderBy(...order)
        .limit(limit)
        .offset(offset) as unknown as Query<Row[]>,
    count: (condition) => db.select({ n: count() }).from(table).where(condition),
    position: (row) => [sort.key.endsWith("updated_at") ? row.updatedAt : row.createdAt, row.id],
  });
}
