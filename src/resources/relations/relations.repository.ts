import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { encodeTime } from "ulid";
import { relations } from "../../db/schema";
import type { Db } from "../../env";
import type { Query } from "../../lib/batch";
import { invalid } from "../../lib/errors";
import type { IfMatch } from "../../lib/etag";
import { newRecord } from "../../lib/ids";
import { createdAtRange } from "../../lib/list";
import { immutableContact, linkedContact } from "../children/child-links";
import {
  type ChildKind,
  createChild,
  deleteChild,
  getChild,
  listChildren,
  updateChild,
} from "../children/child-records";
import { recordFields } from "../history/history.changes";
import { historyInsert } from "../history/history.repository";
import { eitherSide } from "./relation-sides";
import { type RelationRow, toRelation } from "./relations.mappers";
import type { RelationCreate, RelationListParams, RelationUpdate } from "./relations.schemas";

export const relationKind: ChildKind<typeof relations> = {
  table: relations,
  subject: "relation",
  label: "Relation",
  fields: (row) => recordFields(toRelation(row)),
  // Recorded in the history of both contacts.
  owners: (row) => (row.relatedContactId ? [row.contactId, row.relatedContactId] : [row.contactId]),
  ownerColumns: [relations.contactId, relations.relatedContactId],
  // What createdChanges(fields(row)) gives, from the row (json_patch drops the keys set to null): the
  // created entry of a relation keeps its fields, so the other contact's side still reads them once
  // an erasure of one side has redacted that side's history.
  createdChangesSql: sql`json_patch(
    json_object('contact', json_array(null, ${relations.contactId}), 'type', json_array(null, ${relations.type})),
    json_object(
      'related_contact', json(case when ${relations.relatedContactId} is null then null else json_array(null, ${relations.relatedContactId}) end),
      'tags', json(case when ${relations.tags} = '[]' then null else json_array(null, json(${relations.tags})) end)
    )
  )`,
  links: (row) => [
    { path: "contact", id: row.contactId },
    ...(row.relatedContactId ? [{ path: "related_contact", id: row.relatedContactId }] : []),
  ],
  conflict: "This relation already exists",
};

/** The other side of a relation: optional, a contact of the tenant, never the contact itself. */
function related(raw: string | null | undefined, contactId: string): string | null {
  if (raw === null || raw === undefined) return null;
  const id = linkedContact(raw, "related_contact");
  if (id === contactId)
    throw invalid([
      { path: "related_contact", code: "self_relation", message: "must not be the contact itself" },
    ]);
  return id;
}

/** The row a create stores: the body's fields with the persistence defaults. */
export function newRelationRow(
  tenantId: string,
  userId: string,
  input: RelationCreate,
  { id, at } = newRecord(),
): RelationRow {
  const contactId = linkedContact(input.contact, "contact");
  return {
    id,
    tenantId,
    contactId,
    type: input.type,
    relatedContactId: related(input.related_contact, contactId),
    tags: input.tags ?? [],
    version: 1,
    createdEntry: false,
    createdAt: at,
    createdBy: userId,
    updatedAt: at,
    updatedBy: null,
  };
}

export function createRelation(db: Db, tenantId: string, userId: string, input: RelationCreate) {
  return createChild(db, relationKind, newRelationRow(tenantId, userId, input));
}

export const getRelation = (db: Db, tenantId: string, id: string) => getChild(db, relationKind, tenantId, id);

/** The columns a PATCH sets: only the fields sent. */
function changes(input: RelationUpdate, current: RelationRow): Partial<RelationRow> {
  immutableContact(input.contact, current.contactId, "contact");
  const set: Partial<RelationRow> = {};
  if (input.type !== undefined) set.type = input.type;
  if (input.related_contact !== undefined)
    set.relatedContactId = related(input.related_contact, current.contactId);
  if (input.tags !== undefined) set.tags = input.tags;
  return set;
}

