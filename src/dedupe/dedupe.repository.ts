import { and, eq, inArray, ne, type SQL, sql } from "drizzle-orm";
import { type ContactWithNamespace, selectContact, withNamespace } from "../db/contact-queries";
import { bankAccounts, contactIdentifiers, contacts } from "../db/schema";
import type { Db } from "../env";
import { batch, type Query } from "../lib/batch";
import { notFound } from "../lib/errors";
import {
  bankAccountKey,
  extractIdentifiers,
  type Identifier,
  type IdentifierKind,
  kindOfPropKey,
} from "./identifiers";
import { nameBlockingKeys, nameSignals } from "./names";
import { type DedupeFeatures, type Reason, scoreMatch } from "./scoring";

/**
 * The identifier index (`contact_identifiers`): one row per normalised identifier of a contact, per
 * name blocking key (kind `name`), and per bank account (kind `bank_account`). Kept in sync in the same
 * batch as every write that changes its source, and read by dedupe's candidate lookup.
 *
 * A GSTIN's embedded PAN is indexed as kind `gstin_pan`: lookups treat it as a PAN (a firm links to its
 * proprietor), while blocking a create on a duplicate PAN does not (a proprietor and the firm are both
 * legitimate records).
 */
export type IndexRow = { kind: string; value: string; field: string };

/** Identity documents: the kinds that block a create in `dedupe=block` mode. */
export const BLOCKING_KINDS: readonly IdentifierKind[] = [
  "pan",
  "gstin",
  "aadhaar",
  "passport",
  "voter_id",
  "driving_licence",
];

/** Index rows of a contact's props and name (bank accounts are indexed by their own writes). */
export async function identifierRows(
  name: string,
  props: { key: string; value: string }[],
  hmacKey: string | undefined,
): Promise<IndexRow[]> {
  // Without IDENTIFIER_HMAC_KEY, Aadhaar numbers are not indexed at all (never stored in clear).
  const usable = hmacKey ? props : props.filter((p) => kindOfPropKey(p.key) !== "aadhaar");
  const identifiers = await extractIdentifiers(usable, [], hmacKey ?? "");
  return [
    ...identifiers.map((id) => ({ ...id, kind: isEmbeddedPan(id) ? "gstin_pan" : id.kind })),
    ...nameBlockingKeys(name, nameSignals(identifiers)).map((value) => ({
      kind: "name",
      value,
      field: "name",
    })),
  ];
}

function isEmbeddedPan(id: Identifier): boolean {
  return id.kind === "pan" && kindOfPropKey(id.field.replace(/^props\./, "")) === "gstin";
}

/** The stored kind back to the scoring kind: an embedded PAN compares as a PAN. */
export function scoringIdentifier(row: IndexRow): Identifier | null {
  if (row.kind === "name") return null;
  return {
    kind: (row.kind === "gstin_pan" ? "pan" : row.kind) as IdentifierKind,
    value: row.value,
    field: row.field,
  };
}

/**
 * Statements that replace a contact's props and name rows, guarded by `when` (true only if the write
 * they belong to applied). The namespace is read from the contact row, so a move carries its rows along.
 */
export function replaceContactRows(
  db: Db,
  tenantId: string,
  contactId: string,
  rows: IndexRow[],
  when: SQL,
): Query<unknown>[] {
  return [
    db
      .delete(contactIdentifiers)
      .where(
        and(
          eq(contactIdentifiers.tenantId, tenantId),
          eq(contactIdentifiers.contactId, contactId),
          ne(contactIdentifiers.kind, "bank_account"),
          when,
        ),
      ),
    insertRows(db, tenantId, contactId, rows, when),
    // Bank rows follow the contact's namespace too.
    db
      .update(contactIdentifiers)
      .set({
        namespaceId: sql`(select ${contacts.namespaceId} from ${contacts} where ${contacts.id} = ${contactId})`,
      })
      .where(
        and(eq(contactIdentifiers.tenantId, tenantId), eq(contactIdentifiers.contactId, contactId), when),
      ),
  ];
}

