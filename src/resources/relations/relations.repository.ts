import { eq, inArray, or, type SQL, sql } from "drizzle-orm";
import { relations } from "../../db/schema";
import type { Db } from "../../env";
import { auditOf } from "../../lib/fields";
import { parseId } from "../../lib/ids";
import { createdAtRange, type Query } from "../../lib/pagination";
import {
  type ChildKind,
  createChild,
  deleteChild,
  getChild,
  listChildren,
  updateChild,
} from "../children/child-records";
import type { RelationListParams } from "./relations.schemas";

export type RelationRow = typeof relations.$inferSelect;

export function toRelation(row: RelationRow) {
  return {
    id: row.id,
    contact: row.contactId,
    type: row.type as "guarantor",
    related_contact: row.relatedContactId,
    tags: row.tags,
    ...auditOf(row),
  };
}

const kind: ChildKind<RelationRow> = {
  table: relations,
  history: "relation",
  label: "Relation",
  fields: (row) => ({
    contact: row.contactId,
    type: row.type,
    related_contact: row.relatedContactId,
    tags: row.tags,
  }),
  // Recorded in the history of both contacts.
  owners: (row) => (row.relatedContactId ? [row.contactId, row.relatedContactId] : [row.contactId]),
  links: (row) => [
    { path: "contact", id: row.contactId },
    ...(row.relatedContactId ? [{ path: "related_contact", id: row.relatedContactId }] : []),
  ],
  conflict: "This relation already exists",
};

export const createRelation = (db: Db, row: RelationRow) => createChild(db, kind, row);
export const getRelation = (db: Db, tenantId: string, id: string) => getChild(db, kind, tenantId, id);
export const updateRelation = (
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  apply: (row: RelationRow) => Partial<RelationRow>,
) => updateChild(db, kind, tenantId, userId, id, apply);
export const deleteRelation = (db: Db, tenantId: string, userId: string, id: string) =>
  deleteChild(db, kind, tenantId, userId, id);

export function listRelations(db: Db, tenantId: string, params: RelationListParams, secret: string) {
  const where: SQL[] = [eq(relations.tenantId, tenantId), ...createdAtRange(relations.createdAt, params)];
  if (params.contact !== undefined) {
    const id = parseId(params.contact) ?? "";
    where.push(or(eq(relations.contactId, id), eq(relations.relatedContactId, id)) as SQL);
  }
  if (params.related_contact !== undefined)
    where.push(eq(relations.relatedContactId, parseId(params.related_contact) ?? ""));
  if (params.type) where.push(eq(relations.type, params.type));
  const { page: _p, page_size: _s, cursor: _c, ...filters } = params;
  return listChildren(db, kind, tenantId, { where, params, resource: "relations", filters, secret });
}

/** Relations on either side of a set of contacts, for `expand`: one query for the whole page. */
export function relationsOf(db: Db, tenantId: string, contactIds: SQL | string[]): Query<RelationRow[]> {
  return db
    .select()
    .from(relations)
    .where(
      sql`${relations.tenantId} = ${tenantId} and (${inArray(relations.contactId, contactIds)} or ${inArray(relations.relatedContactId, contactIds)})`,
    )
    .orderBy(relations.createdAt, relations.id);
}
