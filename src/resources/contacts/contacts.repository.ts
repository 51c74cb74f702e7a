import { and, count, eq, getTableColumns, isNull, or, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import {
  type ContactRow,
  type ContactWithNamespace,
  contactById,
  selectContact,
  withNamespace,
} from "../../db/contact-queries";
import { encodedLater, insertSelect } from "../../db/insert";
import {
  addresses,
  bankAccounts,
  contactCounts,
  contactIdentifiers,
  contacts,
  namespaces,
  relations,
  type StoredProp,
} from "../../db/schema";
import {
  blockingPairs,
  type IndexRow,
  identifierRows,
  identifierRowsOf,
  insertRows,
  noDuplicateIdentity,
  type Probe,
  replaceContactRows,
} from "../../dedupe/dedupe.repository";
import { validateIdentifierProps } from "../../dedupe/identifiers";
import { rowsJson } from "../../dedupe/index-form";
import type { Db } from "../../env";
import { batch, builtOnce, last, type Query } from "../../lib/batch";
import type { CursorScope } from "../../lib/cursor";
import { ApiError, invalid, isUniqueViolation, notFound } from "../../lib/errors";
import { checkIfMatch, type IfMatch, preconditionFailed, versionIn } from "../../lib/etag";
import { sortedKeys } from "../../lib/fields";
import { newId, newRecord } from "../../lib/ids";
import { createdAtRange, listPage, type SortSpec, sortSpec, sortValue } from "../../lib/list";
import { allPrefixes, ftsMatch, searchWords } from "../../lib/search";
import { nowIso } from "../../lib/time";
import type { PiiConfig } from "../../pii/access";
import {
  indexableProps,
  type MergedProp,
  maskProps,
  mergeMaskedWrites,
  protectProps,
} from "../../pii/protection";
import type { AddressRow } from "../addresses/addresses.mappers";
import { addressesOf, addressKind } from "../addresses/addresses.repository";
import type { BankRow } from "../banks/banks.mappers";
import { bankKind, banksOf } from "../banks/banks.repository";
import { storeCreatedEntries } from "../children/child-records";
import { type Changes, diff, shownChanges } from "../history/history.changes";
import {
  type HistoryEntry,
  historyInsert,
  historyWritten,
  redactHistory,
} from "../history/history.repository";
import { eitherSide } from "../relations/relation-sides";
import type { RelationRow } from "../relations/relations.mappers";
import { otherSidesDeleted, relationKind, relationsOf } from "../relations/relations.repository";
import { contactFields, type Expanded } from "./contacts.mappers";
import {
  type ContactCreate,
  type ContactListParams,
  type ContactUpdate,
  MAX_PROPS,
  type PropInput,
} from "./contacts.schemas";
import { renumberedAadhaar } from "./renumbered-aadhaar";

export async function getContact(db: Db, tenantId: string, id: string): Promise<ContactWithNamespace> {
  const [row] = await selectContact(db, tenantId, id);
  if (!row) throw notFound("Contact");
  return row;
}

/**
 * The stored form of props being written over `stored` (the contact's props before the write): masked
 * values sent back keep what they mask, identifiers are validated (400 on `props.<i>.value`) and
 * protected (Aadhaar masked, protected kinds encrypted). `merged` keeps the clear values, which live
 * only in this request, for the identifier index (indexOfMerged), computed only when the props change.
 */
async function storeProps(
  pii: PiiConfig,
  tenantId: string,
  incoming: PropInput[],
  stored: StoredProp[],
  path = "props",
) {
  const merged = mergeMaskedWrites(incoming, stored);
  const errors = validateIdentifierProps(merged, path);
  if (errors.length) throw invalid(errors);
  const props = await protectProps(pii.ring, merged, { tenantId }, stored);
  return { props, merged };
}

/** Index rows of a whole set of props, some clear (just written) and some kept as stored. */
export async function indexOfMerged(
  pii: PiiConfig,
  tenantId: string,
  name: string,
  merged: MergedProp<StoredProp>[],
) {
  const indexable = await indexableProps(pii.ring, merged, { tenantId });
  const index = await identifierRows(name, indexable.props, pii.hmacKey);
  return { index, keep: indexable.keptAadhaar.map((key) => `props.${key}`) };
}

/** What a create stores of a contact's props: the stored props and the identifier index rows. */
export async function storedNewContact(pii: PiiConfig, tenantId: string, input: ContactCreate) {
  const { props, merged } = await storeProps(pii, tenantId, input.props, []);
  const { index } = await indexOfMerged(pii, tenantId, input.name, merged);
  return { props, index };
}

/** Stored props carried over unchanged by a write of other keys. */
export const keptAsStored = (props: StoredProp[]): MergedProp<StoredProp>[] =>
  props.map((p) => ({ ...p, kept: true }));

/** Props are a set keyed by `key` (API.md): the same props in another order are no change. */
const byKey = (props: StoredProp[]) => JSON.stringify(props.toSorted((x, y) => (x.key < y.key ? -1 : 1)));
const sameProps = (a: StoredProp[], b: StoredProp[]) => byKey(a) === byKey(b);

type ExpandKind = "addresses" | "banks" | "relations";
type ExpandRow = AddressRow | BankRow | RelationRow;
const EXPANSIONS = { addresses: addressesOf, banks: banksOf, relations: relationsOf } as const;
const EXPAND_KINDS: readonly ExpandKind[] = ["addresses", "banks", "relations"];

/** One query per expanded kind for a whole set of contacts (ids or a subquery): no N+1. */
function expansionQueries(db: Db, tenantId: string, expand: ReadonlySet<string>, contactIds: SQL | string[]) {
  const kinds = EXPAND_KINDS.filter((k) => expand.has(k));
  const queries: Query<ExpandRow[]>[] = kinds.map((k) => EXPANSIONS[k](db, tenantId, contactIds));
  return { kinds, queries };
}

/** Groups expanded rows under each contact: relations appear under both of their contacts. */
function attach(
  kinds: readonly ExpandKind[],
  results: readonly (readonly ExpandRow[])[],
  contactId: string,
): Expanded {
  const expanded: Expanded = {};
  kinds.forEach((kind, i) => {
    // Each result is the rows of the kind at the same position (expansionQueries builds them in order).
    const rows = (results[i] ?? []).filter(
      (r) => r.contactId === contactId || ("relatedContactId" in r && r.relatedContactId === contactId),
    );
    if (kind === "addresses") expanded.addresses = rows.filter((r): r is AddressRow => "addressLine" in r);
    else if (kind === "banks") expanded.banks = rows.filter((r): r is BankRow => "accountNumber" in r);
    else expanded.relations = rows.filter((r): r is RelationRow => "relatedContactId" in r);
  });
  return expanded;
}

export async function getContactExpanded(db: Db, tenantId: string, id: string, expand: ReadonlySet<string>) {
  const { kinds, queries } = expansionQueries(db, tenantId, expand, [id]);
  const [rows, ...related] = await batch(db, [selectContact(db, tenantId, id), ...queries]);
  const row = rows[0];
  if (!row) throw notFound("Contact");
  return { row, expanded: attach(kinds, related, id) };
}

const unknownNamespace = () =>
  invalid([{ path: "namespace", code: "unknown_namespace", message: "is not a namespace of this tenant" }]);
export const erased = () =>
  new ApiError("contact_erased", "The contact was erased: it can no longer change or gain records");
const refIdTaken = () => new ApiError("conflict", "This ref_id is already used in the namespace");

/**
 * The ref_id a namespace's pattern gives its current counter, rendered by SQLite in the statement that
 * inserts the contact: date placeholders first (from `at`, the contact's ISO 8601 UTC creation time),
 * then {seq} -> %d and {seq:N} -> %0Nd for printf().
 */
function generatedRefId(at: Placeholder): SQL {
  const dated = sql`replace(replace(replace(replace(${namespaces.contactPattern}, '{yyyy}', substr(${at}, 1, 4)), '{yy}', substr(${at}, 3, 2)), '{mm}', substr(${at}, 6, 2)), '{dd}', substr(${at}, 9, 2))`;
  return sql`case when ${namespaces.contactPattern} is null then null else printf(replace(replace(replace(${dated}, '{seq}', '%d'), '{seq:', '%0'), '}', 'd'), ${namespaces.contactCounter}) end`;
}

/** The tenant's namespace of that name (case-insensitive, as the unique index on lower(name)). */
const namespaceMatch = (tenantId: string | Placeholder, name: string | Placeholder) =>
  and(eq(namespaces.tenantId, tenantId), sql`lower(${namespaces.name}) = lower(${name})`);

/**
 * The largest contact_counter (API.md: 1 … 2^53−1, what a JSON number holds exactly). The counter is the
 * next value to use, so a generated ref_id may use it only while it is below this: the increment that
 * follows must leave it in range. An SQL literal, so SQLite compares integers.
 */
const MAX_COUNTER = sql.raw(String(Number.MAX_SAFE_INTEGER));
/** The namespace's pattern can give one more ref_id (always, without a pattern: no counter is used). */
const counterLeft = sql`(${namespaces.contactPattern} is null or ${namespaces.contactCounter} < ${MAX_COUNTER})`;

/**
 * The id of the tenant's namespace of that name (none: no such namespace), and whether its counter is
 * exhausted (counterLeft false: a generated ref_id cannot be given).
 */
const namespaceIdOf = builtOnce<{ tenantId: string; name: string }, { id: string; exhausted: boolean }[]>(
  (db) =>
    db
      .select({ id: namespaces.id, exhausted: sql<boolean>`not ${counterLeft}`.mapWith(Boolean) })
      .from(namespaces)
      .where(namespaceMatch(sql.placeholder("tenantId"), sql.placeholder("name"))),
);

const counterExhausted = () =>
  new ApiError(
    "conflict",
    "The namespace's contact_counter is exhausted (2^53-1 is its largest value): send a ref_id, or use another namespace",
  );

/** A contact to create, with its stored props and identifier rows already computed. */
export type NewContact = {
  id: string;
  /** Its creation time: the id's own (newRecord). */
  at: string;
  tenantId: string;
  userId: string;
  /** Namespace name, matched case-insensitively. */
  namespace: string;
  /** The client's ref_id; null: generated from the namespace's pattern and counter. */
  refId: string | null;
  name: string;
  type: ContactRow["type"];
  status: ContactRow["status"];
  tags: string[];
  refs: Record<string, unknown> | null;
  props: StoredProp[];
  rmId: string | null;
  branchId: string | null;
  /** Identifier index rows (identifierRows). */
  index: IndexRow[];
};

/** What a create's statements bind: the contact, its index rows' JSON, what blocks it. */
type CreateValues = Omit<NewContact, "index"> & {
  index: string;
  blockPairs: string | null;
};

const slot = sql.placeholder;
/**
 * A contact's history entry as a statement built once binds it: its id, tenant, contact, actor and time
 * from the values `historyId`, `tenantId`, `id`, `userId` and `at`.
 */
const boundEntry = (
  action: HistoryEntry["action"],
  changes: SQL,
  reason?: HistoryEntry["reason"],
): HistoryEntry => ({
  id: slot("historyId"),
  tenantId: slot("tenantId"),
  contactId: slot("id"),
  actor: slot("userId"),
  at: slot("at"),
  action,
  changes,
  reason,
});
/** True in later statements of a create's batch once the contact row exists. */
const insertedContact = sql`exists (select 1 from ${contacts} where ${contactById(slot("tenantId"), slot("id"))})`;
const namespaceOfCreate = namespaceMatch(slot("tenantId"), slot("namespace"));

/** The contact row: its namespace and generated ref_id read by the insert itself. One per variant. */
const contactInsert = (generatedRef: boolean, blocking: boolean) =>
  builtOnce<CreateValues, D1Result>((db) =>
    insertSelect(
      db,
      contacts,
      {
        id: slot("id"),
        tenantId: slot("tenantId"),
        namespaceId: sql`${namespaces.id}`,
        refId: generatedRef ? generatedRefId(slot("at")) : slot("refId"),
        name: slot("name"),
        type: slot("type"),
        status: slot("status"),
        approvalStatus: "pending",
        tags: slot("tags"),
        refs: slot("refs"),
        props: slot("props"),
        rmId: slot("rmId"),
        branchId: slot("branchId"),
        version: 1,
        // Its `created` history entry is read from the row (schema.ts, createdEntry).
        createdEntry: false,
        createdAt: slot("at"),
        createdBy: slot("userId"),
        updatedAt: slot("at"),
        updatedBy: null,
      },
      // A generated ref_id needs a counter value the increment below leaves in range.
      sql`from ${namespaces} where ${namespaceOfCreate}${generatedRef ? sql` and ${counterLeft}` : sql``}${
        blocking ? sql` and ${noDuplicateIdentity(slot("tenantId"), slot("blockPairs"))}` : sql``
      }`,
    ),
  );
/** By [ref_id generated][blocked on identity documents]. */
const contactInserts = [
  [contactInsert(false, false), contactInsert(false, true)],
  [contactInsert(true, false), contactInsert(true, true)],
] as const;

/**
 * The counter is part of the namespace's representation, so advancing it is a new version (a new ETag);
 * updated_at / updated_by stay: they tell the last change made to the namespace itself (create, PATCH).
 */
const counterAdvance = {
  contactCounter: sql`${namespaces.contactCounter} + 1`,
  version: sql`${namespaces.version} + 1`,
};

const counterIncrement = builtOnce<CreateValues, D1Result>((db) =>
  db
    .update(namespaces)
    .set(counterAdvance)
    .where(and(namespaceOfCreate, sql`${namespaces.contactPattern} is not null`, insertedContact)),
);

/** A new contact has no index rows to replace: its rows are only inserted. */
const indexInsert = builtOnce<CreateValues, D1Result>((db) =>
  insertRows(db, slot("tenantId"), slot("id"), slot("index"), insertedContact),
);

/**
 * The statements that create a contact, in batch order: the contact (namespace and generated ref_id read
 * by the insert itself), the counter increment when the ref_id was generated and the identifier index
 * rows, all guarded by the insert having happened (the `created` history entry is read from the row).
 * `blockPairs` (blockingPairs) stops the insert when one of those identity documents is indexed. Each
 * statement's SQL is built once.
 */
export function contactCreateStatements(db: Db, c: NewContact, blockPairs?: string) {
  const values: CreateValues = {
    ...c,
    index: rowsJson(c.index),
    blockPairs: blockPairs ?? null,
  };
  const generated = c.refId === null;
  const variants = generated ? contactInserts[1] : contactInserts[0];
  const insert = blockPairs === undefined ? variants[0] : variants[1];
  return [insert(db, values), ...(generated ? [counterIncrement(db, values)] : []), indexInsert(db, values)];
}

export type CreateOptions = {
  /** `dedupe=block`: create nothing when an identity document of the contact is already indexed. */
  block?: boolean;
};

/**
 * Creates a contact in one D1 batch: the contact (ref_id rendered from the namespace counter in SQL),
 * the counter increment, the history row and any extra statements. D1 runs a batch as one transaction,
 * so concurrent creates get distinct, consecutive ref_ids.
 */
export async function createContact(
  db: Db,
  tenantId: string,
  userId: string,
  input: ContactCreate,
  pii: PiiConfig,
  options: CreateOptions = {},
): Promise<ContactWithNamespace | { blocked: true; probe: Probe }> {
  const clientRefId = input.ref_id ?? null;
  const { props, index: indexRows } = await storedNewContact(pii, tenantId, input);
  const blockPairs = options.block ? blockingPairs(indexRows) : undefined;
  const nsMatch = namespaceMatch(tenantId, input.namespace);
  for (let attempt = 0; ; attempt++) {
    const { id, at } = newRecord();
    const contact: NewContact = {
      id,
      at,
      tenantId,
      userId,
      namespace: input.namespace,
      refId: clientRefId,
      name: input.name,
      type: input.type,
      status: input.status,
      tags: input.tags ?? [],
      refs: sortedKeys(input.refs ?? null),
      props,
      rmId: input.rm_id ?? null,
      branchId: input.branch_id ?? null,
      index: indexRows,
    };
    try {
      // The namespace is read first: when nothing was inserted, it tells an unknown namespace from a block.
      const [namespaceRows, ...rest] = await batch(db, [
        namespaceIdOf(db, { tenantId, name: input.namespace }),
        ...contactCreateStatements(db, contact, blockPairs),
        selectContact(db, tenantId, id),
      ]);
      const [row] = last(rest);
      if (row) return row;
      const [namespace] = namespaceRows;
      if (!namespace) throw unknownNamespace();
      if (clientRefId === null && namespace.exhausted) throw counterExhausted();
      return { blocked: true, probe: { name: input.name, type: input.type, rows: indexRows } };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (clientRefId !== null || attempt >= 5) throw refIdTaken();
      // A generated ref_id collided with one a client chose: that counter value is used, move past it.
      // Never past the range: at its last value the next attempt answers counterExhausted.
      await db.update(namespaces).set(counterAdvance).where(and(nsMatch, counterLeft));
    }
  }
}

export async function listContacts(db: Db, tenantId: string, params: ContactListParams, secret: string) {
  const where: SQL[] = [
    eq(contacts.tenantId, tenantId),
    ...createdAtRange(contacts.createdAt, params, contacts.id),
  ];
  if (params.status) where.push(eq(contacts.status, params.status));
  if (params.type) where.push(eq(contacts.type, params.type));
  if (params.approval_status) where.push(eq(contacts.approvalStatus, params.approval_status));
  if (params.rm_id) where.push(eq(contacts.rmId, params.rm_id));
  if (params.branch_id) where.push(eq(contacts.branchId, params.branch_id));
  if (params.namespace) {
    // `=` (not `in`) lets SQLite use the (tenant_id, namespace_id, id) index for the page.
    where.push(
      sql`${contacts.namespaceId} = (select ${namespaces.id} from ${namespaces} where ${namespaces.tenantId} = ${tenantId} and lower(${namespaces.name}) = lower(${params.namespace}))`,
    );
  }
  for (const tag of params.tags ?? []) {
    where.push(sql`exists (select 1 from json_each(${contacts.tags}) where json_each.value = ${tag})`);
  }
  let searched: SQL | null = null;
  if (params.search) {
    const match = searchMatch(tenantId, params.search);
    if (match) {
      searched = match;
      // Drive the query from the FTS matches (the tenant's, see ftsMatch), joined by rowid: the unary `+`
      // keeps SQLite from walking the tenant's whole index and probing every row against the matches.
      where[0] = sql`+${contacts.tenantId} = ${tenantId}`;
      where.push(sql`contacts_fts match ${match}`);
    }
  }
  // Every query of a search joins the FTS table (joined rather than `rowid in (matches)`, which
  // collects every match before the first row of the page).
  const fromSearch = <Q extends { innerJoin: (table: SQL, on: SQL) => unknown }>(query: Q): Q => {
    if (searched) query.innerJoin(sql`contacts_fts`, sql`contacts_fts.rowid = ${contacts}.rowid`);
    return query;
  };
  // A search without `ordering` comes newest first by insertion order: the FTS rowid, which is the
  // contact's. FTS5 walks the matches' rowids backwards, so the page reads only its own rows (and a
  // cursor's bound is a rowid range of the FTS walk) instead of sorting every match by created_at; its
  // cursors are rowid keysets ("-rowid").
  const byRowid = searched !== null && !params.ordering;
  const sort: SortSpec = byRowid
    ? { column: ftsRowid, direction: "desc", key: "-rowid", unique: true }
    : sortSpec(
        params.ordering,
        { name: contacts.name, created_at: contacts.createdAt, updated_at: contacts.updatedAt },
        contacts.id,
      );
  const { page: _p, page_size: _s, cursor: _c, expand: _e, ...filters } = params;
  const cursorScope: CursorScope = { secret, tenantId, resource: "contacts", filters };
  const result = await listPage<ContactWithNamespace, Query<ExpandRow[]>[]>({
    db,
    where,
    sort,
    id: contacts.id,
    params,
    cursorScope,
    rows: (window) =>
      fromSearch((byRowid ? withNamespaceAndRowid(db) : withNamespace(db)).$dynamic())
        .where(window.where)
        .orderBy(...window.order)
        .limit(window.limit)
        .offset(window.offset),
    count: (condition) =>
      countsServe(params)
        ? groupedCount(db, tenantId, params)
        : searched !== null && searchOnly(params)
          ? ftsCount(db, searched)
          : fromSearch(db.select({ n: count() }).from(contacts).$dynamic()).where(condition),
    position: (row) => {
      const { contact } = row;
      if (byRowid && "rowid" in row && typeof row.rowid === "number") return [row.rowid, contact.id];
      return [sortValue(sort, contact), contact.id];
    },
    related: (window) => {
      const pageIds = fromSearch(db.select({ id: contacts.id }).from(contacts).$dynamic())
        .where(window.where)
        .orderBy(...window.order)
        .limit(window.limit)
        .offset(window.offset)
        .getSQL();
      return expansionQueries(db, tenantId, params.expand ?? new Set(), sql`(${pageIds})`).queries;
    },
  });
  const { kinds } = expansionQueries(db, tenantId, params.expand ?? new Set(), []);
  return { ...result, expandedOf: (id: string) => attach(kinds, result.related, id) };
}

/** A search's position in insertion order: the FTS row's rowid (the contact's), walked by FTS5. */
const ftsRowid = sql<number>`contacts_fts.rowid`;

/** withNamespace plus the contact's rowid: the position of a row in a search's insertion order. */
const withNamespaceAndRowid = (db: Db) =>
  db
    .select({
      contact: contacts,
      namespace: sql<string>`${namespaces.name}`.as("namespace_name"),
      rowid: sql<number>`${contacts}.rowid`.as("contact_rowid"),
    })
    .from(contacts)
    .innerJoin(namespaces, eq(namespaces.id, contacts.namespaceId));

/** Whether `search` is a list's only filter (the FTS row of a contact carries its tenant's token). */
function searchOnly(params: ContactListParams): boolean {
  return (
    !params.status &&
    !params.type &&
    !params.approval_status &&
    !params.namespace &&
    !params.tags &&
    !params.rm_id &&
    !params.branch_id &&
    !params.created_at_after &&
    !params.created_at_before
  );
}

/**
 * The exact count of a search with no other filter, from the FTS index alone: it holds one row per
 * contact (kept by triggers in the same transaction) and the match is the tenant's (ftsMatch), so the
 * contacts' rows need not be read (at 100k contacts a broad prefix counts about 5x faster).
 */
function ftsCount(db: Db, match: SQL) {
  return db
    .select({ n: sql<number>`count(*)` })
    .from(sql`contacts_fts`)
    .where(sql`contacts_fts match ${match}`);
}

/** Whether a list's count can come from contact_counts: only filters the table groups by. */
function countsServe(params: ContactListParams): boolean {
  return (
    !params.search &&
    !params.tags &&
    !params.rm_id &&
    !params.branch_id &&
    !params.created_at_after &&
    !params.created_at_before
  );
}

/** The count of a list filtered on namespace, status, type and approval status: a sum over a few rows. */
function groupedCount(db: Db, tenantId: string, params: ContactListParams) {
  return db
    .select({ n: sql<number>`coalesce(sum(${contactCounts.n}), 0)` })
    .from(contactCounts)
    .where(
      and(
        eq(contactCounts.tenantId, tenantId),
        params.namespace
          ? sql`${contactCounts.namespaceId} = (select ${namespaces.id} from ${namespaces} where ${namespaces.tenantId} = ${tenantId} and lower(${namespaces.name}) = lower(${params.namespace}))`
          : undefined,
        params.status ? eq(contactCounts.status, params.status) : undefined,
        params.type ? eq(contactCounts.type, params.type) : undefined,
        params.approval_status ? eq(contactCounts.approvalStatus, params.approval_status) : undefined,
      ),
    );
}

/**
 * FTS5 query: every word of the search is a prefix of some word of the name, or the words are a
 * prefix of the ref_id. Words are quoted, so FTS operators in user input are plain text.
 */
function searchMatch(tenantId: string, search: string): SQL | null {
  const words = searchWords(search);
  if (words.length === 0) return null;
  return ftsMatch(tenantId, contactSearchExpression(words));
}

/** The FTS5 expression of a contact search's words, before tenant scoping. */
export const contactSearchExpression = (words: string[]) =>
  `(${allPrefixes("name", words)}) OR ref_id : "${words.join(" ")}"*`;

type Version = { tenantId: string; id: string; version: number };

export type ContactChange = {
  set: Partial<ContactRow>;
  changes: Changes;
  action: "updated" | "activated" | "deactivated" | "props_updated" | "props_deleted";
  reason?: string | null;
  /** The identifier index rows of new props (from storeProps), with the fields whose rows stay. */
  index?: { rows: IndexRow[]; keep: string[] };
  /** The name of the namespace the contact moves to (with `set.namespaceId`). */
  namespace?: string;
};

/** The columns a change may set; each binds as the placeholder `set_<column>`. */
type SetColumn = keyof ContactRow;

/** What a change's statements bind: the contact at the version read, its history entry, the new values. */
type ChangeValues = Version & {
  historyId: string;
  at: string;
  userId: string;
  action: ContactChange["action"];
  changes: string;
  reason: string | null;
} & { [column: `set_${string}`]: unknown };

const atVersionRead = and(
  eq(contacts.tenantId, slot("tenantId")),
  eq(contacts.id, slot("id")),
  eq(contacts.version, slot("version")),
);
/** A move re-checks its target in the writing batch: a namespace deleted since the read stops it. */
const targetNamespaceExists = sql`exists (select 1 from ${namespaces} where ${namespaces.tenantId} = ${slot("tenantId")} and ${namespaces.id} = ${slot("set_namespaceId")})`;
const changeApplies = (move: boolean) => (move ? and(atVersionRead, targetNamespaceExists) : atVersionRead);

/** The history entry of a change, written only if the contact is still at the version read. */
const changeEntry = (move: boolean) =>
  builtOnce<ChangeValues, D1Result>(
    (db) =>
      historyInsert(
        db,
        boundEntry(slot("action"), sql`${slot("changes")}`, slot("reason")),
        sql`exists (select 1 from ${contacts} where ${changeApplies(move)})`,
      ).query,
  );
/** By [moves the contact to another namespace]. */
const changeEntries = [changeEntry(false), changeEntry(true)] as const;

/** The update of a change, built once per set of columns it sets (at most one per subset of them). */
const contactUpdates = new Map<string, ReturnType<typeof builtOnce<ChangeValues, D1Result>>>();
function contactUpdate(columns: SetColumn[]) {
  const shape = columns.join(",");
  let update = contactUpdates.get(shape);
  if (!update) {
    const table = getTableColumns(contacts);
    const set: Record<string, SQL> = {
      version: sql`${contacts.version} + 1`,
      updatedAt: sql`${slot("at")}`,
      updatedBy: sql`${slot("userId")}`,
    };
    for (const column of columns) set[column] = encodedLater(slot(`set_${column}`), table[column]);
    update = builtOnce<ChangeValues, D1Result>((db) =>
      db
        .update(contacts)
        .set(set)
        .where(changeApplies(columns.includes("namespaceId"))),
    );
    contactUpdates.set(shape, update);
  }
  return update;
}

/**
 * Applies a change computed from a read of the contact, in one batch: the history row (only if the
 * contact is still at the version read), the update and the identifier index. Returns the contact as
 * written, or null when the write did not apply (another write got there first), so the caller reads
 * again. Written at the version read, the row is that read with the change: no statement reads it back.
 * The history entry and the update are built once per shape (see builtOnce).
 */
async function writeChange(
  db: Db,
  read: ContactWithNamespace,
  userId: string,
  change: ContactChange,
  /** The identifier index statements, given the guard of the history row (none: the index stays). */
  index: ((written: SQL) => Query[]) | null,
) {
  const columns = (Object.keys(change.set) as SetColumn[])
    .filter((column) => change.set[column] !== undefined)
    .sort();
  const current = { tenantId: read.contact.tenantId, id: read.contact.id, version: read.contact.version };
  const values: ChangeValues = {
    ...current,
    historyId: newId(),
    at: nowIso(),
    userId,
    action: change.action,
    changes: JSON.stringify(shownChanges(change.changes)),
    reason: change.reason ?? null,
  };
  for (const column of columns) values[`set_${column}`] = change.set[column];
  const written = () =>
    historyWritten({
      tenantId: current.tenantId,
      contactId: current.id,
      at: values.at,
      id: values.historyId,
    });
  try {
    const [wrote] = await batch(db, [
      changeEntries[columns.includes("namespaceId") ? 1 : 0](db, values),
      contactUpdate(columns)(db, values),
      ...(index ? index(written()) : []),
    ]);
    if (wrote.meta.changes === 0) return null;
    const set = Object.fromEntries(columns.map((column) => [column, change.set[column]]));
    return {
      contact: {
        ...read.contact,
        ...set,
        version: current.version + 1,
        updatedAt: values.at,
        updatedBy: userId,
      },
      namespace: change.namespace ?? read.namespace,
    };
  } catch (error) {
    if (isUniqueViolation(error)) throw refIdTaken();
    throw error;
  }
}

/**
 * The index statements of a change, guarded by `written`: name keys and prop identifiers (index rows
 * carry no namespace, so a move rewrites none). Rows are computed first (hashing is async), statements once the guard exists.
 * Null when the change leaves the index as it is.
 */
async function indexOf(pii: PiiConfig, current: ContactWithNamespace, next: ContactChange) {
  const { tenantId, id } = current.contact;
  const name = next.set.name ?? current.contact.name;
  // Stored props still give the plain signals name keys use (the date of birth, an address's place).
  const nameRows = async () =>
    (await identifierRows(name, next.set.props ?? current.contact.props, pii.hmacKey)).filter(
      (r) => r.kind === "name",
    );
  if (next.index) {
    const rows = [...next.index.rows.filter((r) => r.kind !== "name"), ...(await nameRows())];
    const keep = next.index.keep;
    return (db: Db, written: SQL) =>
      replaceContactRows(db, tenantId, id, rows, written, { replace: "all", keep });
  }
  if (next.set.name !== undefined) {
    const rows = await nameRows();
    return (db: Db, written: SQL) => replaceContactRows(db, tenantId, id, rows, written, { replace: "name" });
  }
  return null;
}

/** Without If-Match, contention is retried (last writer wins); a write never fails for it. */
const MAX_ATTEMPTS = 40;
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** Math.min(attempt, 7))));

