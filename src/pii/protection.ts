/**
 * Personal data at rest (API.md "Personal data"): what repositories store for identifier props and bank
 * account numbers, and what mappers return for them.
 *
 * - `encrypted` kinds (PAN, passport, voter id, driving licence, bank account number): an AES-GCM
 *   envelope (cipher.ts) bound to the tenant and kind; clear for `contacts:pii` readers, else masked.
 * - `masked` kind (Aadhaar): only the mask is stored, dedupe compares a keyed hash (hashIdentifier).
 * - `plain` kinds (mobile, email, GSTIN, date of birth): the canonical value.
 *
 * Values pass through here canonical: call `validateIdentifierProps` first (it refuses what
 * `protectProps` would have to refuse).
 */

import {
  canonicalIdentifier,
  type IdentifierKind,
  identifierKindOfKey,
  type Prop,
  protectionOf,
} from "../dedupe/identifiers";
import { decrypt, encrypt, envelopeShape, isEnvelope, needsRotation } from "./cipher";
import { type KeyRing, keyRing } from "./keyring";
import { MASK_CHAR, mask, normaliseMask, shownTail } from "./mask";

export type { Prop } from "../dedupe/identifiers";

/** Where a value lives: bound into its ciphertext, so it decrypts nowhere else. */
export type ProtectionContext = { tenantId: string };

/**
 * A prop after `mergeMaskedWrites`: `kept` props carry the value stored under their own key, to be
 * written back as is.
 */
export type MergedProp<P extends Prop = Prop> = P & { kept?: boolean };

/** A key ring, or the `PII_KEYS` secret to load one from when a value actually needs it. */
export type RingSource = KeyRing | string | undefined;

function ringOf(source: RingSource): Promise<KeyRing> {
  return typeof source === "object" ? Promise.resolve(source) : keyRing(source);
}

function contextOf(ctx: ProtectionContext, kind: IdentifierKind): string {
  return `${ctx.tenantId}\u001f${kind}`;
}

// ---------------------------------------------------------------------------------------------
// One value

/**
 * The stored form of a canonical value: an envelope, the Aadhaar mask, or the value itself. For
 * `bank_account` the value is the account number alone (digits).
 */
export async function protectValue(
  ring: RingSource,
  kind: IdentifierKind,
  canonical: string,
  ctx: ProtectionContext,
): Promise<string> {
  switch (protectionOf(kind)) {
    case "encrypted":
      return encrypt(await ringOf(ring), canonical, {
        context: contextOf(ctx, kind),
        shown: shownTail(canonical) || undefined,
      });
    case "masked":
      return mask(canonical);
    case "plain":
      return canonical;
  }
}

/** The masked form of a stored value, without decrypting: for masked reads and history. */
export function maskStoredValue(kind: IdentifierKind, stored: string): string {
  switch (protectionOf(kind)) {
    case "encrypted": {
      const shape = envelopeShape(stored);
      if (shape) return MASK_CHAR.repeat(Math.max(0, shape.length - shape.shown.length)) + shape.shown;
      return mask(stored); // written before encryption existed: the rotation job encrypts it
    }
    case "masked":
      return stored.startsWith(MASK_CHAR) ? stored : mask(stored);
    case "plain":
      return stored;
  }
}

/** What a reader sees: clear (a `contacts:pii` token) or masked. Aadhaar is always the mask. */
export async function revealValue(
  ring: RingSource,
  kind: IdentifierKind,
  stored: string,
  ctx: ProtectionContext,
  options: { clear: boolean },
): Promise<string> {
  if (options.clear && protectionOf(kind) === "encrypted" && isEnvelope(stored)) {
    return decrypt(await ringOf(ring), stored, { context: contextOf(ctx, kind) });
  }
  if (options.clear && protectionOf(kind) === "encrypted") return stored;
  return maskStoredValue(kind, stored);
}

// ---------------------------------------------------------------------------------------------
// A contact's props

