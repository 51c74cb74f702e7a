import type { contactHistory } from "../../db/schema";

export type HistoryRow = typeof contactHistory.$inferSelect;

export function toHistoryEntry(row: HistoryRow) {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: { type: row.subjectType ?? ("contact" as const), id: row.subjectId ?? row.contactId },
    changes: row.changes,
    reason: row.reason,
  };
}
