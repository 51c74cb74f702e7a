import { and, eq, inArray, ne, type SQL, sql } from "drizzle-orm";
import { bankAccounts } from "../../db/schema";
import { bankRowStatements } from "../../dedupe/dedupe.repository";
import { bankAccountKey, hashIdentifier } from "../../dedupe/identifiers";
import type { Db } from "../../env";
import type { Query } from "../../lib/batch";
import { invalid } from "../../lib/errors";
import type { IfMatch } from "../../lib/etag";
import { newRecord } from "../../lib/ids";
import { createdAtRange } from "../../lib/list";
import { allPrefixes, ftsMatch, searchWords } from "../../lib/search";
import type { PiiConfig } from "../../pii/access";
import { last4, looksMasked, normaliseMask } from "../../pii/mask";
import { maskStoredValue, protectValue, revealValue } from "../../pii/protection";
import { immutableContact, linkedContact } from "../children/child-links";
import {
  type ChildKind,
  createChild,
  deleteChild,
  getChild,
  listChildren,
  storeCreatedEntries,
  updateChild,
} from "../children/child-records";
import { recordFields } from "../history/history.changes";
import { historyInsert } from "../history/history.repository";
import { type BankRow, toBank } from "./banks.mappers";
import type { BankCreate, BankListParams, BankUpdate } from "./banks.schemas";

export const bankKind: ChildKind<typeof bankAccounts> = {
  table: bankAccounts,
  subject: "bank",
  label: "Bank account",
  // History shows the number masked (toBank masks by default), never the envelope.
  fields: (row) => recordFields(toBank(row)),
  owners: (row) => [row.contactId],
  ownerColumns: [bankAccounts.contactId],
  links: (row) => [{ path: "contact_id", id: row.contactId }],
  conflict: "This account number and IFSC are already on the contact",
  // A PATCH sets the account columns only for another number (or IFSC): see `changes` below.
  unseenChange: (set) => set.accountHash !== undefined,
  // The dedupe identifier index follows the account number and IFSC in the same batch.
  after: (db, row, written, previous) => bankRowStatements(db, row, previous, written),
  // Setting a primary account clears the contact's other primary in the same batch, with its own
  // history entry (bank_updated, is_primary true -> false) written first, after its created entry.
  before: (db, row, { when, at, userId, historyId }) => {
    if (!row.isPrimary) return [];
    const otherPrimary = and(
      eq(bankAccounts.tenantId, row.tenantId),
      eq(bankAccounts.contactId, row.contactId),
      eq(bankAccounts.isPrimary, true),
      ne(bankAccounts.id, row.id),
      when,
    );
    return [
      ...storeCreatedEntries(db, bankKind, row.tenantId, otherPrimary),
      historyInsert(
        db,
        {
          id: historyId,
          tenantId: row.tenantId,
          contactId: row.contactId,
          actor: userId,
          at,
          action: "bank_updated",
          subject: { type: "bank", id: sql`${bankAccounts.id}` },
          changes: sql`json_object('is_primary', json_array(json('true'), json('false')))`,
        },
        otherPrimary,
        sql`from ${bankAccounts}`,
      ).query,
      db
        .update(bankAccounts)
        .set({
          isPrimary: false,
          version: sql`${bankAccounts.version} + 1`,
          updatedAt: at,
          updatedBy: userId,
          createdEntry: true,
        })
        .where(otherPrimary),
    ];
  },
};

/** The stored form of an account number: its envelope, last four digits and keyed hash (with the IFSC). */
export async function protectedAccount(pii: PiiConfig, tenantId: string, digits: string, ifsc: string) {
  const key = bankAccountKey(digits, ifsc);
  if (!key)
    throw invalid([{ path: "account_number", code: "invalid_format", message: "must be 6 to 18 digits" }]);
  return {
    accountNumber: await protectValue(pii.ring, "bank_account", digits, { tenantId }),
    accountLast4: last4(digits),
    accountHash: await hashIdentifier(key, pii.hmacKey),
  };
}

const maskedNumber = () =>
  invalid([
    {
      path: "account_number",
      code: "invalid_format",
      message: "is masked: send the full number, or the masked value as read",
    },
  ]);

export async function createBank(
  db: Db,
  tenantId: string,
  userId: string,
  input: BankCreate,
  pii: PiiConfig,
) {
  if (looksMasked(input.account_number)) throw maskedNumber();
  const record = newRecord();
  linkedContact(input.contact_id, "contact_id"); // a malformed contact id is refused before the number
  const account = await protectedAccount(pii, tenantId, input.account_number, input.ifsc);
  return createChild(db, bankKind, newBankRow(tenantId, userId, input, account, record));
}

export type ProtectedAccount = Awaited<ReturnType<typeof protectedAccount>>;

