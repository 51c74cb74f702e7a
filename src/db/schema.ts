import { sql } from "drizzle-orm";
import {
  customType,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { PROBED_KIND_CONDITION } from "../dedupe/signals";
import {
  ACCOUNT_TYPES,
  ADDRESS_TYPES,
  APPROVAL_STATUSES,
  CONTACT_STATUSES,
  CONTACT_TYPES,
  HISTORY_ACTIONS,
  HISTORY_SUBJECTS,
  RELATION_TYPES,
} from "./enums";
import { propsColumn } from "./props-column";

export type { StoredProp } from "./props-column";

// Timestamps are ISO 8601 UTC strings with milliseconds: they sort as text in time order.
const audit = {
  version: integer("version").notNull().default(1),
  createdAt: text("created_at").notNull(),
  createdBy: text("created_by").notNull(),
  updatedAt: text("updated_at").notNull(),
  updatedBy: text("updated_by"),
};

/**
 * Whether a record's creation is a stored history row (true: records written before migrations/0021,
 * and every record since changed) or is read from the record itself (false: a record no write has
 * touched since its creation, whose created_at and created_by say all its `*_created` entry would).
 * The first change of a record stores that entry first (children/child-records.ts, storeCreatedEntries).
 */
const createdEntry = integer("created_entry", { mode: "boolean" }).notNull().default(true);

export const namespaces = sqliteTable(
  "namespaces",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    name: text("name").notNull(),
    contactPattern: text("contact_pattern"),
    contactCounter: integer("contact_counter").notNull().default(1),
    accountPattern: text("account_pattern"),
    accountCounter: integer("account_counter").notNull().default(1),
    ...audit,
  },
  (t) => [
    uniqueIndex("namespaces_tenant_name_uq").on(t.tenantId, sql`lower(${t.name})`),
    index("namespaces_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("namespaces_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
  ],
);

export const contacts = sqliteTable(
  "contacts",
  {
    id: text("id").notNull(),
    tenantId: text("tenant_id").notNull(),
    namespaceId: text("namespace_id").notNull(),
    refId: text("ref_id"),
    name: text("name").notNull(),
    type: text("type", { enum: CONTACT_TYPES }).notNull(),
    status: text("status", { enum: CONTACT_STATUSES }).notNull(),
    approvalStatus: text("approval_status", { enum: APPROVAL_STATUSES }).notNull().default("pending"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    refs: text("refs", { mode: "json" }).$type<Record<string, unknown>>(),
    props: propsColumn("props").notNull().default(sql`'[]'`),
    rmId: text("rm_id"),
    branchId: text("branch_id"),
    // Set by erasure (DPDP): the tombstone keeps id and ref_id so loans still resolve.
    erasedAt: text("erased_at"),
    erasedBy: text("erased_by"),
    createdEntry,
    ...audit,
  },
  // The record's key is (tenant_id, id): every query names the tenant (migrations/0018).
  (t) => [
    uniqueIndex("contacts_tenant_ns_ref_uq").on(t.tenantId, t.namespaceId, t.refId),
    uniqueIndex("contacts_tenant_id_uq").on(t.tenantId, t.id),
    index("contacts_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
    index("contacts_tenant_name_idx").on(t.tenantId, t.name, t.id),
    index("contacts_tenant_ns_id_idx").on(t.tenantId, t.namespaceId, t.id),
    index("contacts_tenant_status_id_idx").on(t.tenantId, t.status, t.id),
    index("contacts_tenant_type_id_idx").on(t.tenantId, t.type, t.id),
    index("contacts_tenant_approval_id_idx").on(t.tenantId, t.approvalStatus, t.id),
    // The filters are equalities, which imply a value: contacts without one are not in these (0016).
    index("contacts_tenant_rm_id_idx").on(t.tenantId, t.rmId, t.id).where(sql`${t.rmId} is not null`),
    index("contacts_tenant_branch_id_idx")
      .on(t.tenantId, t.branchId, t.id)
      .where(sql`${t.branchId} is not null`),
  ],
);

/**
 * How many contacts a tenant holds per namespace, status, type and approval status, kept by triggers
 * on `contacts` (migrations/0006) in the same transaction as every write. A list filtered only on these
 * fields reads its `count` here instead of counting the tenant's rows.
 */
export const contactCounts = sqliteTable(
  "contact_counts",
  {
    tenantId: text("tenant_id").notNull(),
    namespaceId: text("namespace_id").notNull(),
    status: text("status", { enum: CONTACT_STATUSES }).notNull(),
    type: text("type", { enum: CONTACT_TYPES }).notNull(),
    approvalStatus: text("approval_status", { enum: APPROVAL_STATUSES }).notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.namespaceId, t.status, t.type, t.approvalStatus] })],
);

