import type { bankAccounts } from "../../db/schema";
import { auditOf } from "../../lib/fields";

export type BankRow = typeof bankAccounts.$inferSelect;

export function toBank(row: BankRow) {
  return {
    id: row.id,
    contact_id: row.contactId,
    account_number: row.accountNumber,
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
