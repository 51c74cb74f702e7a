/**
 * Signals: what dedupe scoring reads of a contact besides its identifiers, kept in the identifier
 * index as rows of their own kinds. They are never looked up (no candidate is found by them: an
 * address or a holder type is shared by many), only compared once a candidate is found.
 *
 *  - `pan`: one row per PAN (of a PAN prop, or the PAN a GSTIN embeds), `<type>.<half>.<half>`:
 *    - its holder-type letter (the 4th character: P a person, C a company, F a firm, H an HUF, T a
 *      trust ...). The PAN itself is indexed only as its keyed hash, which hides this category too; a
 *      category letter says nothing of who the holder is (not personal data), so it is kept in clear;
 *    - the keyed hashes of each half of the PAN ("ABCPK" and "1234F" apart), 64 bits each. A PAN keyed
 *      with one wrong character is still a valid PAN (letters and digits keep their places), and its
 *      hash differs from the right one's entirely; one half is untouched, so a shared half hash with
 *      the whole hashes differing is that keying error, as comparing the PANs in clear would show.
 *  - `address`: the house number at the PIN code of an address prop (address.ts). Addresses
 *    are not a protected kind (props keep them in clear), so neither are these fragments.
 */

import { addressPlaces } from "./address";
import { hashIdentifier, identifierKindOfKey, normaliseIdentifier, panOfGstin } from "./identifiers";

export const SIGNAL_KINDS = ["pan_sig", "address"] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];
export type Signal = { kind: SignalKind; value: string; field: string };

export function isSignalKind(kind: string): kind is SignalKind {
  return SIGNAL_KINDS.some((k) => k === kind);
}

/**
 * Kinds dedupe compares but never looks up by value: a date of birth (shared by thousands) and the
 * similarity signatures. The probe index (`contact_identifiers_probe_idx`, migration 0016; src/db/schema.ts)
 * leaves their rows out; SQLite uses a partial index only for a query that states its condition, so
 * every lookup by (kind, value) states PROBED_KIND_CONDITION, the index's own text.
 */
export const UNPROBED_KINDS = ["dob", ...SIGNAL_KINDS] as const;
export const PROBED_KIND_CONDITION = `kind not in (${UNPROBED_KINDS.map((k) => `'${k}'`).join(", ")})`;

/** Hex characters kept of a half's keyed hash: 64 bits, beyond any collision among a tenant's PANs. */
const HALF_HASH_CHARS = 16;

/** The holder-type letter and the two half hashes of a `pan_sig` value. */
export function readPanSignal(value: string): { holder: string; halves: string[] } {
  const [holder = "", ...halves] = value.split(".");
  return { holder, halves: halves.filter(Boolean) };
}

/** The two half-PAN masks of a canonical PAN: each half kept, the other masked. */
export function panHalves(pan: string): [string, string] {
  return [`${pan.slice(0, 5)}*****`, `*****${pan.slice(5)}`];
}

/** The signals of a contact's props; PAN halves hashed under hmacKey, as identifiers are. */
export async function signalsOf(
  props: readonly { key: string; value: unknown }[],
  hmacKey: string,
): Promise<Signal[]> {
  const signals: Signal[] = [];
  const seen = new Set<string>();
  const add = (signal: Signal) => {
    const key = `${signal.kind}\u0000${signal.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    signals.push(signal);
  };
  for (const { key, value } of props) {
    if (typeof key !== "string" || typeof value !== "string") continue;
    const kind = identifierKindOfKey(key);
    if (kind !== "pan" && kind !== "gstin") continue;
    const canonical = normaliseIdentifier(kind, value);
    if (!canonical) continue;
    const pan = kind === "gstin" ? panOfGstin(canonical) : canonical;
    const halves = await Promise.all(
      panHalves(pan).map(async (half) => (await hashIdentifier(half, hmacKey)).slice(0, HALF_HASH_CHARS)),
    );
    add({ kind: "pan_sig", value: [pan.charAt(3), ...halves].join("."), field: `props.${key}` });
  }
  for (const { value, field } of addressPlaces(props)) add({ kind: "address", value, field });
  return signals;
}