export const updateRelation = (
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  input: RelationUpdate,
  ifMatch?: IfMatch,
) => updateChild(db, relationKind, tenantId, userId, id, (current) => changes(input, current), ifMatch);

export const deleteRelation = (db: Db, tenantId: string, userId: string, id: string, ifMatch?: IfMatch) =>
  deleteChild(db, relationKind, tenantId, userId, id, ifMatch);

export function listRelations(db: Db, tenantId: string, params: RelationListParams, secret: string) {
  // With `contact`, the tenant is in each of its two sides (relation-sides.ts).
  const owner = params.contact === undefined ? undefined : eitherSide(tenantId, params.contact);
  const where: SQL[] = [
    owner ?? eq(relations.tenantId, tenantId),
    ...createdAtRange(relations.createdAt, params, relations.id),
  ];
  if (params.related_contact !== undefined)
    where.push(eq(relations.relatedContactId, params.related_contact));
  if (params.type) where.push(eq(relations.type, params.type));
  const { page: _p, page_size: _s, cursor: _c, ...filters } = params;
  return listChildren(db, relationKind, tenantId, { where, params, resource: "relations", filters, secret });
}

/** Relations on either side of a set of contacts, for `expand`: one query for the whole page. */
export function relationsOf(db: Db, tenantId: string, contactIds: SQL | string[]): Query<RelationRow[]> {
  return db
    .select()
    .from(relations)
    .where(
      sql`${relations.tenantId} = ${tenantId} and (${inArray(relations.contactId, contactIds)} or ${inArray(relations.relatedContactId, contactIds)})`,
    )
    .orderBy(relations.id); // id order is creation order (lib/ids newRecord)
}

/**
 * Erasure deletes a contact's relations on both sides (API.md, Personal data); each other contact gets
 * the `relation_deleted` entry a DELETE would record there, in the erasure's batch and guarded by
 * `when`. The entries are selected from the relations themselves, so the batch covers exactly the
 * relations it deletes; the erased contact's own side gets none (its history is redacted and ends with
 * `erased`). Run before the relations are deleted.
 */
export function otherSidesDeleted(
  db: Db,
  tenantId: string,
  contactId: string,
  erasure: { at: string; userId: string; when: SQL },
): Query[] {
  // A removedChanges(fields) of each relation, from the row: both sides are set here, tags always listed.
  const removed = sql`json_object('contact', json_array(${relations.contactId}, null), 'type', json_array(${relations.type}, null),
    'related_contact', json_array(${relations.relatedContactId}, null), 'tags', json_array(json(${relations.tags}), null))`;
  // A ULID per entry: the erasure's time, then the relation's random part rotated by one character. That
  // is one-to-one, so entries of two relations never share an id; and it differs from the relation's own
  // id (unless that random part is one character repeated), which its stored relation_created entry has:
  // the two would clash if the relation was created in the erasure's millisecond.
  const entryId = sql`${encodeTime(Date.parse(erasure.at), 10)} || substr(${relations.id}, 12) || substr(${relations.id}, 11, 1)`;
  // One statement per side, so that each reads its own (tenant_id, ...) index.
  const sides: [erased: SQLiteColumn, other: SQLiteColumn][] = [
    [relations.contactId, relations.relatedContactId],
    [relations.relatedContactId, relations.contactId],
  ];
  return sides.map(
    ([erased, other]) =>
      historyInsert(
        db,
        {
          id: entryId,
          tenantId,
          contactId: sql`${other}`,
          actor: erasure.userId,
          at: erasure.at,
          action: "relation_deleted",
          subject: { type: "relation", id: sql`${relations.id}` },
          changes: removed,
        },
        // `+`: the other side's presence filters rows, it never picks the index.
        and(
          eq(relations.tenantId, tenantId),
          eq(erased, contactId),
          sql`+${other} is not null`,
          erasure.when,
        ),
        sql`from ${relations}`,
      ).query,
  );
}
