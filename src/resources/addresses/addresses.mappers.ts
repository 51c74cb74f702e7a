import type { addresses } from "../../db/schema";
import { auditOf } from "../../lib/fields";

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
    type: row.type,
    coords: row.lat === null || row.lng === null ? null : { lat: row.lat, lng: row.lng },
    codes: row.codes,
    tags: row.tags,
    ...auditOf(row),
  };
}
