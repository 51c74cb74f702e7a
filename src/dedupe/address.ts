/**
 * The address signal of a contact's props, for dedupe: the house number at the address's PIN code
 * ("the place", `560001/12`). Free-text addresses are spelt every which way ("12, MG Road" / "No. 12
 * M.G. Rd."), so nothing else of them is compared.
 *
 * What it is worth (scoring.ts): a place is a household, which with an agreeing name is evidence like
 * a date of birth. A PIN code alone is not kept: tens of thousands of people share one, so a name and
 * a PIN code together say little more than the name. Not an identifier: a malformed address is never
 * refused, it just yields no signal.
 */

import { foldIdentifierText, propKeyForm } from "./identifiers";

/** Prop keys holding a whole address (in propKeyForm). */
const ADDRESS_KEYS = new Set([
  "address",
  "addr",
  "address_line",
  "address_line_1",
  "address_line1",
  "full_address",
  "current_address",
  "present_address",
  "permanent_address",
  "residential_address",
  "residence_address",
  "communication_address",
  "correspondence_address",
  "office_address",
  "registered_address",
  "business_address",
]);
/** An Indian PIN code: six digits, the first not 0, sometimes written "560 001". */
const PIN_RE = /(?<![0-9])([1-9][0-9]{2})\s?([0-9]{3})(?![0-9])/g;
const MAX_ADDRESSES = 3;

/** The house number of an address: its first word with a digit ("12", "B-204", "12/3A"), canonical. */
function houseNumber(address: string): string | null {
  for (const word of address.split(/[\s,;]+/)) {
    if (!/[0-9]/.test(word)) continue;
    const house = word.toUpperCase().replace(/[^0-9A-Z]/g, "");
    return house.length > 0 && house.length <= 8 ? house : null;
  }
  return null;
}

/**
 * The places of props' addresses, as the identifier index stores them (kind `address`): `<pin>/<house>`
 * for an address showing a PIN code and a house number before it. Sorted by value, deduplicated (the
 * first prop holding a value names its field), from at most 3 addresses.
 */
export function addressPlaces(
  props: readonly { key: string; value: unknown }[],
): { value: string; field: string }[] {
  const values = new Map<string, string>();
  let addresses = 0;
  for (const { key, value } of props) {
    if (typeof key !== "string" || typeof value !== "string") continue;
    if (!ADDRESS_KEYS.has(propKeyForm(key))) continue;
    if (addresses >= MAX_ADDRESSES) break;
    const text = foldIdentifierText(value);
    // The PIN is at the end of an address: take the last six-digit run.
    const pins = [...text.matchAll(PIN_RE)];
    const last = pins[pins.length - 1];
    if (!last || last.index === undefined) continue;
    addresses++;
    const house = houseNumber(text.slice(0, last.index));
    const place = house && `${last[1]}${last[2]}/${house}`;
    if (place && !values.has(place)) values.set(place, `props.${key}`);
  }
  return [...values]
    .map(([value, field]) => ({ value, field }))
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
