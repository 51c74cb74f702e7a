import type { ContactWithNamespace } from "../../db/contact-queries";
import { sortedKeys } from "../../lib/fields";
import { maskProps } from "../../pii/protection";
import { type AddressRow, toAddress } from "../addresses/addresses.mappers";
import { type BankRow, toBank } from "../banks/banks.mappers";
import { type RelationRow, toRelation } from "../relations/relations.mappers";
import type { HistoryRow } from "./history.mappers";

export type Changes = Record<string, [unknown, unknown]>;

/** Two JSON values are the same whatever their objects' key order (a record stored before keys were sorted included). */
const sameValue = (a: unknown, b: unknown) => JSON.stringify(sortedKeys(a)) === JSON.stringify(sortedKeys(b));

/** Field-level differences: only what changed, as [old, new]. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const old = before[key] ?? null;
    if (!sameValue(old, value)) changes[key] = [old, value];
  }
  return changes;
}

/**
 * What history shows of a change: a pair whose two sides read the same is left out (API.md: a pair
 * always has two different values). Only masking makes one: a PAN replaced by another with the same
 * last four. The entry still records that the write happened.
 */
export function shownChanges(changes: Changes): Changes {
  return Object.fromEntries(Object.entries(changes).filter(([, [old, value]]) => !sameValue(old, value)));
}

const isSet = (value: unknown) =>
  value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);

/** The fields of a new record as history changes [null, value]: only those that are set. */
export function createdChanges(fields: Record<string, unknown>): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(fields)) if (isSet(value)) changes[key] = [null, value];
  return changes;
}

/** The fields of a deleted record as history changes [value, null]. */
export function removedChanges(fields: Record<string, unknown>): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(fields))
    if (value !== null && value !== undefined) changes[key] = [value, null];
  return changes;
}

/** A record's own API fields, for history: without its id, owner and audit fields. */
export function recordFields(api: Record<string, unknown>): Record<string, unknown> {
  const {
    id: _id,
    contact_id: _contact,
    tenant_id: _tenant,
    version: _version,
    created_at: _createdAt,
    created_by: _createdBy,
    updated_at: _updatedAt,
    updated_by: _updatedBy,
    ...fields
  } = api;
  return fields;
}

/** A contact's fields as its `created` entry lists them (props masked; a new contact is pending). */
export function contactCreatedFields(row: ContactWithNamespace): Record<string, unknown> {
  const c = row.contact;
  return {
    name: c.name,
    type: c.type,
    status: c.status,
    tags: c.tags,
    refs: c.refs,
    props: maskProps(c.props),
    rm_id: c.rmId,
    branch_id: c.branchId,
    approval_status: "pending",
    namespace: row.namespace,
    ref_id: c.refId,
  };
}

export const addressFields = (row: AddressRow) => recordFields(toAddress(row));
export const relationFields = (row: RelationRow) => recordFields(toRelation(row));
// History shows the account number masked (toBank masks by default), never the envelope.
export const bankFields = (row: BankRow) => recordFields(toBank(row));

/**
 * Entries whose `changes` are empty and derived when history is read: a created record's fields are its
 * current fields with every later change undone, so they are not stored twice. A stored relation_created
 * keeps its fields (it is recorded on two contacts, either of which may be erased): its changes are
 * empty only while it is read from the untouched relation itself (history.repository.ts).
 */
export const DERIVED_CREATED = ["created", "address_created", "bank_created", "relation_created"] as const;

export const isDerived = (row: Pick<HistoryRow, "action" | "changes">) =>
  DERIVED_CREATED.some((a) => a === row.action) && Object.keys(row.changes).length === 0;

type Prop = { key: string } & Record<string, unknown>;
const isProp = (p: unknown): p is Prop =>
  typeof p === "object" && p !== null && "key" in p && typeof p.key === "string";

/** Undoes one entry's changes on a record's fields (props also change one key at a time: `props.<key>`). */
function undo(fields: Record<string, unknown>, changes: Changes) {
  for (const [field, [old]] of Object.entries(changes)) {
    if (!field.startsWith("props.")) {
      fields[field] = old;
      continue;
    }
    const key = field.slice("props.".length);
    const props = Array.isArray(fields.props) ? fields.props.filter(isProp) : [];
    const at = props.findIndex((p) => p.key === key);
    const restored = old && typeof old === "object" ? { key, ...old } : null;
    if (restored && at >= 0) props[at] = restored;
    else if (restored) props.push(restored);
    else if (at >= 0) props.splice(at, 1);
    fields.props = props;
  }
}

const newestFirst = (a: HistoryRow, b: HistoryRow) =>
  a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1;

/**
 * The changes of a derived created entry: the record's current fields (`current`, or the fields its
 * `*_deleted` entry kept when it is gone) with the later entries of the same subject undone, newest first.
 */
export function derivedChanges(
  created: HistoryRow,
  subjectEntries: HistoryRow[],
  current: Record<string, unknown> | undefined,
): Changes {
  let fields = current ? structuredClone(current) : undefined;
  const later = subjectEntries.filter((e) => e.id !== created.id && newestFirst(e, created) < 0);
  for (const entry of later.sort(newestFirst)) {
    if (entry.subjectType && entry.action === `${entry.subjectType}_deleted`) {
      fields = Object.fromEntries(Object.entries(entry.changes).map(([k, [old]]) => [k, old]));
      continue;
    }
    if (fields) undo(fields, entry.changes);
  }
  if (!fields) return {};
  // A new contact is always pending, whatever approvals followed.
  if (created.action === "created") fields.approval_status = "pending";
  return createdChanges(fields);
}
