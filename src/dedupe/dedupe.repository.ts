import { and, eq, inArray, notInArray, type Placeholder, type SQL, sql } from "drizzle-orm";
import {
  type ContactWithNamespace,
  contactById,
  contactRowid,
  selectContact,
  withNamespace,
} from "../db/contact-queries";
import { insertSelect } from "../db/insert";
import { contactIdentifiers, contacts } from "../db/schema";
import type { Db } from "../env";
import { batch, type Query } from "../lib/batch";
import { notFound } from "../lib/errors";
import {
  extractIdentifiers,
  type Identifier,
  type IdentifierKind,
  identifierKindOfKey,
  isIdentifierKind,
} from "./identifiers";
import {
  decodeRows,
  hashIn,
  type IndexRow,
  insertedColumns,
  pairColumns,
  pairsJson,
  rowsJson,
  storedFields,
  storedKinds,
  storedValue,
} from "./index-form";
import { nameBlockingKeys, nameSignals } from "./names";
import { classifyPair, type DedupeFeatures, type Reason, type SharedRule } from "./scoring";
import { isSignalKind, PROBED_KIND_CONDITION, type Signal, signalsOf, UNPROBED_KINDS } from "./signals";

/**
 * The identifier index (`contact_identifiers`): one row per normalised identifier of a contact, per
 * name blocking key (kind `name`), and per bank account (kind `bank_account`), keyed by the contact's
 * rowid (src/db/schema.ts). Kept in sync in the same batch as every write that changes its source, and
 * read by dedupe's candidate lookup.
 *
 * A GSTIN's embedded PAN is indexed as kind `gstin_pan`: lookups treat it as a PAN (a firm links to its
 * proprietor), while blocking a create on a duplicate PAN does not (a proprietor and the firm are both
 * legitimate records). The rows are stored in one of two forms (index-form.ts), read alike.
 */
export type { IndexRow };

/** The probe index's condition (PROBED_KIND_CONDITION) on the rows of `contact_identifiers` aliased `ci`. */
const probedKind = sql.raw(`ci.${PROBED_KIND_CONDITION}`);

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
  hmacKey: string,
): Promise<IndexRow[]> {
  // Aadhaar and the protected kinds are indexed by their keyed hash only: the index holds none in clear.
  const identifiers = await extractIdentifiers(props, [], hmacKey, { hashProtected: true });
  // PAN holder types and addresses: compared by scoring, never looked up (signals.ts).
  const signals = await signalsOf(props, hmacKey);
  return [
    ...identifiers.map((id) => ({ ...id, kind: isEmbeddedPan(id) ? "gstin_pan" : id.kind })),
    ...signals,
    ...nameBlockingKeys(name, nameSignals([...identifiers, ...signals])).map((value) => ({
      kind: "name",
      value,
      field: "name",
    })),
  ];
}

function isEmbeddedPan(id: Identifier): boolean {
  return id.kind === "pan" && identifierKindOfKey(id.field.replace(/^props\./, "")) === "gstin";
}

/** The stored kind back to the scoring kind: an embedded PAN compares as a PAN. */
export function scoringIdentifier(row: IndexRow): Identifier | null {
  const kind = row.kind === "gstin_pan" ? "pan" : row.kind;
  if (!isIdentifierKind(kind)) return null; // "name" rows, and any kind this version does not know
  return {
    kind,
    value: row.value,
    field: row.field,
  };
}

/** What scoring reads of a contact: its name, type, and index rows as identifiers and signals. */
export function scoringFeatures(
  name: string | null,
  type: DedupeFeatures["type"],
  rows: readonly IndexRow[],
): DedupeFeatures {
  return {
    name,
    type,
    identifiers: rows.map(scoringIdentifier).filter((id): id is Identifier => id !== null),
    signals: rows.filter((r): r is Signal => isSignalKind(r.kind)),
  };
}

