import type { relations } from "../../db/schema";
import { auditOf } from "../../lib/fields";

export type RelationRow = typeof relations.$inferSelect;

export function toRelation(row: RelationRow) {
  return {
    id: row.id,
    contact: row.contactId,
    type: row.type,
    related_contact: row.relatedContactId,
    tags: row.tags,
    ...auditOf(row),
  };
}
