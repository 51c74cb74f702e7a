import { and, count, eq, type SQL, sql } from "drizzle-orm";
import { contacts, namespaces } from "../../db/schema";
import type { Db } from "../../env";
import type { CursorScope } from "../../lib/cursor";
import { ApiError, isUniqueViolation, notFound } from "../../lib/errors";
import { checkIfMatch, type IfMatch, preconditionFailed } from "../../lib/etag";
import { newId } from "../../lib/ids";
import { createdAtRange, listPage, sortSpec, sortValue } from "../../lib/list";
import { nowIso } from "../../lib/time";
import type { NamespaceRow } from "./namespaces.mappers";
import type { NamespaceCreate, NamespaceListParams, NamespaceUpdate } from "./namespaces.schemas";

const nameTaken = () => new ApiError("conflict", "A namespace with this name already exists");

/** The row a create stores: the body's fields with the persistence defaults. */
export function newNamespaceRow(
  tenantId: string,
  userId: string,
  input: NamespaceCreate,
  id = newId(),
  at = nowIso(),
): NamespaceRow {
  return {
    id,
    tenantId,
    name: input.name,
    contactPattern: input.contact_pattern ?? null,
    contactCounter: input.contact_counter ?? 1,
    accountPattern: input.account_pattern ?? null,
    accountCounter: input.account_counter ?? 1,
    version: 1,
    createdAt: at,
    createdBy: userId,
    updatedAt: at,
    updatedBy: null,
  };
}

export const namespaceInsert = (db: Db, row: NamespaceRow) => db.insert(namespaces).values(row);

export async function createNamespace(db: Db, tenantId: string, userId: string, input: NamespaceCreate) {
  const row = newNamespaceRow(tenantId, userId, input);
  try {
    await namespaceInsert(db, row);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
  return row;
}

export async function getNamespace(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(namespaces)
    .where(and(eq(namespaces.tenantId, tenantId), eq(namespaces.id, id)));
  if (!row) throw notFound("Namespace");
  return row;
}

/** Lookup by name, case-insensitive (served by the unique index on lower(name)). */
export function namespaceByNameQuery(db: Db, tenantId: string, name: string) {
  return db
    .select()
    .from(namespaces)
    .where(and(eq(namespaces.tenantId, tenantId), sql`lower(${namespaces.name}) = lower(${name})`));
}

export async function listNamespaces(
  db: Db,
  tenantId: string,
  params: NamespaceListParams,
  cursorSecret: string,
) {
  const where: SQL[] = [eq(namespaces.tenantId, tenantId), ...createdAtRange(namespaces.createdAt, params)];
  if (params.search) where.push(sql`instr(lower(${namespaces.name}), lower(${params.search})) > 0`);
  const { page: _p, page_size: _s, cursor: _c, ...filters } = params;
  const scope: CursorScope = { secret: cursorSecret, tenantId, resource: "namespaces", filters };
  const sort = sortSpec(params.ordering, {
    name: namespaces.name,
    created_at: namespaces.createdAt,
    updated_at: namespaces.updatedAt,
  });
  return listPage<NamespaceRow>({
    db,
    where,
    rows: (window) =>
      db
        .select()
        .from(namespaces)
        .where(window.where)
        .orderBy(...window.order)
        .limit(window.limit)
        .offset(window.offset),
    count: (condition) => db.select({ n: count() }).from(namespaces).where(condition),
    position: (row) => [sortValue(sort, row), row.id],
    sort,
    id: namespaces.id,
    params,
    cursorScope: scope,
  });
}

export async function updateNamespace(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  input: NamespaceUpdate,
  ifMatch?: IfMatch,
) {
  const current = await getNamespace(db, tenantId, id);
  checkIfMatch(ifMatch, current.version);
  const changes: Partial<NamespaceRow> = {};
  if (input.name !== undefined && input.name !== current.name) changes.name = input.name;
  if (input.contact_pattern !== undefined && input.contact_pattern !== current.contactPattern) {
    changes.contactPattern = input.contact_pattern;
  }
  if (input.account_pattern !== undefined && input.account_pattern !== current.accountPattern) {
    changes.accountPattern = input.account_pattern;
  }
  if (input.contact_counter !== undefined && input.contact_counter !== current.contactCounter) {
    changes.contactCounter = input.contact_counter;
  }
  if (input.account_counter !== undefined && input.account_counter !== current.accountCounter) {
    changes.accountCounter = input.account_counter;
  }
  if (Object.keys(changes).length === 0) return current;

  // Counters only move forward: the condition is re-checked in the UPDATE, since creates advance them concurrently.
  const byId = and(eq(namespaces.tenantId, tenantId), eq(namespaces.id, id));
  const conditions = [byId];
  // With If-Match the write applies only at the version read above (one the client named): the changes
  // were worked out against it. A contact create that advances the counter moves the version too.
  if (ifMatch !== undefined) conditions.push(eq(namespaces.version, current.version));
  if (changes.contactCounter !== undefined)
    conditions.push(sql`${namespaces.contactCounter} <= ${changes.contactCounter}`);
  if (changes.accountCounter !== undefined)
    conditions.push(sql`${namespaces.accountCounter} <= ${changes.accountCounter}`);
  let updated: NamespaceRow[];
  let now: NamespaceRow | undefined;
  try {
    // The row as the batch leaves it tells why an UPDATE that matched nothing did not apply.
    [updated, [now]] = await db.batch([
      db
        .update(namespaces)
        .set({ ...changes, version: sql`${namespaces.version} + 1`, updatedAt: nowIso(), updatedBy: userId })
        .where(and(...conditions))
        .returning(),
      db.select().from(namespaces).where(byId),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
  const row = updated[0];
  if (row) return row;
  if (!now) throw notFound("Namespace");
  // Written (a create moved the counter, or another PATCH) since the If-Match check above: 412, not 409.
  if (ifMatch !== undefined && now.version !== current.version) throw preconditionFailed(now.version);
  throw new ApiError("conflict", "A counter may keep its value or move forward, never back");
}

export async function deleteNamespace(db: Db, tenantId: string, id: string, ifMatch?: IfMatch) {
  if (ifMatch !== undefined) checkIfMatch(ifMatch, (await getNamespace(db, tenantId, id)).version);
  const [deleted, [exists]] = await db.batch([
    db
      .delete(namespaces)
      .where(
        and(
          eq(namespaces.tenantId, tenantId),
          eq(namespaces.id, id),
          sql`not exists (select 1 from ${contacts} where ${contacts.tenantId} = ${tenantId} and ${contacts.namespaceId} = ${id})`,
        ),
      )
      .returning({ id: namespaces.id }),
    db
      .select({ id: namespaces.id })
      .from(namespaces)
      .where(and(eq(namespaces.tenantId, tenantId), eq(namespaces.id, id))),
  ]);
  if (deleted.length > 0) return;
  if (exists) throw new ApiError("conflict", "The namespace still holds contacts");
  throw notFound("Namespace");
}
