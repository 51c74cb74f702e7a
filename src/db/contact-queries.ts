import { and, eq, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { Db } from "../env";
import { builtOnce } from "../lib/batch";
import { contacts, namespaces } from "./schema";

export type ContactRow = typeof contacts.$inferSelect;
/** A contact with its namespace's name: the shape every contact read returns. */
export type ContactWithNamespace = { contact: ContactRow; namespace: string };

/** Contacts joined to their namespace's name (read by the contacts resource and by dedupe). */
export const withNamespace = (db: Db) =>
  db
    // Aliased: in a batch D1 returns rows as objects, where two `name` columns would collide.
    .select({ contact: contacts, namespace: sql<string>`${namespaces.name}`.as("namespace_name") })
    .from(contacts)
    .innerJoin(namespaces, eq(namespaces.id, contacts.namespaceId));

/** A tenant's contact by its key, (tenant_id, id): values, or placeholders of a statement built once. */
export const contactById = (tenantId: string | Placeholder, id: string | Placeholder | SQL) =>
  and(eq(contacts.tenantId, tenantId), eq(contacts.id, id));

/**
 * The rowid of a tenant's contact, as a scalar subquery (null when there is no such contact): the key the
 * identifier index, the search tables and history name a contact by.
 */
export const contactRowid = (tenantId: string | Placeholder, id: string | Placeholder | SQL) =>
  sql`(select ${contacts}.rowid from ${contacts} where ${contactById(tenantId, id)})`;

const contactByIdOnce = builtOnce<{ tenantId: string; id: string }, ContactWithNamespace[]>((db) =>
  withNamespace(db).where(contactById(sql.placeholder("tenantId"), sql.placeholder("id"))),
);

/** One contact with its namespace's name (no row when the tenant has no such contact). */
export const selectContact = (db: Db, tenantId: string, id: string) => contactByIdOnce(db, { tenantId, id });