export type WriteOptions = {
  /** If-Match: the versions the client named; any other current version is 412 and nothing is written. */
  ifMatch?: IfMatch;
};

/**
 * Read, compute, write with a version check; a concurrent write makes it read again, with jittered
 * backoff, until it applies. `read` is one more query for the same round trip as the contact.
 */
async function change<X = never>(
  db: Db,
  tenantId: string,
  id: string,
  userId: string,
  pii: PiiConfig,
  compute: (
    current: ContactWithNamespace,
    extra: X | undefined,
  ) => Promise<ContactChange | null> | ContactChange | null,
  options: WriteOptions & { read?: Query<X> } = {},
): Promise<ContactWithNamespace> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const [rows, extra] = options.read
      ? await batch(db, [selectContact(db, tenantId, id), options.read])
      : [await selectContact(db, tenantId, id), undefined];
    const current = rows[0];
    if (!current) throw notFound("Contact");
    if (current.contact.erasedAt) throw erased();
    checkIfMatch(options.ifMatch, current.contact.version);
    const next = await compute(current, extra);
    if (!next) return current;
    const index = await indexOf(pii, current, next);
    const result = await writeChange(db, current, userId, next, index && ((written) => index(db, written)));
    if (result) return result;
  }
  throw new ApiError("unavailable", "The contact is under heavy concurrent change; try again");
}

