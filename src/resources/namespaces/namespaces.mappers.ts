import type { namespaces } from "../../db/schema";
import { auditOf } from "../../lib/fields";

export type NamespaceRow = typeof namespaces.$inferSelect;

export function toNamespace(row: NamespaceRow) {
  return {
    id: row.id,
    name: row.name,
    contact_pattern: row.contactPattern,
    contact_counter: row.contactCounter,
    account_pattern: row.accountPattern,
    account_counter: row.accountCounter,
    ...auditOf(row),
  };
}