/** The row a create stores: the body's fields, the protected account number and the persistence defaults. */
export function newBankRow(
  tenantId: string,
  userId: string,
  input: BankCreate,
  account: ProtectedAccount,
  { id, at } = newRecord(),
): BankRow {
  return {
    id,
    tenantId,
    contactId: linkedContact(input.contact_id, "contact_id"),
    ...account,
    ifsc: input.ifsc,
    accountHolderName: input.account_holder_name,
    bankName: input.bank_name ?? null,
    branchName: input.branch_name ?? null,
    accountType: input.account_type ?? "savings",
    isPrimary: input.is_primary ?? false,
    tags: input.tags ?? [],
    version: 1,
    createdEntry: false,
    createdAt: at,
    createdBy: userId,
    updatedAt: at,
    updatedBy: null,
  };
}

export const getBank = (db: Db, tenantId: string, id: string) => getChild(db, bankKind, tenantId, id);

/** The columns a PATCH sets: only the fields sent. A masked number sent back keeps the stored one. */
async function changes(input: BankUpdate, current: BankRow, pii: PiiConfig): Promise<Partial<BankRow>> {
  immutableContact(input.contact_id, current.contactId);
  const set: Partial<BankRow> = {};
  const sent = input.account_number;
  const keeps = sent !== undefined && looksMasked(sent);
  if (keeps && normaliseMask(sent) !== maskStoredValue("bank_account", current.accountNumber))
    throw maskedNumber();
  const newNumber = sent !== undefined && !keeps;
  const newIfsc = input.ifsc !== undefined && input.ifsc !== current.ifsc;
  if (newNumber || newIfsc) {
    const ctx = { tenantId: current.tenantId };
    const digits = newNumber
      ? sent
      : await revealValue(pii.ring, "bank_account", current.accountNumber, ctx, { clear: true });
    const account = await protectedAccount(pii, current.tenantId, digits, input.ifsc ?? current.ifsc);
    // The same number keeps its envelope: an unchanged PATCH stays a no-op.
    if (account.accountHash !== current.accountHash || current.accountLast4 === null)
      Object.assign(set, account);
  }
  if (input.ifsc !== undefined) set.ifsc = input.ifsc;
  if (input.account_holder_name !== undefined) set.accountHolderName = input.account_holder_name;
  if (input.bank_name !== undefined) set.bankName = input.bank_name;
  if (input.branch_name !== undefined) set.branchName = input.branch_name;
  if (input.account_type !== undefined) set.accountType = input.account_type;
  if (input.is_primary !== undefined) set.isPrimary = input.is_primary;
  if (input.tags !== undefined) set.tags = input.tags;
  return set;
}

export const updateBank = (
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  input: BankUpdate,
  pii: PiiConfig,
  ifMatch?: IfMatch,
) => updateChild(db, bankKind, tenantId, userId, id, (current) => changes(input, current, pii), ifMatch);

export const deleteBank = (db: Db, tenantId: string, userId: string, id: string, ifMatch?: IfMatch) =>
  deleteChild(db, bankKind, tenantId, userId, id, ifMatch);

export function listBanks(db: Db, tenantId: string, params: BankListParams, secret: string) {
  const where: SQL[] = [
    eq(bankAccounts.tenantId, tenantId),
    ...createdAtRange(bankAccounts.createdAt, params, bankAccounts.id),
  ];
  if (params.contact !== undefined) where.push(eq(bankAccounts.contactId, params.contact));
  if (params.ifsc) where.push(eq(bankAccounts.ifsc, params.ifsc.toUpperCase()));
  if (params.account_type) where.push(eq(bankAccounts.accountType, params.account_type));
  for (const tag of params.tags ?? []) {
    where.push(sql`exists (select 1 from json_each(${bankAccounts.tags}) where json_each.value = ${tag})`);
  }
  const words = params.search ? searchWords(params.search) : [];
  if (words.length) {
    // Only the last four digits are stored in clear: a longer run of digits matches on its last four.
    const digits = /^[0-9]{4,18}$/.test(words.join("")) ? words.join("").slice(-4) : null;
    const text = `(${allPrefixes("body", words)})`;
    const match = ftsMatch(tenantId, digits ? `${text} OR digits : "l${digits}"` : text);
    where[0] = sql`+${bankAccounts.tenantId} = ${tenantId}`;
    where.push(
      sql`${bankAccounts}.rowid in (select rowid from bank_accounts_fts where bank_accounts_fts match ${match})`,
    );
  }
  const { page: _p, page_size: _s, cursor: _c, ...filters } = params;
  return listChildren(db, bankKind, tenantId, { where, params, resource: "banks", filters, secret });
}

/** Bank accounts of a set of contacts, for `expand`: one query for the whole page. */
export function banksOf(db: Db, tenantId: string, contactIds: SQL | string[]): Query<BankRow[]> {
  return db
    .select()
    .from(bankAccounts)
    .where(sql`${bankAccounts.tenantId} = ${tenantId} and ${inArray(bankAccounts.contactId, contactIds)}`)
    .orderBy(bankAccounts.id); // id order is creation order (lib/ids newRecord)
}