/**
 * The fields of a PATCH that nothing else is derived from: no index row, no namespace lookup, no
 * stored props to merge with. A PATCH of only these needs no read before its write (updatePlainFields).
 */
const PLAIN_FIELDS = {
  status: "status",
  type: "type",
  tags: "tags",
  refs: "refs",
  rm_id: "rmId",
  branch_id: "branchId",
  ref_id: "refId",
} as const satisfies Record<string, keyof ContactRow>;
type PlainField = keyof typeof PLAIN_FIELDS;

/**
 * The plain fields an update sets (a null ref_id sets nothing), or null when it sets any other field or
 * none at all (an empty PATCH is a read: no write batch to run).
 */
function plainFieldsOf(input: ContactUpdate): Partial<Record<PlainField, unknown>> | null {
  if (input.name !== undefined || input.namespace !== undefined || input.props !== undefined) return null;
  const fields: Partial<Record<PlainField, unknown>> = {};
  for (const field of Object.keys(PLAIN_FIELDS) as PlainField[]) {
    const value = field === "ref_id" ? (input.ref_id ?? undefined) : input[field];
    if (value !== undefined) fields[field] = value;
  }
  return Object.keys(fields).length > 0 ? fields : null;
}

/**
 * The row an action-shaped write read back in its batch: 404 when missing, 409 when erased, and 412 when
 * the write did not apply and If-Match names another version.
 */
