import type { bankAccounts } from "../../db/schema";
import { auditOf } from "../../lib/fields";
import type { Viewer } from "../../pii/access";
import { maskStoredValue, revealValue } from "../../pii/protection";

export type BankRow = typeof bankAccounts.$inferSelect;

/** A bank account as the API shows it; `accountNumber` is what the caller may see (masked by default). */
export function toBank(row: BankRow, accountNumber = maskStoredValue("bank_account", row.accountNumber)) {
  return {
    id: row.id,
    contact_id: row.contactId,
    account_number: accountNumber,
    ifsc: row.ifsc,
    account_holder_name: row.accountHolderName,
    bank_name: row.bankName,
    branch_name: row.branchName,
    account_type: row.accountType,
    is_primary: row.isPrimary,
    tags: row.tags,
    ...auditOf(row),
  };
}

/** A bank account for a reader: the number in clear only for `contacts:pii`. */
export async function viewBank(row: BankRow, viewer: Viewer) {
  if (!viewer.clear) return toBank(row);
  const ctx = { tenantId: row.tenantId };
  return toBank(row, await revealValue(viewer.ring, "bank_account", row.accountNumber, ctx, { clear: true }));
}