/**
 * An instant stored as epoch milliseconds (an integer of 6 bytes instead of a 24-character ISO text),
 * read back as the ISO instant the API shows. Writes compute it in SQL from the ISO text
 * (history.repository millisOf), so statements bind the same value as the columns beside it.
 */
const epochMillis = customType<{ data: string; driverData: number }>({
  dataType: () => "integer",
  toDriver: (iso) => Date.parse(iso),
  fromDriver: (ms) => new Date(ms).toISOString(),
});

/**
 * A contact's history (migrations/0011, 0019): WITHOUT ROWID, keyed by the one path that reads it, the
 * contact's entries by time. The contact is its rowid (the key of the identifier index and the search
 * tables) and `at` is in epoch milliseconds: about 40 bytes less per entry than its id and an ISO text.
 * A rowid is never given to another contact: contacts are never deleted (erasure keeps a tombstone).
 */
export const contactHistory = sqliteTable(
  "contact_history",
  {
    tenantId: text("tenant_id").notNull(),
    contactRowid: integer("contact_id").notNull(),
    at: epochMillis("at").notNull(),
    id: text("id").notNull(),
    actor: text("actor").notNull(),
    action: text("action", { enum: HISTORY_ACTIONS }).notNull(),
    changes: text("changes", { mode: "json" }).$type<Record<string, [unknown, unknown]>>().notNull(),
    reason: text("reason"),
    // The sub-resource the entry is about (address, bank, relation); null for the contact itself.
    subjectType: text("subject_type", { enum: HISTORY_SUBJECTS }),
    subjectId: text("subject_id"),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.contactRowid, t.at, t.id] })],
);

// Normalised strong identifiers (PAN, mobile, ...) and name keys of each contact, for dedupe lookups.
// Aadhaar and the protected kinds are kept only as keyed hashes. One row per (kind, value) of a contact,
// `field` the first that gave it. WITHOUT ROWID, keyed by the contact (migrations/0014): a contact's rows
// are one range of the primary key (rewrites, a candidate's rows), and the probe index finds contacts by
// (kind, value). The contact is its rowid (also the FTS tables' key), not its 26-character id: the key of
// the largest table and of its index is a few bytes instead of 26. The column kept its name `contact_id`
// so that the previous release's SQL still runs while a rollout replaces it (see 0014's trigger).
export const contactIdentifiers = sqliteTable(
  "contact_identifiers",
  {
    tenantId: text("tenant_id").notNull(),
    contactRowid: integer("contact_id").notNull(),
    kind: text("kind").notNull(),
    value: text("value").notNull(),
    field: text("field").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.contactRowid, t.kind, t.value] }),
    // Only the kinds dedupe looks up (migration 0016).
    index("contact_identifiers_probe_idx")
      .on(t.tenantId, t.kind, t.value)
      .where(sql.raw(PROBED_KIND_CONDITION)),
  ],
);