function readBack(row: ContactWithNamespace | undefined, applied: boolean, ifMatch: IfMatch | undefined) {
  if (!row) throw notFound("Contact");
  if (row.contact.erasedAt) throw erased();
  if (!applied) checkIfMatch(ifMatch, row.contact.version);
  return row;
}

/**
 * A PATCH of plain fields in one round trip, the way an action is written: the database compares each
 * field with the stored value, and the history entry (only what differs, as [old, new]) and the update
 * share one condition, so a PATCH that changes nothing writes nothing. The row is read back in the same
 * batch to tell a no-op, a stale If-Match (412), an erased contact and a missing one apart.
 */
async function updatePlainFields(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  fields: Partial<Record<PlainField, unknown>>,
  options: WriteOptions,
) {
  const compared = (Object.keys(fields) as PlainField[]).map((field) => {
    const column = contacts[PLAIN_FIELDS[field]];
    const value = fields[field];
    // JSON columns compare and show as JSON (the way diff() compares their serialised form).
    const json = column.dataType === "json";
    const stored = json ? sql`json(${column})` : sql`${column}`;
    const sent = json ? sql`json(${value === null ? null : JSON.stringify(value)})` : sql`${value}`;
    return { field, differs: sql`(${stored} is not ${sent})`, change: sql`json_array(${stored}, ${sent})` };
  });
  const changed = or(...compared.map((c) => c.differs)) ?? sql`0`;
  const applies =
    and(
      contactById(tenantId, id),
      isNull(contacts.erasedAt),
      options.ifMatch === undefined ? undefined : versionIn(contacts.version, options.ifMatch),
      changed,
    ) ?? sql`0`;
  // Merge-patching an empty object drops the null members: the fields that did not change.
  const changes = sql`json_patch('{}', json_object(${sql.join(
    compared.map((c) => sql`${c.field}, case when ${c.differs} then ${c.change} end`),
    sql`, `,
  )}))`;
  const status = compared.find((c) => c.field === "status");
  const others = or(...compared.filter((c) => c !== status).map((c) => c.differs)) ?? sql`0`;
  const statusOnly = fields.status === "active" ? "activated" : "deactivated";
  const action = status
    ? sql`case when ${status.differs} and not ${others} then ${statusOnly} else 'updated' end`
    : sql`'updated'`;
  // Cast: each value was validated by ContactUpdateSchema for its column.
  const set = Object.fromEntries(
    Object.entries(fields).map(([field, value]) => [PLAIN_FIELDS[field as PlainField], value]),
  ) as Partial<ContactRow>;
  const at = nowIso();
  try {
    const [written, , rows] = await batch(db, [
      historyInsert(
        db,
        { tenantId, contactId: id, actor: userId, at, action, changes, reason: null },
        applies,
        sql`from ${contacts}`,
      ).query,
      db
        .update(contacts)
        .set({ ...set, version: sql`${contacts.version} + 1`, updatedAt: at, updatedBy: userId })
        .where(applies),
      selectContact(db, tenantId, id),
    ]);
    return readBack(rows[0], written.meta.changes > 0, options.ifMatch);
  } catch (error) {
    if (isUniqueViolation(error)) throw refIdTaken();
    throw error;
  }
}