/**
 * The stored props of validated props: identifiers canonical, Aadhaar masked, protected kinds
 * encrypted. `kept` props are written back unchanged. An encrypted value equal to one in `previous`
 * (the props stored before this write) reuses that envelope, so an unchanged value stays byte-equal and
 * a write that changes nothing is recognised as such.
 */
export async function protectProps<P extends Prop>(
  ring: RingSource,
  props: readonly MergedProp<P>[],
  ctx: ProtectionContext,
  previous: readonly Prop[] = [],
): Promise<Omit<MergedProp<P>, "kept">[]> {
  return Promise.all(
    props.map(async ({ kept, ...prop }, index) => {
      const { key, value } = prop;
      if (kept) return prop;
      const kind = identifierKindOfKey(key);
      if (!kind) return prop;
      const canonical = canonicalIdentifier(kind, value);
      if (!canonical.ok) {
        // A caller bug, never a client error: validateIdentifierProps runs first. No value in the message.
        throw new TypeError(`protectProps: props.${index}.value is not a valid identifier; validate first`);
      }
      if (protectionOf(kind) === "encrypted") {
        const reused = await sameEnvelope(ring, kind, canonical.value, ctx, previous);
        if (reused) return { ...prop, value: reused };
      }
      return { ...prop, value: await protectValue(ring, kind, canonical.value, ctx) };
    }),
  );
}

async function sameEnvelope(
  ring: RingSource,
  kind: IdentifierKind,
  canonical: string,
  ctx: ProtectionContext,
  previous: readonly Prop[],
): Promise<string | null> {
  const masked = mask(canonical);
  for (const old of previous) {
    if (!isEnvelope(old.value) || identifierKindOfKey(old.key) !== kind) continue;
    // Only an envelope with the same mask can hold the same value: decrypt those alone.
    if (maskStoredValue(kind, old.value) !== masked) continue;
    try {
      const r = await ringOf(ring);
      if (needsRotation(old.value, r)) continue;
      if ((await decrypt(r, old.value, { context: contextOf(ctx, kind) })) === canonical) return old.value;
    } catch {
      // An envelope that does not decrypt is not reused; the new value gets a fresh one.
    }
  }
  return null;
}

/** Stored props as the API returns them: clear for `contacts:pii`, else masked; Aadhaar always masked. */
export async function revealProps<P extends Prop>(
  ring: RingSource,
  stored: readonly P[],
  ctx: ProtectionContext,
  options: { clear: boolean },
): Promise<P[]> {
  if (!options.clear) return maskProps(stored);
  return Promise.all(
    stored.map(async (prop) => {
      const kind = identifierKindOfKey(prop.key);
      if (!kind) return prop;
      const value = await revealValue(ring, kind, prop.value, ctx, options);
      return value === prop.value ? prop : { ...prop, value };
    }),
  );
}

/**
 * Whether an API object (a contact, its props, a bank account, a contact with expanded banks) holds a
 * protected identifier: a reader without `contacts:pii` sees it masked, so its variant of the
 * representation differs from the clear one and needs its own entity tag.
 */
export function holdsProtected(object: unknown): boolean {
  if (typeof object !== "object" || object === null) return false;
  const record = object as Record<string, unknown>;
  if (typeof record.account_number === "string") return true;
  const props = Array.isArray(record.props) ? (record.props as unknown[]) : [];
  for (const prop of props) {
    if (typeof prop !== "object" || prop === null) continue;
    const { key, value } = prop as { key?: unknown; value?: unknown };
    const kind = typeof key === "string" ? identifierKindOfKey(key) : undefined;
    if (kind && typeof value === "string" && protectionOf(kind) === "encrypted") return true;
  }
  return Array.isArray(record.banks) && record.banks.some(holdsProtected);
}