/** A contact's index rows: one range of the primary key. */
export const identifierRowsOf = (tenantId: string, contactId: string) =>
  and(
    eq(contactIdentifiers.tenantId, tenantId),
    eq(contactIdentifiers.contactRowid, contactRowid(tenantId, contactId)),
  );

/**
 * Statements that replace a contact's props and name rows, guarded by `when` (true only if the write
 * they belong to applied). The namespace is read from the contact row, so a move carries its rows along.
 */
export type IndexScope = {
  /** Which rows the write recomputed: the name keys, the identifiers of the props, or both. */
  replace: "name" | "props" | "all";
  /** Fields whose rows stay as they are (an Aadhaar kept from a masked write cannot be recomputed). */
  keep?: string[];
};

export function replaceContactRows(
  db: Db,
  tenantId: string,
  contactId: string,
  rows: IndexRow[],
  when: SQL,
  scope: IndexScope = { replace: "all" },
): Query[] {
  const replaced =
    scope.replace === "name"
      ? inArray(contactIdentifiers.kind, storedKinds(["name"]))
      : scope.replace === "props"
        ? notInArray(contactIdentifiers.kind, storedKinds(["name", "bank_account"]))
        : notInArray(contactIdentifiers.kind, storedKinds(["bank_account"]));
  const keep = scope.keep?.length
    ? notInArray(contactIdentifiers.field, storedFields(scope.keep))
    : undefined;
  const inserted = rows.filter((r) =>
    scope.replace === "name" ? r.kind === "name" : scope.replace === "props" ? r.kind !== "name" : true,
  );
  return [
    db.delete(contactIdentifiers).where(and(identifierRowsOf(tenantId, contactId), replaced, keep, when)),
    insertRows(db, tenantId, contactId, inserted, when),
  ];
}

/**
 * One statement for any number of rows: they travel as one JSON parameter (D1 allows 100 per statement).
 * A (kind, value) the contact already has keeps its row (two props with one mobile number are one row).
 * Placeholders (a statement built once) take the tenant, the contact's id and the rows' JSON text (rowsJson).
 */
export function insertRows(
  db: Db,
  tenantId: string | Placeholder,
  contactId: string | Placeholder,
  rows: IndexRow[] | Placeholder,
  when: SQL,
) {
  return insertSelect(
    db,
    contactIdentifiers,
    { tenantId, contactRowid: sql`${contacts}.rowid`, ...insertedColumns("j.value") },
    sql`from ${contacts}, json_each(${Array.isArray(rows) ? rowsJson(rows) : rows}) j
      where ${contactById(tenantId, contactId)} and ${when}`,
  ).onConflictDoNothing();
}

type IndexedBank = { tenantId: string; contactId: string; accountHash: string | null };