export async function updateContact(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  input: ContactUpdate,
  pii: PiiConfig,
  options: WriteOptions = {},
) {
  if (input.refs) input = { ...input, refs: sortedKeys(input.refs) };
  const plain = plainFieldsOf(input);
  if (plain) return updatePlainFields(db, tenantId, userId, id, plain, options);
  const namespaceRead = input.namespace
    ? db
        .select({ id: namespaces.id, name: namespaces.name })
        .from(namespaces)
        .where(
          and(eq(namespaces.tenantId, tenantId), sql`lower(${namespaces.name}) = lower(${input.namespace})`),
        )
    : undefined;
  return change(
    db,
    tenantId,
    id,
    userId,
    pii,
    async (current, nsRows) => {
      let namespace: { id: string; name: string } | undefined;
      if (input.namespace) {
        namespace = nsRows?.[0];
        if (!namespace) throw unknownNamespace();
      }
      const name = input.name ?? current.contact.name;
      const stored = input.props
        ? await storeProps(pii, tenantId, input.props, current.contact.props)
        : undefined;
      const after = {
        name: input.name,
        namespace: namespace && namespace.id !== current.contact.namespaceId ? namespace.name : undefined,
        status: input.status,
        type: input.type,
        tags: input.tags,
        refs: input.refs,
        rm_id: input.rm_id,
        branch_id: input.branch_id,
        ref_id: input.ref_id ?? undefined,
      };
      const changes = diff(contactFields(current), after);
      // Props compare by their stored form (an unchanged value keeps its envelope), and an Aadhaar by
      // its indexed hash when only its mask is stored; history shows masks.
      const propsChanged =
        stored !== undefined &&
        input.props !== undefined &&
        (!sameProps(stored.props, current.contact.props) ||
          (await renumberedAadhaar(db, pii, tenantId, id, input.props, current.contact.props)).size > 0);
      if (stored && propsChanged) changes.props = [maskProps(current.contact.props), maskProps(stored.props)];
      const fields = Object.keys(changes);
      if (fields.length === 0) return null;
      const set: Partial<ContactRow> = {};
      if (changes.name) set.name = input.name;
      if (changes.namespace && namespace) set.namespaceId = namespace.id;
      if (changes.status) set.status = input.status;
      if (changes.type) set.type = input.type;
      if (changes.tags) set.tags = input.tags;
      if (changes.refs) set.refs = input.refs;
      if (stored && propsChanged) set.props = stored.props;
      if (changes.rm_id) set.rmId = input.rm_id;
      if (changes.branch_id) set.branchId = input.branch_id;
      if (changes.ref_id) set.refId = input.ref_id;
      const onlyStatus = fields.length === 1 && changes.status;
      const action = onlyStatus ? (input.status === "active" ? "activated" : "deactivated") : "updated";
      const indexed =
        stored && propsChanged ? await indexOfMerged(pii, tenantId, name, stored.merged) : undefined;
      const index = indexed ? { rows: indexed.index, keep: indexed.keep } : undefined;
      return { set, changes, action, index, namespace: set.namespaceId ? namespace?.name : undefined };
    },
    { ...options, read: namespaceRead },
  );
}

