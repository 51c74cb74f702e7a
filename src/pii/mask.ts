/**
 * Masks: what readers without `contacts:pii` (and every history entry) see of a protected identifier.
 * Every character but the last four becomes `X` (`XXXXXX234F`); Aadhaar is stored only as its mask
 * (`XXXXXXXX1234`). No mask of a canonical identifier is itself a valid identifier of its kind (a PAN's
 * 4th letter is never X, passports and voter ids need digits where masks have X ...), so a masked value
 * sent back can never be mistaken for a new identifier.
 */

import { foldIdentifierText } from "../dedupe/identifiers";

export const MASK_CHAR = "X";
const SHOWN = 4;

/** Every character but the last four as `X`; a value of four characters or fewer is masked whole. */
export function mask(value: string): string {
  if (value.length <= SHOWN) return MASK_CHAR.repeat(value.length);
  return MASK_CHAR.repeat(value.length - SHOWN) + value.slice(-SHOWN);
}

/** The clear tail a mask keeps ("" for a value of four characters or fewer). */
export function shownTail(value: string): string {
  return value.length <= SHOWN ? "" : value.slice(-SHOWN);
}

/** The stored and returned form of a canonical Aadhaar number: `XXXXXXXX` and the last four digits. */
export function maskAadhaar(canonical: string): string {
  return mask(canonical);
}

/** Whether a value has the shape of a mask: X's then at most four letters or digits. */
export function looksMasked(value: string): boolean {
  return /^X+[0-9A-Z]{0,4}$/.test(normaliseMask(value));
}

/** A mask as a client may send it back: folded, separators removed, `x` read as `X`. */
export function normaliseMask(value: string): string {
  return foldIdentifierText(value)
    .replace(/[\s./-]+/g, "")
    .replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** Whether `masked` is the mask of the canonical value `clear` ("a masked value sent back unchanged"). */
export function isMaskOf(masked: string, clear: string): boolean {
  return typeof masked === "string" && normaliseMask(masked) === mask(clear);
}

/** The last four digits of a bank account number: stored in clear for search by digits. */
export function last4(accountNumber: string): string {
  return foldIdentifierText(accountNumber)
    .replace(/[^0-9]/g, "")
    .slice(-SHOWN);
}
