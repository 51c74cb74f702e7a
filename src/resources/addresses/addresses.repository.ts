import { eq, inArray, type SQL, sql } from "drizzle-orm";
import { addresses } from "../../db/schema";
import type { Db } from "../../env";
import type { Query } from "../../lib/batch";
import type { IfMatch } from "../../lib/etag";
import { sortedKeys } from "../../lib/fields";
import { newRecord } from "../../lib/ids";
import { createdAtRange } from "../../lib/list";
import { allPrefixes, ftsMatch, searchWords } from "../../lib/search";
import { immutableContact, linkedContact } from "../children/child-links";
import {
  type ChildKind,
  createChild,
  deleteChild,
  getChild,
  listChildren,
  updateChild,
} from "../children/child-records";
import { recordFields } from "../history/history.changes";
import { type AddressRow, toAddress } from "./addresses.mappers";
import type { AddressCreate, AddressListParams, AddressUpdate } from "./addresses.schemas";

export const addressKind: ChildKind<typeof addresses> = {
  table: addresses,
  subject: "address",
  label: "Address",
  fields: (row) => recordFields(toAddress(row)),
  owners: (row) => [row.contactId],
  ownerColumns: [addresses.contactId],
  links: (row) => [{ path: "contact_id", id: row.contactId }],
  conflict: "This address already exists",
};

/** The row a create stores: the body's fields with the persistence defaults. */
export function newAddressRow(
  tenantId: string,
  userId: string,
  input: AddressCreate,
  { id, at } = newRecord(),
): AddressRow {
  return {
    id,
    tenantId,
    contactId: linkedContact(input.contact_id, "contact_id"),
    addressLine: input.address_line ?? null,
    city: input.city ?? null,
    state: input.state ?? null,
    pincode: input.pincode ?? null,
    country: input.country ?? null,
    type: input.type ?? "current",
    lat: input.coords?.lat ?? null,
    lng: input.coords?.lng ?? null,
    codes: sortedKeys(input.codes ?? null),
    tags: input.tags ?? [],
    version: 1,
    createdEntry: false,
    createdAt: at,
    createdBy: userId,
    updatedAt: at,
    updatedBy: null,
  };
}

export function createAddress(db: Db, tenantId: string, userId: string, input: AddressCreate) {
  return createChild(db, addressKind, newAddressRow(tenantId, userId, input));
}

export const getAddress = (db: Db, tenantId: string, id: string) => getChild(db, addressKind, tenantId, id);

/** The columns a PATCH sets: only the fields sent. */
function changes(input: AddressUpdate, current: AddressRow): Partial<AddressRow> {
  immutableContact(input.contact_id, current.contactId);
  const set: Partial<AddressRow> = {};
  if (input.address_line !== undefined) set.addressLine = input.address_line;
  if (input.city !== undefined) set.city = input.city;
  if (input.state !== undefined) set.state = input.state;
  if (input.pincode !== undefined) set.pincode = input.pincode;
  if (input.country !== undefined) set.country = input.country;
  if (input.type !== undefined) set.type = input.type ?? "current";
  if (input.coords !== undefined) {
    set.lat = input.coords?.lat ?? null;
    set.lng = input.coords?.lng ?? null;
  }
  if (input.codes !== undefined) set.codes = sortedKeys(input.codes);
  if (input.tags !== undefined) set.tags = input.tags ?? [];
  return set;
}

export const updateAddress = (
  db: Db,
  tenantId: string,
  userId: string,
  id: string,
  input: AddressUpdate,
  ifMatch?: IfMatch,
) => updateChild(db, addressKind, tenantId, userId, id, (current) => changes(input, current), ifMatch);

export const deleteAddress = (db: Db, tenantId: string, userId: string, id: string, ifMatch?: IfMatch) =>
  deleteChild(db, addressKind, tenantId, userId, id, ifMatch);

export function listAddresses(db: Db, tenantId: string, params: AddressListParams, secret: string) {
  const where: SQL[] = [
    eq(addresses.tenantId, tenantId),
    ...createdAtRange(addresses.createdAt, params, addresses.id),
  ];
  if (params.contact !== undefined) where.push(eq(addresses.contactId, params.contact));
  if (params.type) where.push(eq(addresses.type, params.type));
  for (const tag of params.tags ?? []) {
    where.push(sql`exists (select 1 from json_each(${addresses.tags}) where json_each.value = ${tag})`);
  }
  const words = params.search ? searchWords(params.search) : [];
  if (words.length) {
    where[0] = sql`+${addresses.tenantId} = ${tenantId}`;
    const match = ftsMatch(tenantId, allPrefixes("body", words));
    where.push(
      sql`${addresses}.rowid in (select rowid from addresses_fts where addresses_fts match ${match})`,
    );
  }
  const { page: _p, page_size: _s, cursor: _c, ...filters } = params;
  return listChildren(db, addressKind, tenantId, { where, params, resource: "addresses", filters, secret });
}

/** Addresses of a set of contacts (given as a subquery or ids), for `expand`: one query for the whole page. */
export function addressesOf(db: Db, tenantId: string, contactIds: SQL | string[]): Query<AddressRow[]> {
  return db
    .select()
    .from(addresses)
    .where(sql`${addresses.tenantId} = ${tenantId} and ${inArray(addresses.contactId, contactIds)}`)
    .orderBy(addresses.id); // id order is creation order (lib/ids newRecord)
}