export type Action = "active" | "inactive" | "approve" | "reject";

const ACTIONS = {
  active: {
    column: contacts.status,
    field: "status",
    value: "active",
    history: "activated",
    set: { status: "active" },
  },
  inactive: {
    column: contacts.status,
    field: "status",
    value: "inactive",
    history: "deactivated",
    set: { status: "inactive" },
  },
  approve: {
    column: contacts.approvalStatus,
    field: "approval_status",
    value: "approved",
    history: "approved",
    set: { approvalStatus: "approved" },
  },
  reject: {
    column: contacts.approvalStatus,
    field: "approval_status",
    value: "rejected",
    history: "rejected",
    set: { approvalStatus: "rejected" },
  },
} as const;

/** An action on a contact, as applyAction writes it. */
export type ContactAction = {
  tenantId: string;
  userId: string;
  id: string;
  action: Action;
  reason: string | null;
  at: string;
  /** If-Match: the write applies only at one of these versions. */
  ifMatch?: IfMatch;
  /** Id of its history entry (a new one when not given). */
  historyId?: string;
};

/**
 * The statements of an action: its history entry and the update, sharing one SQL condition (the
 * transition is allowed and changes something), so a refused or repeated action writes nothing.
 */
export function actionStatements(db: Db, a: ContactAction) {
  const { column, field, value, history, set } = ACTIONS[a.action];
  const applies =
    and(
      contactById(a.tenantId, a.id),
      sql`${column} <> ${value}`,
      field === "approval_status" ? eq(contacts.status, "active") : undefined,
      isNull(contacts.erasedAt),
      a.ifMatch === undefined ? undefined : versionIn(contacts.version, a.ifMatch),
    ) ?? sql`0`;
  return [
    historyInsert(
      db,
      {
        id: a.historyId,
        tenantId: a.tenantId,
        contactId: a.id,
        actor: a.userId,
        at: a.at,
        action: history,
        changes: sql`json_object(${field}, json_array(${column}, ${value}))`,
        reason: a.reason,
      },
      applies,
      sql`from ${contacts}`,
    ).query,
    db
      .update(contacts)
      .set({
        ...set,
        version: sql`${contacts.version} + 1`,
        updatedAt: a.at,
        updatedBy: a.userId,
      })
      .where(applies),
  ] as const;
}