/** Stored props with every protected value masked, without decrypting: masked reads and history. */
export function maskProps<P extends Prop>(stored: readonly P[]): P[] {
  return stored.map((prop) => {
    const kind = identifierKindOfKey(prop.key);
    if (!kind) return prop;
    const value = maskStoredValue(kind, prop.value);
    return value === prop.value ? prop : { ...prop, value };
  });
}

/**
 * "Writes of a masked value that equals the stored value's mask keep the stored value": each incoming
 * prop of an encrypted or masked kind whose value is the mask of the value stored under the same key
 * becomes that stored value, marked `kept`. Keys compare exactly, as props are upserted and kept unique
 * by key. Never another key's value, not even one of the same kind: a reader without `contacts:pii`
 * could otherwise copy an identifier it never saw in clear to a new key. Everything else is returned
 * as sent, to be validated (a mask is never a valid identifier, so it is refused there).
 */
export function mergeMaskedWrites<P extends Prop>(
  incoming: readonly P[],
  stored: readonly Prop[],
): MergedProp<P>[] {
  return incoming.map((prop) => {
    const kind = identifierKindOfKey(prop.key);
    if (!kind || protectionOf(kind) === "plain" || typeof prop.value !== "string") return prop;
    const sent = normaliseMask(prop.value);
    if (!sent.startsWith(MASK_CHAR)) return prop;
    const same = stored.find((s) => s.key === prop.key);
    return same && maskStoredValue(kind, same.value) === sent
      ? { ...prop, value: same.value, kept: true }
      : prop;
  });
}

/**
 * Merged props as the identifier index needs them: clear canonical values. Kept encrypted values are
 * decrypted back; kept Aadhaar masks cannot be (the number was never stored), so they are left out and
 * listed in `keptAadhaar` (their keys): the contact's existing `aadhaar` index row of field
 * `props.<key>` stays instead of being recomputed.
 */
export async function indexableProps(
  ring: RingSource,
  merged: readonly MergedProp[],
  ctx: ProtectionContext,
): Promise<{ props: Prop[]; keptAadhaar: string[] }> {
  const keptAadhaar: string[] = [];
  const props: Prop[] = [];
  for (const prop of merged) {
    const { key, value, type } = prop;
    const kind = prop.kept ? identifierKindOfKey(key) : null;
    if (!kind) props.push({ key, value, type });
    else if (protectionOf(kind) === "masked") keptAadhaar.push(key);
    else props.push({ key, value: await revealValue(ring, kind, value, ctx, { clear: true }), type });
  }
  return { props, keptAadhaar };
}

// ---------------------------------------------------------------------------------------------
// Rotation and backfill

/** Whether a stored value should be rewritten: an envelope under an old key, or a value stored in clear. */
export function needsReprotection(ring: KeyRing, kind: IdentifierKind, stored: string): boolean {
  switch (protectionOf(kind)) {
    case "encrypted":
      return isEnvelope(stored) ? needsRotation(stored, ring) : true;
    case "masked":
      return !stored.startsWith(MASK_CHAR);
    case "plain":
      return false;
  }
}

/**
 * The stored value rewritten under the newest key (or encrypted / masked for the first time when it
 * was stored in clear), or null when it is up to date. For the scheduled rotation job.
 */
export async function reprotectValue(
  ring: KeyRing,
  kind: IdentifierKind,
  stored: string,
  ctx: ProtectionContext,
): Promise<string | null> {
  if (!needsReprotection(ring, kind, stored)) return null;
  if (protectionOf(kind) === "encrypted" && isEnvelope(stored)) {
    const clear = await decrypt(ring, stored, { context: contextOf(ctx, kind) });
    return protectValue(ring, kind, clear, ctx);
  }
  // A clear value from before protection: canonicalise when it is valid, else protect it as it is.
  const canonical = kind === "bank_account" ? null : canonicalIdentifier(kind, stored);
  return protectValue(ring, kind, canonical?.ok ? canonical.value : stored, ctx);
}