/** Index statements for a bank account write: the old account's row out, the new one's in (by keyed hash). */
export function bankRowStatements(
  db: Db,
  bank: IndexedBank | null,
  previous: IndexedBank | null,
  when: SQL,
): Query[] {
  const statements: Query[] = [];
  const oldKey = previous?.accountHash ?? null;
  const newKey = bank?.accountHash ?? null;
  if (oldKey === newKey) return statements;
  if (previous && oldKey) {
    statements.push(
      db
        .delete(contactIdentifiers)
        .where(
          and(
            identifierRowsOf(previous.tenantId, previous.contactId),
            inArray(contactIdentifiers.kind, storedKinds(["bank_account"])),
            hashIn(contactIdentifiers.value, oldKey),
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

export const MAX_IDENTIFIER_CANDIDATES = 200;
/**
 * Name keys of common names ("Rahul Sharma") are shared by thousands in a large tenant. A lookup reads at
 * most NAME_KEY_ROWS contacts per key (the newest) and keeps the MAX_NAME_CANDIDATES that share the most
 * keys with the probe: the work is bounded at any tenant size, and a contact sharing the date-of-birth or
 * place keys and several name parts outranks one that merely shares a common surname pair.
 */
export const MAX_NAME_CANDIDATES = 20;
export const NAME_KEY_ROWS = 100;

export type CandidateScope = { tenantId: string; namespaceId?: string | null; excludeId?: string };

/** Lookup pairs for the index: a PAN also finds the PANs embedded in GSTINs, and the reverse. */
function lookupPairs(rows: IndexRow[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const row of rows) {
    if (row.kind === "pan" || row.kind === "gstin_pan")
      pairs.push(["pan", row.value], ["gstin_pan", row.value]);
    else if (!UNPROBED_KINDS.some((kind) => kind === row.kind)) pairs.push([row.kind, row.value]);
  }
  return pairs;
}

/**
 * D1 runs at most 5 terms in one compound SELECT (SQLITE_LIMIT_COMPOUND_SELECT): a longer UNION ALL is
 * nested in groups of up to 5, each a subquery, whose own terms count apart. A long name with a date of
 * birth has a dozen name keys.
 */
const COMPOUND_TERMS = 5;
function unionAllNested(parts: SQL[]): SQL {
  if (parts.length <= COMPOUND_TERMS) return sql.join(parts, sql` union all `);
  const groups: SQL[] = [];
  for (let i = 0; i < parts.length; i += COMPOUND_TERMS)
    groups.push(sql`select * from (${sql.join(parts.slice(i, i + COMPOUND_TERMS), sql` union all `)})`);
  return unionAllNested(groups);
}

/**
 * Contacts sharing the probe's name keys, most keys shared first (then newest): at most NAME_KEY_ROWS per
 * key, each an index range on (tenant_id, kind, value) read backwards, and MAX_NAME_CANDIDATES in all.
 * The keys travel as one JSON parameter (D1 binds at most 100 per statement), one branch per key.
 */
function rankedByName(scope: CandidateScope, pairs: [string, string][]): SQL {
  if (pairs.length === 0) return sql`select null where 0`;
  const inScope = sql`${scope.namespaceId ? sql`and exists (select 1 from ${contacts} c where c.rowid = ci.contact_id and c.namespace_id = (select n from k limit 1))` : sql``}
    ${scope.excludeId ? sql`and ci.contact_id is not (select x from k limit 1)` : sql``}`;
  // Each key's values as scalar subqueries of the JSON: constants to the planner, so the branch is one
  // backwards range on the primary key, stopped after NAME_KEY_ROWS rows (a join would sort every row).
  const perKey = pairs.map((_, i) => {
    const at = sql.raw(String(i));
    return sql`select * from (select ci.contact_id from ${contactIdentifiers} ci
      where ci.tenant_id = (select t from k limit 1) and ci.kind = (select kind from k where i = ${at})
        and ci.value = (select value from k where i = ${at}) and ${probedKind} ${inScope}
      order by ci.contact_id desc limit ${sql.raw(String(NAME_KEY_ROWS))})`;
  });
  const excluded = scope.excludeId ? contactRowid(scope.tenantId, scope.excludeId) : sql`null`;
  // Each pair comes in both forms (pairsJson, two elements): the stored form's element is key i.
  const pair = pairColumns(sql`value`);
  return sql`select contact_id from (with k(i, kind, value, t, x, n) as (
      select key / 2, ${pair.kind}, ${pair.value}, ${scope.tenantId}, ${excluded}, ${scope.namespaceId ?? null}
      from json_each(${pairsJson(pairs)}) where ${pair.current})
    select contact_id, count(*) as shared from (${unionAllNested(perKey)})
    group by contact_id order by shared desc, contact_id desc limit ${MAX_NAME_CANDIDATES})`;
}

/** What scoring reads of a candidate: no props, tags or audit columns (the full row is read for the top matches only). */
export type CandidateRow = {
  id: string;
  name: string;
  type: "individual" | "corporate";
  namespaceId: string;
};

/**
 * Candidate contacts for a probe, through the identifier index only (never a scan of the tenant): those
 * sharing an identifier (at most 200) or name blocking keys (the 20 sharing the most, rankedByName). Returns the candidates' light
 * rows (what scoring reads) and index rows, in one round trip.
 */
export async function findCandidates(db: Db, scope: CandidateScope, probe: IndexRow[]) {
  const identifierPairs = lookupPairs(probe.filter((r) => r.kind !== "name"));
  const namePairs = lookupPairs(probe.filter((r) => r.kind === "name"));
  // The pairs drive the loop (CROSS JOIN keeps SQLite from reordering it): one index search on
  // (tenant_id, kind, value) per pair, never a walk over the tenant's index rows.
  const pair = pairColumns(sql`p.value`);
  const matching = (pairs: [string, string][], limit: number) =>
    sql`select * from (select distinct ci.contact_id from json_each(${pairsJson(pairs)}) p
        cross join ${contactIdentifiers} ci
        where ${pair.current} and ci.tenant_id = ${scope.tenantId} and ci.kind = ${pair.kind}
          and ci.value = ${pair.value} and ${probedKind}
          ${scope.namespaceId ? sql`and exists (select 1 from ${contacts} c where c.rowid = ci.contact_id and c.namespace_id = ${scope.namespaceId})` : sql``}
          ${scope.excludeId ? sql`and ci.contact_id is not ${contactRowid(scope.tenantId, scope.excludeId)}` : sql``}
        limit ${limit})`;
  const candidates = sql`(${matching(identifierPairs, MAX_IDENTIFIER_CANDIDATES)} union ${rankedByName(scope, namePairs)})`;
  const [rows, indexRows] = await batch(db, [
    db
      .select({
        id: contacts.id,
        name: contacts.name,
        type: contacts.type,
        namespaceId: contacts.namespaceId,
      })
      .from(contacts)
      // `+` keeps the tenant filter off the index: the candidates are looked up by rowid.
      .where(and(sql`+${contacts.tenantId} = ${scope.tenantId}`, sql`${contacts}.rowid in ${candidates}`)),
    db
      .select({
        contactId: contacts.id,
        kind: contactIdentifiers.kind,
        value: storedValue(contactIdentifiers.value),
        field: contactIdentifiers.field,
      })
      .from(contactIdentifiers)
      .innerJoin(contacts, sql`${contacts}.rowid = ${contactIdentifiers.contactRowid}`)
      .where(
        and(
          eq(contactIdentifiers.tenantId, scope.tenantId),
          sql`${contactIdentifiers.contactRowid} in ${candidates}`,
          // Name keys only find candidates: scoring compares the names themselves (a third of the rows).
          notInArray(contactIdentifiers.kind, storedKinds(["name"])),
        ),
      ),
  ]);
  return {
    contacts: rows,
    index: decodeRows(indexRows),
  };
}

/** The full rows (with namespace names) of the contacts a dedupe answers with, in one round trip. */
async function fullContacts(
  db: Db,
  tenantId: string,
  ids: string[],
): Promise<Map<string, ContactWithNamespace>> {
  if (ids.length === 0) return new Map();
  const rows = await withNamespace(db).where(
    // By key, (tenant_id, id): the only index on a contact's id (migrations/0018).
    and(eq(contacts.tenantId, tenantId), inArray(contacts.id, ids)),
  );
  return new Map(rows.map((row) => [row.contact.id, row]));
}

/**
 * What a `dedupe=block` create checks: the probe's identity documents, as the JSON of their [kind, value]
 * pairs (pairsJson; none: nothing to block on). The check (noDuplicateIdentity) runs inside the insert statement
 * itself, so two concurrent creates with the same PAN cannot both pass (D1 runs each batch as one
 * transaction, one at a time).
 */
export function blockingPairs(probe: IndexRow[]): string | undefined {
  const pairs = probe
    .filter((r) => BLOCKING_KINDS.some((kind) => kind === r.kind))
    .map((r): [string, string] => [r.kind, r.value]);
  return pairs.length === 0 ? undefined : pairsJson(pairs);
}

/** True when no contact of the tenant has one of `pairs` (blockingPairs' JSON) in its index. */
export const noDuplicateIdentity = (tenantId: string | Placeholder, pairs: string | Placeholder) => {
  const pair = pairColumns(sql`p.value`);
  return sql`not exists (select 1 from json_each(${pairs}) p cross join ${contactIdentifiers} ci
    where ${pair.current} and ci.tenant_id = ${tenantId} and ci.kind = ${pair.kind} and ci.value = ${pair.value}
      and ${probedKind})`;
};

export type Probe = { name: string | null; type: "individual" | "corporate" | null; rows: IndexRow[] };
export type DuplicateMatch = {
  contact: ContactWithNamespace;
  score: number;
  reasons: Reason[];
};

/** Candidates from the index, scored against the probe; at or above the threshold, best first. */
export type LinkMatch = { contact: ContactWithNamespace; shared: SharedRule[] };

/**
 * Candidates from the index, classified against the probe: duplicates at or above the threshold (best
 * first) and links (a shared contact point with a party judged different, newest first), at most
 * `limit` of each. Scored on light rows; only the kept ones are read in full.
 */
export async function findMatches(
  db: Db,
  scope: CandidateScope,
  probe: Probe,
  options: { limit: number; threshold: number },
): Promise<{ results: DuplicateMatch[]; links: LinkMatch[] }> {
  const candidates = await findCandidates(db, scope, probe.rows);
  const features = (name: string | null, type: Probe["type"], rows: IndexRow[]): DedupeFeatures =>
    scoringFeatures(name, type, rows);
  const probeFeatures = features(probe.name, probe.type, probe.rows);
  const byContact = new Map<string, IndexRow[]>();
  for (const row of candidates.index)
    byContact.set(row.contactId, [...(byContact.get(row.contactId) ?? []), row]);
  const classified = candidates.contacts.map((row) => ({
    id: row.id,
    ...classifyPair(
      probeFeatures,
      features(row.name, row.type, byContact.get(row.id) ?? []),
      options.threshold,
    ),
  }));
  const top = classified
    .filter((m) => m.kind === "duplicate")
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
    .slice(0, options.limit);
  // ULIDs sort by creation time: newest first.
  const linked = classified
    .filter((m) => m.kind === "link")
    .sort((a, b) => b.id.localeCompare(a.id))
    .slice(0, options.limit);
  const full = await fullContacts(
    db,
    scope.tenantId,
    [...top, ...linked].map((m) => m.id),
  );
  // A contact deleted between the two reads is left out.
  return {
    results: top.flatMap(({ id, score, reasons }) => {
      const contact = full.get(id);
      return contact ? [{ contact, score, reasons }] : [];
    }),
    links: linked.flatMap(({ id, shared }) => {
      const contact = full.get(id);
      return contact ? [{ contact, shared }] : [];
    }),
  };
}

/** The duplicates alone (a dedupe=block refusal explains itself with these). */
export async function findDuplicates(
  db: Db,
  scope: CandidateScope,
  probe: Probe,
  options: { limit: number; threshold: number },
): Promise<DuplicateMatch[]> {
  return (await findMatches(db, scope, probe, options)).results;
}

/** The probe of a stored contact: its name, type and index rows (already hashed), read in one round trip. */
export async function storedContactProbe(db: Db, tenantId: string, id: string) {
  const [rows, indexRows] = await batch(db, [
    selectContact(db, tenantId, id),
    db
      .select({
        kind: contactIdentifiers.kind,
        value: storedValue(contactIdentifiers.value),
        field: contactIdentifiers.field,
      })
      .from(contactIdentifiers)
      .where(identifierRowsOf(tenantId, id)),
  ]);
  const row = rows[0];
  if (!row) throw notFound("Contact");
  const c = row.contact;
  const probe: Probe = { name: c.name, type: c.type, rows: decodeRows(indexRows) };
  const scope: { namespaceId: string | null; excludeId?: string } = {
    namespaceId: c.namespaceId,
    excludeId: c.id,
  };
  return { probe, ...scope };
}