export const addresses = sqliteTable(
  "addresses",
  {
    id: text("id").notNull(),
    tenantId: text("tenant_id").notNull(),
    contactId: text("contact_id").notNull(),
    addressLine: text("address_line"),
    city: text("city"),
    state: text("state"),
    pincode: text("pincode"),
    country: text("country"),
    type: text("type", { enum: ADDRESS_TYPES }).notNull(),
    lat: real("lat"),
    lng: real("lng"),
    codes: text("codes", { mode: "json" }).$type<Record<string, string>>(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    createdEntry,
    ...audit,
  },
  (t) => [
    index("addresses_tenant_contact_id_idx").on(t.tenantId, t.contactId, t.id),
    uniqueIndex("addresses_tenant_id_uq").on(t.tenantId, t.id),
    index("addresses_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
    index("addresses_tenant_type_id_idx").on(t.tenantId, t.type, t.id),
  ],
);

export const bankAccounts = sqliteTable(
  "bank_accounts",
  {
    id: text("id").notNull(),
    tenantId: text("tenant_id").notNull(),
    contactId: text("contact_id").notNull(),
    // An AES-GCM envelope (src/pii), never the number in clear.
    accountNumber: text("account_number").notNull(),
    // The last four digits, for search by digits; the keyed hash of account number + IFSC, for exact
    // matches (the same account twice on a contact, dedupe) without decrypting.
    accountLast4: text("account_last4"),
    accountHash: text("account_hash"),
    ifsc: text("ifsc").notNull(),
    accountHolderName: text("account_holder_name").notNull(),
    bankName: text("bank_name"),
    branchName: text("branch_name"),
    accountType: text("account_type", { enum: ACCOUNT_TYPES }).notNull(),
    isPrimary: integer("is_primary", { mode: "boolean" }).notNull().default(false),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    createdEntry,
    ...audit,
  },
  (t) => [
    uniqueIndex("bank_accounts_contact_account_uq").on(t.tenantId, t.contactId, t.accountHash),
    // Also: bank_accounts_one_primary_uq, a partial unique index (migrations/0003, hand-written).
    uniqueIndex("bank_accounts_tenant_id_uq").on(t.tenantId, t.id),
    index("bank_accounts_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
    index("bank_accounts_tenant_contact_id_idx").on(t.tenantId, t.contactId, t.id),
    index("bank_accounts_tenant_ifsc_id_idx").on(t.tenantId, t.ifsc, t.id),
    index("bank_accounts_tenant_type_id_idx").on(t.tenantId, t.accountType, t.id),
  ],
);

export const relations = sqliteTable(
  "relations",
  {
    id: text("id").notNull(),
    tenantId: text("tenant_id").notNull(),
    contactId: text("contact_id").notNull(),
    type: text("type", { enum: RELATION_TYPES }).notNull(),
    relatedContactId: text("related_contact_id"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    createdEntry,
    ...audit,
  },
  (t) => [
    // Also: relations_unique_uq on (tenant_id, contact_id, type, coalesce(related_contact_id, '')), hand-written
    // in migrations/0003 because drizzle-kit renders that expression index wrongly.
    uniqueIndex("relations_tenant_id_uq").on(t.tenantId, t.id),
    index("relations_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
    index("relations_tenant_contact_id_idx").on(t.tenantId, t.contactId, t.id),
    index("relations_tenant_related_id_idx").on(t.tenantId, t.relatedContactId, t.id),
    index("relations_tenant_type_id_idx").on(t.tenantId, t.type, t.id),
  ],
);

/**
 * Idempotency keys (API.md, Safe retries): claimed in the same D1 batch as the first write of the
 * request they answer (src/middleware/db.ts), the response stored afterwards (status null: still in
 * flight). `body` is an AES-GCM envelope when PII_KEYS is set (it may hold protected identifiers in
 * clear). Rows expire after 24 hours; src/scheduled.ts purges them.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    tenantId: text("tenant_id").notNull(),
    key: text("key").notNull(),
    /** SHA-256 (hex) of method, path, body and whether the caller sees protected identifiers. */
    requestHash: text("request_hash").notNull(),
    status: integer("status"),
    /** JSON object of the stored response headers (Content-Type, Location, ETag). */
    headers: text("headers"),
    body: text("body"),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.key] }),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
  ],
);

// Progress of background maintenance jobs (src/scheduled.ts), one row per job.
export const maintenanceState = sqliteTable("maintenance_state", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
});
