import { and, eq, inArray, ne, type SQL, sql } from "drizzle-orm";
import { bankAccounts, contactHistory } from "../../db/schema";
import { bankRowStatements } from "../../dedupe/dedupe.repository";
import type { Db } from "../../env";
import { auditOf } from "../../lib/fields";
import { newId, parseId } from "../../lib/ids";
import { createdAtRange, type Query } from "../../lib/pagination";
import { allPrefixes, searchWords, tenantToken } from "../../lib/search";
import {
  type ChildKind,
  createChild,
  deleteChild,
  getChild,
  listChildren,
  recordFields,
  updateChild,
} from "../children/child-records";
import type { BankListParams } from "./banks.schemas";

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
    account_type: row.accountType as "savings",
    is_primary: row.isPrimary,
    tags: row.tags,
    ...auditOf(row),
  };
}

const kind: ChildKind<BankRow> = {
  table: bankAccounts,
  history: "bank",
  label: "Bank account",
  fields: (row) => recordFields(toBank(row)),
  owners: (row) => [row.contactId],
  links: (row) => [{ path: "contact_id", id: row.contactId }],
  conflict: "This account number and IFSC are already on the contact",
  // The dedupe identifier index follows the account number and IFSC in the same batch.
  after: (db, row, written, previous) => bankRowStatements(db, row, previous, written),
  // Setting a primary account clears the contact's other primary in the same batch, with its own
  // history entry (bank_updated, is_primary true -> false) written first.
  before: (db, row, { when, at, userId }) => {
    if (!row.isPrimary) return [];
    const otherPrimary = and(
      eq(bankAccounts.tenantId, row.tenantId),
      eq(bankAccounts.contactId, row.contactId),
      eq(bankAccounts.isPrimary, true),
      ne(bankAccounts.id, row.id),
      when,
    );
    return [
      db.insert(contactHistory).select(sql`
        select ${newId()}, ${row.tenantId}, ${row.contactId}, ${at}, ${userId}, 'bank_updated',
          json_object('id', json_array(${bankAccounts.id}, ${bankAccounts.id}), 'is_primary', json_array(json('true'), json('false'))),
          null
        from ${bankAccounts} where ${otherPrimary}`),
      db
        .update(bankAccounts)
        .set({
          isPrimary: false,
          version: sql`${bankAccounts.version} + 1`,
          updatedAt: at,
          updatedBy: userId,
        })
        .where(otherPrimary),
    ];
  },
};

export const createBank = (db: Db, row: BankRow) => createChild(db, kind, row);
export const getBank = (db: Db, tenantId: string, id: string) => getChild(db, kind, tenantId, id);
export const updateBank = (
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  apply: (row: BankRow) => Partial<BankRow>,
) => updateChild(db, kind, tenantId, userId, id, apply);
export const deleteBank = (db: Db, tenantId: string, userId: string, id: string) =>
  deleteChild(db, kind, tenantId, userId, id);

export function listBanks(db: Db, tenantId: string, params: BankListParams, secret: string) {
  const where: SQL[] = [
    eq(bankAccounts.tenantId, tenantId),
    ...createdAtRange(bankAccounts.createdAt, params),
  ];
  if (params.contact !== undefined) where.push(eq(bankAccounts.contactId, parseId(params.contact) ?? ""));
  if (params.ifsc) where.push(eq(bankAccounts.ifsc, params.ifsc.toUpperCase()));
  if (params.account_type) where.push(eq(bankAccounts.accountType, params.account_type));
  for (const tag of params.tags ?? []) {
    where.push(sql`exists (select 1 from json_each(${bankAccounts.tags}) where json_each.value = ${tag})`);
  }
  const words = params.search ? searchWords(params.search) : [];
  if (words.length) {
    const digits = /^[0-9]{4,18}$/.test(words.join("")) ? words.join("") : null;
    const text = `(${allPrefixes("body", words)})`;
    const match = `tenant : "${tenantToken(tenantId)}" AND (${digits ? `${text} OR digits : "l${digits}"` : text})`;
    where[0] = sql`+${bankAccounts.tenantId} = ${tenantId}`;
    where.push(
      sql`${bankAccounts}.rowid in (select rowid from bank_accounts_fts where bank_accounts_fts match ${match})`,
    );
  }
  const { page: _p, page_size: _s, cursor: _c, ...filters } = params;
  return listChildren(db, kind, tenantId, { where, params, resource: "banks", filters, secret });
}

/** Bank accounts of a set of contacts, for `expand`: one query for the whole page. */
export function banksOf(db: Db, tenantId: string, contactIds: SQL | string[]): Query<BankRow[]> {
  return db
    .select()
    .from(bankAccounts)
    .where(sql`${bankAccounts.tenantId} = ${tenantId} and ${inArray(bankAccounts.contactId, contactIds)}`)
    .orderBy(bankAccounts.createdAt, bankAccounts.id);
}