/** One statement for any number of rows: they travel as one JSON parameter (D1 allows 100 per statement). */
function insertRows(db: Db, tenantId: string, contactId: string, rows: IndexRow[], when: SQL) {
  return db.insert(contactIdentifiers).select(sql`
    select ${tenantId}, ${contacts.namespaceId}, ${contacts.id}, json_extract(j.value, '$.kind'),
           json_extract(j.value, '$.value'), json_extract(j.value, '$.field')
    from ${contacts}, json_each(${JSON.stringify(rows)}) j
    where ${contacts.id} = ${contactId} and ${when}`);
}

/** Index statements for a bank account write: the old account's row out, the new one's in. */
export function bankRowStatements(
  db: Db,
  bank: { tenantId: string; contactId: string; accountNumber: string; ifsc: string } | null,
  previous: { tenantId: string; contactId: string; accountNumber: string; ifsc: string } | null,
  when: SQL,
): Query<unknown>[] {
  const statements: Query<unknown>[] = [];
  const oldKey = previous ? bankAccountKey(previous.accountNumber, previous.ifsc) : null;
  const newKey = bank ? bankAccountKey(bank.accountNumber, bank.ifsc) : null;
  if (oldKey === newKey) return statements;
  if (previous && oldKey) {
    statements.push(
      db
        .delete(contactIdentifiers)
        .where(
          and(
            eq(contactIdentifiers.tenantId, previous.tenantId),
            eq(contactIdentifiers.contactId, previous.contactId),
            eq(contactIdentifiers.kind, "bank_account"),
            eq(contactIdentifiers.value, oldKey),
            when,
          ),
        ),
    );
  }
  if (bank && newKey) {
    statements.push(
      insertRows(
        db,
        bank.tenantId,
        bank.contactId,
        [{ kind: "bank_account", value: newKey, field: "banks.account_number" }],
        when,
      ),
    );
  }
  return statements;
}

/** A contact's bank accounts as the identifier registry reads them. */
export function banksOfContact(db: Db, tenantId: string, contactId: string) {
  return db
    .select({ account_number: bankAccounts.accountNumber, ifsc: bankAccounts.ifsc })
    .from(bankAccounts)
    .where(and(eq(bankAccounts.tenantId, tenantId), eq(bankAccounts.contactId, contactId)));
}

export const MAX_IDENTIFIER_CANDIDATES = 200;
// Name keys of common names ("Rahul Sharma") are shared by thousands in a large tenant: a small cap keeps
// the cost of a lookup bounded; identifier matches have their own, larger cap.
export const MAX_NAME_CANDIDATES = 50;

export type CandidateScope = { tenantId: string; namespaceId?: string | null; excludeId?: string };

/** Lookup pairs for the index: a PAN also finds the PANs embedded in GSTINs, and the reverse. */
function lookupPairs(rows: IndexRow[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const row of rows) {
    if (row.kind === "pan" || row.kind === "gstin_pan")
      pairs.push(["pan", row.value], ["gstin_pan", row.value]);
    else if (row.kind !== "dob") pairs.push([row.kind, row.value]);
  }
  return pairs;
}

/**
 * Candidate contacts for a probe, through the identifier index only (never a scan of the tenant): those
 * sharing an identifier (at most 200) or a name blocking key (at most 50). Returns the candidates'
 * contact rows and index rows, in one round trip.
 */
export async function findCandidates(db: Db, scope: CandidateScope, probe: IndexRow[]) {
  const identifierPairs = lookupPairs(probe.filter((r) => r.kind !== "name"));
  const namePairs = lookupPairs(probe.filter((r) => r.kind === "name"));
  // The pairs drive the loop (CROSS JOIN keeps SQLite from reordering it): one index search on
  // (tenant_id, kind, value) per pair, never a walk over the tenant's index rows.
  const matching = (pairs: [string, string][], limit: number) =>
    sql`select * from (select distinct ci.contact_id from json_each(${JSON.stringify(pairs)}) p
        cross join ${contactIdentifiers} ci
        where ci.tenant_id = ${scope.tenantId} and ci.kind = json_extract(p.value, '$[0]')
          and ci.value = json_extract(p.value, '$[1]')
          ${scope.namespaceId ? sql`and ci.namespace_id = ${scope.namespaceId}` : sql``}
          ${scope.excludeId ? sql`and ci.contact_id <> ${scope.excludeId}` : sql``}
        limit ${limit})`;
  const candidateIds = sql`(${matching(identifierPairs, MAX_IDENTIFIER_CANDIDATES)} union ${matching(namePairs, MAX_NAME_CANDIDATES)})`;
  const [rows, indexRows] = await batch(db, [
    withNamespace(db)
      // `+` keeps the tenant filter off the index: the candidates are looked up by primary key.
      .where(and(sql`+${contacts.tenantId} = ${scope.tenantId}`, inArray(contacts.id, candidateIds))),
    db
      .select({
        contactId: contactIdentifiers.contactId,
        kind: contactIdentifiers.kind,
        value: contactIdentifiers.value,
        field: contactIdentifiers.field,
      })
      .from(contactIdentifiers)
      .where(
        and(
          eq(contactIdentifiers.tenantId, scope.tenantId),
          inArray(contactIdentifiers.contactId, candidateIds),
        ),
      ),
  ]);
  return { contacts: rows, index: indexRows };
}

