import { and, count, eq, type SQL, sql } from "drizzle-orm";
import { contactCounts, contactHistory, contacts, namespaces, type StoredProp } from "../../db/schema";
import {
  type IndexRow,
  identifierRows,
  noDuplicateIdentity,
  replaceContactRows,
} from "../../dedupe/dedupe.repository";
import type { Db } from "../../env";
import { ApiError, invalid, isUniqueViolation, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import {
  batch,
  type CursorScope,
  createdAtRange,
  listPage,
  type Query,
  sortSpec,
} from "../../lib/pagination";
import { allPrefixes, searchWords, tenantToken } from "../../lib/search";
import { nowIso } from "../../lib/time";
import { type AddressRow, addressesOf } from "../addresses/addresses.repository";
import { type BankRow, banksOf } from "../banks/banks.repository";
import { type Changes, createdChanges, diff, historyInsert } from "../history/history.repository";
import { type RelationRow, relationsOf } from "../relations/relations.repository";
import {
  type ContactCreate,
  type ContactListParams,
  type ContactUpdate,
  MAX_PROPS,
  type PropInput,
} from "./contacts.schemas";

export type ContactRow = typeof contacts.$inferSelect;
export type ContactWithNamespace = { contact: ContactRow; namespace: string };

/** Contacts with their namespace's name, the shape every contact read returns. */
export const withNamespace = (db: Db) =>
  db
    // Aliased: in a batch D1 returns rows as objects, where two `name` columns would collide.
    .select({ contact: contacts, namespace: sql<string>`${namespaces.name}`.as("namespace_name") })
    .from(contacts)
    .innerJoin(namespaces, eq(namespaces.id, contacts.namespaceId));

const byId = (tenantId: string, id: string) => and(eq(contacts.tenantId, tenantId), eq(contacts.id, id));

export function selectContact(db: Db, tenantId: string, id: string) {
  return withNamespace(db).where(byId(tenantId, id));
}

export async function getContact(db: Db, tenantId: string, id: string): Promise<ContactWithNamespace> {
  const [row] = await selectContact(db, tenantId, id);
  if (!row) throw notFound("Contact");
  return row;
}

export type Expanded = { addresses?: AddressRow[]; banks?: BankRow[]; relations?: RelationRow[] };
type ExpandKind = "addresses" | "banks" | "relations";
const EXPANSIONS = { addresses: addressesOf, banks: banksOf, relations: relationsOf } as const;

/** One query per expanded kind for a whole set of contacts (ids or a subquery): no N+1. */
function expansionQueries(db: Db, tenantId: string, expand: ReadonlySet<string>, contactIds: SQL | string[]) {
  const kinds = (Object.keys(EXPANSIONS) as ExpandKind[]).filter((k) => expand.has(k));
  return { kinds, queries: kinds.map((k) => EXPANSIONS[k](db, tenantId, contactIds) as Query<unknown>) };
}

/** Groups expanded rows under each contact: relations appear under both of their contacts. */
function attach(kinds: ExpandKind[], results: unknown[], contactId: string): Expanded {
  const expanded: Expanded = {};
  kinds.forEach((kind, i) => {
    const rows = results[i] as (AddressRow | BankRow | RelationRow)[];
    (expanded as Record<string, unknown[]>)[kind] = rows.filter(
      (r) => r.contactId === contactId || ("relatedContactId" in r && r.relatedContactId === contactId),
    );
  });
  return expanded;
}

/** The retrieve query, built once per database handle: the hot path skips drizzle's query building. */
const retrieveStatements = new WeakMap<Db, ReturnType<typeof prepareRetrieve>>();
function prepareRetrieve(db: Db) {
  return withNamespace(db)
    .where(and(eq(contacts.tenantId, sql.placeholder("tenantId")), eq(contacts.id, sql.placeholder("id"))))
    .prepare();
}

export async function getContactExpanded(db: Db, tenantId: string, id: string, expand: ReadonlySet<string>) {
  const { kinds, queries } = expansionQueries(db, tenantId, expand, [id]);
  if (queries.length === 0) {
    let statement = retrieveStatements.get(db);
    if (!statement) {
      statement = prepareRetrieve(db);
      retrieveStatements.set(db, statement);
    }
    const [row] = await statement.all({ tenantId, id });
    if (!row) throw notFound("Contact");
    return { row, expanded: {} };
  }
  const [rows, ...related] = await batch(db, [selectContact(db, tenantId, id), ...queries]);
  const row = (rows as ContactWithNamespace[])[0];
  if (!row) throw notFound("Contact");
  return { row, expanded: attach(kinds, related, id) };
}

const unknownNamespace = () =>
  invalid([{ path: "namespace", code: "unknown_namespace", message: "is not a namespace of this tenant" }]);
const refIdTaken = () => new ApiError("conflict", "This ref_id is already used in the namespace");

/**
 * The ref_id a namespace's pattern gives its current counter, rendered by SQLite in the statement that
 * inserts the contact: date placeholders first, then {seq} -> %d and {seq:N} -> %0Nd for printf().
 */
function generatedRefId(at: Date): SQL {
  const yyyy = String(at.getUTCFullYear());
  const mm = String(at.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(at.getUTCDate()).padStart(2, "0");
  const dated = sql`replace(replace(replace(replace(${namespaces.contactPattern}, '{yyyy}', ${yyyy}), '{yy}', ${yyyy.slice(2)}), '{mm}', ${mm}), '{dd}', ${dd})`;
  return sql`case when ${namespaces.contactPattern} is null then null else printf(replace(replace(replace(${dated}, '{seq}', '%d'), '{seq:', '%0'), '}', 'd'), ${namespaces.contactCounter}) end`;
}

export type CreateOptions = {
  /** Keys the Aadhaar hashes of the identifier index. */
  hmacKey?: string;
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
  options: CreateOptions = {},
): Promise<ContactWithNamespace | { blocked: true }> {
  const clientRefId = input.ref_id ?? null;
  const indexRows = await identifierRows(input.name, input.props, options.hmacKey);
  const unless = options.block ? noDuplicateIdentity(tenantId, indexRows) : undefined;
  for (let attempt = 0; ; attempt++) {
    const id = newId();
    const now = new Date();
    const at = now.toISOString();
    const nsMatch = and(
      eq(namespaces.tenantId, tenantId),
      sql`lower(${namespaces.name}) = lower(${input.namespace})`,
    );
    const fields = {
      name: input.name,
      type: input.type,
      status: input.status,
      tags: input.tags ?? [],
      refs: input.refs ?? null,
      props: input.props,
      rm_id: input.rm_id ?? null,
      branch_id: input.branch_id ?? null,
    };
    // Columns in table order (schema.ts): drizzle lists them all in the INSERT.
    const insert = db.insert(contacts).select(sql`
      select ${id}, ${tenantId}, ${namespaces.id}, ${clientRefId === null ? generatedRefId(now) : clientRefId},
        ${fields.name}, ${fields.type}, ${fields.status}, 'pending', ${JSON.stringify(fields.tags)},
        ${fields.refs === null ? null : JSON.stringify(fields.refs)}, ${JSON.stringify(fields.props)},
        ${fields.rm_id}, ${fields.branch_id}, 1, ${at}, ${userId}, ${at}, null
      from ${namespaces} where ${nsMatch} ${unless ? sql`and ${unless}` : sql``}`);
    const inserted = sql`exists (select 1 from ${contacts} where ${contacts.id} = ${id})`;
    const statements = [
      insert,
      ...(clientRefId === null
        ? [
            db
              .update(namespaces)
              .set({ contactCounter: sql`${namespaces.contactCounter} + 1` })
              .where(and(nsMatch, sql`${namespaces.contactPattern} is not null`, inserted)),
          ]
        : []),
      historyInsert(
        db,
        {
          tenantId,
          contactId: id,
          actor: userId,
          at,
          action: "created",
          // The ref_id is the one the database generated (or the client's), read from the new row.
          changes: sql`json_remove(json_set(${JSON.stringify(createdChanges({ ...fields, approval_status: "pending" }))},
              '$.namespace', json_array(null, (select ${namespaces.name} from ${namespaces} where ${nsMatch})),
              '$.ref_id', json_array(null, (select ${contacts.refId} from ${contacts} where ${contacts.id} = ${id}))),
            case when (select ${contacts.refId} from ${contacts} where ${contacts.id} = ${id}) is null then '$.ref_id' else '$.none' end)`,
        },
        inserted,
      ).query,
      ...replaceContactRows(db, tenantId, id, indexRows, inserted),
      selectContact(db, tenantId, id),
      db.select({ id: namespaces.id }).from(namespaces).where(nsMatch),
    ];
    let results: unknown[];
    try {
      results = await batch(db, statements);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (clientRefId !== null || attempt >= 5) throw refIdTaken();
      // A generated ref_id collided with one a client chose: that counter value is used, move past it.
      await db
        .update(namespaces)
        .set({ contactCounter: sql`${namespaces.contactCounter} + 1` })
        .where(nsMatch);
      continue;
    }
    const [row] = results.at(-2) as ContactWithNamespace[];
    if (row) return row;
    if ((results.at(-1) as unknown[]).length === 0) throw unknownNamespace();
    return { blocked: true };
  }
}

export async function listContacts(db: Db, tenantId: string, params: ContactListParams, secret: string) {
  const where: SQL[] = [eq(contacts.tenantId, tenantId), ...createdAtRange(contacts.createdAt, params)];
  if (params.status) where.push(eq(contacts.status, params.status));
  if (params.type) where.push(eq(contacts.type, params.type));
  if (params.approval_status) where.push(eq(contacts.approvalStatus, params.approval_status));
  if (params.rm_id) where.push(eq(contacts.rmId, params.rm_id));
  if (params.branch_id) where.push(eq(contacts.branchId, params.branch_id));
  if (params.namespace) {
    // `=` (not `in`) lets SQLite use the (tenant_id, namespace_id, created_at) index for the page.
    where.push(
      sql`${contacts.namespaceId} = (select ${namespaces.id} from ${namespaces} where ${namespaces.tenantId} = ${tenantId} and lower(${namespaces.name}) = lower(${params.namespace}))`,
    );
  }
  for (const tag of params.tags ?? []) {
    where.push(sql`exists (select 1 from json_each(${contacts.tags}) where json_each.value = ${tag})`);
  }
  if (params.search) {
    const match = searchMatch(tenantId, params.search);
    if (match) {
      // Drive the query from the FTS matches (already limited to the tenant by its token): the unary `+`
      // keeps SQLite from walking the tenant's whole index and probing every row against the matches.
      where[0] = sql`+${contacts.tenantId} = ${tenantId}`;
      where.push(
        sql`${contacts}.rowid in (select rowid from contacts_fts where contacts_fts match ${match})`,
      );
    }
  }
  const sort = sortSpec(params.ordering, {
    name: contacts.name,
    created_at: contacts.createdAt,
    updated_at: contacts.updatedAt,
  });
  const { page: _p, page_size: _s, cursor: _c, expand: _e, ...filters } = params;
  const cursorScope: CursorScope = { secret, tenantId, resource: "contacts", filters };
  const result = await listPage<ContactWithNamespace>({
    db,
    where,
    sort,
    id: contacts.id,
    params,
    cursorScope,
    rows: (condition, order, limit, offset) =>
      withNamespace(db)
        .where(condition)
        .orderBy(...order)
        .limit(limit)
        .offset(offset),
    count: (condition) =>
      countsServe(params)
        ? groupedCount(db, tenantId, params)
        : db.select({ n: count() }).from(contacts).where(condition),
    position: ({ contact }) => [
      sort.key.endsWith("name")
        ? contact.name
        : sort.key.endsWith("updated_at")
          ? contact.updatedAt
          : contact.createdAt,
      contact.id,
    ],
    related: (window) => {
      const pageIds = db
        .select({ id: contacts.id })
        .from(contacts)
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
function searchMatch(tenantId: string, search: string): string | null {
  const words = searchWords(search);
  if (words.length === 0) return null;
  return `tenant : "${tenantToken(tenantId)}" AND ((${allPrefixes("name", words)}) OR ref_id : "${words.join(" ")}"*)`;
}

type Version = { tenantId: string; id: string; version: number };
const atVersion = ({ tenantId, id, version }: Version) =>
  sql`exists (select 1 from ${contacts} where ${contacts.tenantId} = ${tenantId} and ${contacts.id} = ${id} and ${contacts.version} = ${version})`;

export type ContactChange = {
  set: Partial<ContactRow>;
  changes: Changes;
  action: "updated" | "activated" | "deactivated" | "props_updated" | "props_deleted";
  reason?: string | null;
  /** The contact's identifier index rows after the change, when its name or props change. */
  index?: IndexRow[];
};

/**
 * Applies a change computed from a read of the contact at `version`, in one batch: the history row
 * (only if the version still matches), the update, any extra statements, and the new row. Returns
 * null when another write got there first, so the caller re-reads and tries again.
 */
async function writeChange(db: Db, current: Version, userId: string, change: ContactChange) {
  const at = nowIso();
  const { query: history, written } = historyInsert(
    db,
    {
      tenantId: current.tenantId,
      contactId: current.id,
      actor: userId,
      at,
      action: change.action,
      changes: change.changes,
      reason: change.reason,
    },
    atVersion(current),
  );
  try {
    const results = await batch(db, [
      history,
      db
        .update(contacts)
        .set({ ...change.set, version: sql`${contacts.version} + 1`, updatedAt: at, updatedBy: userId })
        .where(and(byId(current.tenantId, current.id), eq(contacts.version, current.version))),
      ...(change.index ? replaceContactRows(db, current.tenantId, current.id, change.index, written) : []),
      selectContact(db, current.tenantId, current.id),
    ]);
    if ((results[0] as unknown[]).length === 0) return null;
    return (results.at(-1) as ContactWithNamespace[])[0] ?? null;
  } catch (error) {
    if (isUniqueViolation(error)) throw refIdTaken();
    throw error;
  }
}

/** Read, compute, write with a version check; a concurrent write makes it read again (at most 5 times). */
async function change(
  db: Db,
  tenantId: string,
  id: string,
  userId: string,
  compute: (current: ContactWithNamespace, extra: unknown[]) => ContactChange | null,
  options: { reads?: Query<unknown>[]; hmacKey?: string } = {},
): Promise<ContactWithNamespace> {
  const reads = options.reads ?? [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const [rows, ...extra] = await batch(db, [selectContact(db, tenantId, id), ...reads]);
    const current = (rows as ContactWithNamespace[])[0];
    if (!current) throw notFound("Contact");
    const next = compute(current, extra);
    if (!next) return current;
    // Name, props or namespace changed: the identifier index follows in the same batch.
    if (next.set.name !== undefined || next.set.props !== undefined || next.set.namespaceId !== undefined) {
      const merged = { ...current.contact, ...next.set };
      next.index = await identifierRows(merged.name, merged.props, options.hmacKey);
    }
    const written = await writeChange(db, { tenantId, id, version: current.contact.version }, userId, next);
    if (written) return written;
  }
  throw new ApiError("conflict", "The contact is being changed by another request; try again");
}

export function apiFields(row: ContactWithNamespace) {
  const c = row.contact;
  return {
    name: c.name,
    namespace: row.namespace,
    status: c.status,
    type: c.type,
    tags: c.tags,
    refs: c.refs,
    props: c.props,
    rm_id: c.rmId,
    branch_id: c.branchId,
    ref_id: c.refId,
  };
}

export async function updateContact(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  input: ContactUpdate,
  hmacKey?: string,
) {
  const nsReads = input.namespace
    ? [
        db
          .select({ id: namespaces.id, name: namespaces.name })
          .from(namespaces)
          .where(
            and(
              eq(namespaces.tenantId, tenantId),
              sql`lower(${namespaces.name}) = lower(${input.namespace})`,
            ),
          ),
      ]
    : [];
  return change(
    db,
    tenantId,
    id,
    userId,
    (current, [nsRows]) => {
      let namespace: { id: string; name: string } | undefined;
      if (input.namespace) {
        namespace = (nsRows as { id: string; name: string }[])[0];
        if (!namespace) throw unknownNamespace();
      }
      const before = apiFields(current);
      const after = {
        name: input.name,
        namespace: namespace && namespace.id !== current.contact.namespaceId ? namespace.name : undefined,
        status: input.status,
        type: input.type,
        tags: input.tags,
        refs: input.refs,
        props: input.props,
        rm_id: input.rm_id,
        branch_id: input.branch_id,
        ref_id: input.ref_id ?? undefined,
      };
      const changes = diff(before, after);
      const fields = Object.keys(changes);
      if (fields.length === 0) return null;
      const set: Partial<ContactRow> = {};
      if (changes.name) set.name = input.name;
      if (changes.namespace && namespace) set.namespaceId = namespace.id;
      if (changes.status) set.status = input.status;
      if (changes.type) set.type = input.type;
      if (changes.tags) set.tags = input.tags;
      if (changes.refs) set.refs = input.refs;
      if (changes.props) set.props = input.props as StoredProp[];
      if (changes.rm_id) set.rmId = input.rm_id;
      if (changes.branch_id) set.branchId = input.branch_id;
      if (changes.ref_id) set.refId = input.ref_id;
      const onlyStatus = fields.length === 1 && changes.status;
      const action = onlyStatus ? (input.status === "active" ? "activated" : "deactivated") : "updated";
      return {
        set,
        changes,
        action,
      };
    },
    { reads: nsReads, hmacKey },
  );
}

export type Action = "active" | "inactive" | "approve" | "reject";

/**
 * An action in one round trip: history and update share one SQL condition (the transition is allowed
 * and changes something), then the row is read back to tell a no-op (200), a refused transition (409)
 * and a missing contact (404) apart.
 */
export async function applyAction(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  action: Action,
  reason: string | null,
) {
  const [field, column, value, historyAction] =
    action === "active"
      ? (["status", contacts.status, "active", "activated"] as const)
      : action === "inactive"
        ? (["status", contacts.status, "inactive", "deactivated"] as const)
        : action === "approve"
          ? (["approval_status", contacts.approvalStatus, "approved", "approved"] as const)
          : (["approval_status", contacts.approvalStatus, "rejected", "rejected"] as const);
  const approval = field === "approval_status";
  const applies = and(
    byId(tenantId, id),
    sql`${column} <> ${value}`,
    approval ? eq(contacts.status, "active") : undefined,
  ) as SQL;
  const at = nowIso();
  const [, , rows] = await batch(db, [
    db.insert(contactHistory).select(sql`
      select ${newId()}, ${tenantId}, ${id}, ${at}, ${userId}, ${historyAction},
             json_object(${field}, json_array(${column}, ${value})), ${reason}
      from ${contacts} where ${applies}`),
    db
      .update(contacts)
      .set({
        [approval ? "approvalStatus" : "status"]: value,
        version: sql`${contacts.version} + 1`,
        updatedAt: at,
        updatedBy: userId,
      })
      .where(applies),
    selectContact(db, tenantId, id),
  ]);
  const row = (rows as ContactWithNamespace[])[0];
  if (!row) throw notFound("Contact");
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
  hmacKey?: string,
) {
  return change(
    db,
    tenantId,
    id,
    userId,
    (current) => {
      const next = [...current.contact.props];
      const changes: Changes = {};
      for (const prop of props) {
        const index = next.findIndex((p) => p.key === prop.key);
        const old = index >= 0 ? next[index] : undefined;
        if (old && old.value === prop.value && old.type === prop.type) continue;
        changes[`props.${prop.key}`] = [
          old ? { value: old.value, type: old.type } : null,
          { value: prop.value, type: prop.type },
        ];
        if (index >= 0) next[index] = prop;
        else next.push(prop);
      }
      if (next.length > MAX_PROPS) {
        throw invalid([{ path: "props", code: "too_big", message: "a contact may hold at most 100 props" }]);
      }
      if (Object.keys(changes).length === 0) return null;
      return {
        set: { props: next },
        changes,
        action: "props_updated",
      };
    },
    { hmacKey },
  );
}

export async function deleteProps(
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  keys: string[],
  hmacKey?: string,
) {
  return change(
    db,
    tenantId,
    id,
    userId,
    (current) => {
      const removed = current.contact.props.filter((p) => keys.includes(p.key));
      if (removed.length === 0) return null;
      const next = current.contact.props.filter((p) => !keys.includes(p.key));
      const changes: Changes = {};
      for (const p of removed) changes[`props.${p.key}`] = [{ value: p.value, type: p.type }, null];
      return {
        set: { props: next },
        changes,
        action: "props_deleted",
      };
    },
    { hmacKey },
  );
}