/**
 * An action in one round trip: history and update (actionStatements), then the row is read back to
 * tell a no-op (200), a refused transition (409) and a missing contact (404) apart.
 */
export async function applyAction(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  action: Action,
  reason: string | null,
  options: WriteOptions = {},
) {
  const { field, value } = ACTIONS[action];
  const approval = field === "approval_status";
  const at = nowIso();
  const [written, , rows] = await batch(db, [
    ...actionStatements(db, { tenantId, userId, id, action, reason, at, ifMatch: options.ifMatch }),
    selectContact(db, tenantId, id),
  ]);
  const row = readBack(rows[0], written.meta.changes > 0, options.ifMatch);
  if (approval && row.contact.status !== "active") {
    throw new ApiError("conflict", `An inactive contact cannot be ${value}; activate it first`);
  }
  return row;
}

export async function upsertProps(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  props: PropInput[],
  pii: PiiConfig,
  options: WriteOptions = {},
) {
  return change(
    db,
    tenantId,
    id,
    userId,
    pii,
    async (current) => {
      const existing = current.contact.props;
      const stored = await storeProps(pii, tenantId, props, existing);
      const renumbered = await renumberedAadhaar(db, pii, tenantId, id, props, existing);
      const next = [...existing];
      const changes: Changes = {};
      for (const prop of stored.props) {
        const index = next.findIndex((p) => p.key === prop.key);
        const old = index >= 0 ? next[index] : undefined;
        if (old && old.value === prop.value && old.type === prop.type && !renumbered.has(prop.key)) continue;
        const [shownOld] = old ? maskProps([old]) : [];
        const [shownNew] = maskProps([prop]);
        changes[`props.${prop.key}`] = [
          shownOld ? { value: shownOld.value, type: shownOld.type } : null,
          shownNew ? { value: shownNew.value, type: shownNew.type } : null,
        ];
        if (index >= 0) next[index] = prop;
        else next.push(prop);
      }
      if (next.length > MAX_PROPS) {
        throw invalid([{ path: "props", code: "too_big", message: "a contact may hold at most 100 props" }]);
      }
      if (Object.keys(changes).length === 0) return null;
      // The index follows every identifier of the new set: the written props clear, the others as stored.
      const upserted = new Map(stored.merged.map((p) => [p.key, p]));
      const whole = [...keptAsStored(existing.filter((p) => !upserted.has(p.key))), ...upserted.values()];
      const index = await indexOfMerged(pii, tenantId, current.contact.name, whole);
      return {
        set: { props: next },
        changes,
        action: "props_updated",
        index: { rows: index.index, keep: index.keep },
      };
    },
    options,
  );
}