/**
 * The condition a `dedupe=block` create must meet: no identity document of the probe is indexed in the
 * tenant yet. It is checked inside the insert statement itself, so two concurrent creates with the same
 * PAN cannot both pass (D1 runs each batch as one transaction, one at a time).
 */
export function noDuplicateIdentity(tenantId: string, probe: IndexRow[]): SQL | undefined {
  const pairs = probe
    .filter((r) => BLOCKING_KINDS.some((kind) => kind === r.kind))
    .map((r) => [r.kind, r.value]);
  if (pairs.length === 0) return undefined;
  return sql`not exists (select 1 from json_each(${JSON.stringify(pairs)}) p cross join ${contactIdentifiers} ci
    where ci.tenant_id = ${tenantId} and ci.kind = json_extract(p.value, '$[0]') and ci.value = json_extract(p.value, '$[1]'))`;
}

export type Probe = { name: string | null; type: "individual" | "corporate" | null; rows: IndexRow[] };
export type DuplicateMatch = {
  contact: ContactWithNamespace;
  score: number;
  reasons: Reason[];
};

/** Candidates from the index, scored against the probe; at or above the threshold, best first. */
export async function findDuplicates(
  db: Db,
  scope: CandidateScope,
  probe: Probe,
  options: { limit: number; threshold: number },
): Promise<DuplicateMatch[]> {
  const candidates = await findCandidates(db, scope, probe.rows);
  const features = (name: string | null, type: Probe["type"], rows: IndexRow[]): DedupeFeatures => ({
    name,
    type,
    identifiers: rows.map(scoringIdentifier).filter((id): id is Identifier => id !== null),
  });
  const probeFeatures = features(probe.name, probe.type, probe.rows);
  const byContact = new Map<string, IndexRow[]>();
  for (const row of candidates.index)
    byContact.set(row.contactId, [...(byContact.get(row.contactId) ?? []), row]);
  return candidates.contacts
    .map((row) => {
      const candidate = features(row.contact.name, row.contact.type, byContact.get(row.contact.id) ?? []);
      return { contact: row, ...scoreMatch(probeFeatures, candidate) };
    })
    .filter((m) => m.score >= options.threshold)
    .sort((a, b) => b.score - a.score || a.contact.contact.id.localeCompare(b.contact.contact.id))
    .slice(0, options.limit);
}

/** The probe of a stored contact: its name, type, props and bank accounts, read in one round trip. */
export async function storedContactProbe(db: Db, tenantId: string, id: string, hmacKey?: string) {
  const [rows, banks] = await batch(db, [selectContact(db, tenantId, id), banksOfContact(db, tenantId, id)]);
  const row = rows[0];
  if (!row) throw notFound("Contact");
  const c = row.contact;
  const bankRows = banks
    .map((b) => bankAccountKey(b.account_number, b.ifsc))
    .filter((key): key is string => key !== null)
    .map((value) => ({ kind: "bank_account", value, field: "banks.account_number" }));
  const probe: Probe = {
    name: c.name,
    type: c.type,
    rows: [...(await identifierRows(c.name, c.props, hmacKey)), ...bankRows],
  };
  const scope: { namespaceId: string | null; excludeId?: string } = {
    namespaceId: c.namespaceId,
    excludeId: c.id,
  };
  return { probe, ...scope };
}
