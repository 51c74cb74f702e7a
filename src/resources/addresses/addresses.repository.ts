import { eq, inArray, type SQL, sql } from "drizzle-orm";
import { addresses } from "../../db/schema";
import type { Db } from "../../env";
import { auditOf } from "../../lib/fields";
import { parseId } from "../../lib/ids";
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
import type { AddressListParams } from "./addresses.schemas";

export type AddressRow = typeof addresses.$inferSelect;

export function toAddress(row: AddressRow) {
  return {
    id: row.id,
    contact_id: row.contactId,
    address_line: row.addressLine,
    city: row.city,
    state: row.state,
    pincode: row.pincode,
    country: row.country,
    type: row.type as "current",
    coords: row.lat === null || row.lng === null ? null : { lat: row.lat, lng: row.lng },
    codes: row.codes,
    tags: row.tags,
    ...auditOf(row),
  };
}

const kind: ChildKind<AddressRow> = {
  table: addresses,
  history: "address",
  label: "Address",
  fields: (row) => recordFields(toAddress(row)),
  owners: (row) => [row.contactId],
  links: (row) => [{ path: "contact_id", id: row.contactId }],
  conflict: "This address already exists",
};

export const createAddress = (db: Db, row: AddressRow) => createChild(db, kind, row);
export const getAddress = (db: Db, tenantId: string, id: string) => getChild(db, kind, tenantId, id);
export const updateAddress = (
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  apply: (row: AddressRow) => Partial<AddressRow>,
) => updateChild(db, kind, tenantId, userId, id, apply);
export const deleteAddress = (db: Db, tenantId: string, userId: string, id: string) =>
  deleteChild(db, kind, tenantId, userId, id);

export function listAddresses(db: Db, tenantId: string, params: AddressListParams, secret: string) {
  const where: SQL[] = [eq(addresses.tenantId, tenantId), ...createdAtRange(addresses.createdAt, params)];
  if (params.contact !== undefined) where.push(eq(addresses.contactId, parseId(params.contact) ?? ""));
  if (params.type) where.push(eq(addresses.type, params.type));
  for (const tag of params.tags ?? []) {
    where.push(sql`exists (select 1 from json_each(${addresses.tags}) where json_each.value = ${tag})`);
  }
  const words = params.search ? searchWords(params.search) : [];
  if (words.length) {
    where[0] = sql`+${addresses.tenantId} = ${tenantId}`;
    const match = `tenant : "${tenantToken(tenantId)}" AND (${allPrefixes("body", words)})`;
    where.push(
      sql`${addresses}.rowid in (select rowid from addresses_fts where addresses_fts match ${match})`,
    );
  }
  const { page: _p, page_size: _s, cursor: _c, ...filters } = params;
  return listChildren(db, kind, tenantId, { where, params, resource: "addresses", filters, secret });
}

/** Addresses of a set of contacts (given as a subquery or ids), for `expand`: one query for the whole page. */
export function addressesOf(db: Db, tenantId: string, contactIds: SQL | string[]): Query<AddressRow[]> {
  return db
    .select()
    .from(addresses)
    .where(sql`${addresses.tenantId} = ${tenantId} and ${inArray(addresses.contactId, contactIds)}`)
    .orderBy(addresses.createdAt, addresses.id);
}
