import { invalid } from "../../lib/errors";
import { parseId } from "../../lib/ids";

/** A body's contact id: a malformed one names no contact of the tenant, so it is the same 400. */
export function linkedContact(raw: string, path: string): string {
  const id = parseId(raw);
  if (!id) throw invalid([{ path, code: "unknown_contact", message: "is not a contact of this tenant" }]);
  return id;
}

/** The owning contact of a record cannot change: sending another one is 400. */
export function immutableContact(sent: string | undefined, current: string, path = "contact_id"): void {
  if (sent !== undefined && parseId(sent) !== current) {
    throw invalid([{ path, code: "immutable", message: "cannot change after creation" }]);
  }
}
