import type { contactHistory } from "../../db/schema";

export type HistoryRow = typeof contactHistory.$inferSelect;

/** An entry of the contact `contactId`'s history (rows name their contact by its rowid). */
export function toHistoryEntry(row: HistoryRow, contactId: string) {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: { type: row.subjectType ?? ("contact" as const), id: row.subjectId ?? contactId },
    changes: row.changes,
    reason: row.reason,
  };
}