export async function deleteProps(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  keys: string[],
  pii: PiiConfig,
  options: WriteOptions = {},
) {
  return change(
    db,
    tenantId,
    id,
    userId,
    pii,
    async (current) => {
      const removed = current.contact.props.filter((p) => keys.includes(p.key));
      if (removed.length === 0) return null;
      const next = current.contact.props.filter((p) => !keys.includes(p.key));
      const changes: Changes = {};
      for (const p of maskProps(removed))
        changes[`props.${p.key}`] = [{ value: p.value, type: p.type }, null];
      const index = await indexOfMerged(pii, tenantId, current.contact.name, keptAsStored(next));
      return {
        set: { props: next },
        changes,
        action: "props_deleted",
        index: { rows: index.index, keep: index.keep },
      };
    },
    options,
  );
}

/**
 * Erasure (DPDP), in one batch: the contact's props, addresses, bank accounts, relations (both sides, each
 * other side recording its relation_deleted) and identifier rows go; its history keeps who, when and what
 * kind of change, without the values; it becomes a tombstone that keeps its id and ref_id. Every
 * statement is guarded by "not erased yet", so a repeat (or a concurrent erase) writes nothing and
 * answers the tombstone.
 */
export async function eraseContact(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  reason: string,
  options: WriteOptions = {},
) {
  const current = await getContact(db, tenantId, id);
  if (current.contact.erasedAt) return current;
  checkIfMatch(options.ifMatch, current.contact.version);
  const at = nowIso();
  // With If-Match, every statement applies only at the version checked above.
  const atVersion = options.ifMatch === undefined ? undefined : eq(contacts.version, current.contact.version);
  const erasable = and(contactById(tenantId, id), isNull(contacts.erasedAt), atVersion);
  const live = sql`exists (select 1 from ${contacts} where ${erasable})`;
  const ofContact = (t: { tenantId: SQLiteColumn; contactId: SQLiteColumn }) =>
    and(eq(t.tenantId, tenantId), eq(t.contactId, id), live);
  const results = await batch(db, [
    // The created entries of the records about to go, on every owner: the other side of a relation
    // keeps its relation_created with its fields; this contact's are redacted with the rest.
    ...storeCreatedEntries(db, addressKind, tenantId, and(eq(addresses.contactId, id), live)),
    ...storeCreatedEntries(db, bankKind, tenantId, and(eq(bankAccounts.contactId, id), live)),
    // One statement per side, so that each reads its own (tenant_id, ...) index.
    ...storeCreatedEntries(db, relationKind, tenantId, and(eq(relations.contactId, id), live)),
    ...storeCreatedEntries(db, relationKind, tenantId, and(eq(relations.relatedContactId, id), live)),
    // The other side of each relation records its deletion, as a DELETE of the relation would.
    ...otherSidesDeleted(db, tenantId, id, { at, userId, when: live }),
    redactHistory(db, tenantId, id, live),
    db.delete(addresses).where(ofContact(addresses)),
    db.delete(bankAccounts).where(ofContact(bankAccounts)),
    db.delete(relations).where(and(eitherSide(tenantId, id), live)),
    db.delete(contactIdentifiers).where(and(identifierRowsOf(tenantId, id), live)),
    historyInsert(
      db,
      { tenantId, contactId: id, actor: userId, at, action: "erased", changes: {}, reason },
      live,
    ).query,
    db
      .update(contacts)
      .set({
        name: "Erased contact",
        tags: [],
        refs: null,
        props: [],
        rmId: null,
        branchId: null,
        status: "inactive",
        erasedAt: at,
        erasedBy: userId,
        version: sql`${contacts.version} + 1`,
        updatedAt: at,
        updatedBy: userId,
      })
      .where(erasable),
    selectContact(db, tenantId, id),
  ]);
  const [row] = last(results);
  if (!row) throw notFound("Contact");
  // Only If-Match can hold the batch back: a write between the read and the batch moved the version.
  if (!row.contact.erasedAt) throw preconditionFailed(row.contact.version);
  return row;
}
