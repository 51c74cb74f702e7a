/**
 * AES-256-GCM envelopes for protected identifiers.
 *
 *   v1.<key id>.<iv>.<ciphertext+tag>[.<shown>]
 *
 * `iv` is a fresh random 12-byte nonce per value, `ciphertext+tag` the GCM output (plaintext length + 16
 * bytes), both unpadded base64url. The envelope is text so it fits the TEXT columns values already live
 * in, names its key so rotation can find old values with a `LIKE 'v1.<old id>.%'` and any listed key can
 * decrypt, and is versioned so the format can change. `shown` is the clear tail a mask displays (the
 * last four characters, which every reader of the API may see anyway): with it and the ciphertext's
 * length a masked read needs no decryption.
 *
 * Additional authenticated data binds the ciphertext to its place: the version, key id, `shown` and a
 * caller `context` (the tenant and identifier kind, see protection.ts). An envelope copied to another
 * tenant's row, or edited to show another tail, fails to decrypt instead of revealing a value there.
 */

import { fromBase64Url, toBase64Url } from "./base64";
import type { KeyRing } from "./keyring";

export type CipherOptions = {
  /** Bound into the tag: decryption must pass the same context. */
  context?: string;
  /** The clear tail kept in the envelope for masks: 1-4 ASCII letters or digits. */
  shown?: string;
};

/** An envelope that does not decrypt: unknown key id, tampered, wrong context, or not an envelope. */
export class PiiDecryptError extends Error {
  override readonly name = "PiiDecryptError";
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENVELOPE_RE =
  /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})(?:\.([A-Za-z0-9]{1,4}))?$/;
const SHOWN_RE = /^[A-Za-z0-9]{1,4}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function additionalData(keyId: string, context: string, shown: string): Uint8Array {
  return encoder.encode(`${VERSION}\u001f${keyId}\u001f${context}\u001f${shown}`);
}

/** Encrypts with the ring's newest key and a fresh IV. */
export async function encrypt(
  ring: KeyRing,
  plaintext: string,
  options: CipherOptions = {},
): Promise<string> {
  const shown = options.shown ?? "";
  if (shown !== "" && !SHOWN_RE.test(shown)) throw new TypeError("shown must be 1-4 ASCII letters or digits");
  const { id, key } = ring.primary;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(id, options.context ?? "", shown) },
    key,
    encoder.encode(plaintext),
  );
  const envelope = `${VERSION}.${id}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
  return shown ? `${envelope}.${shown}` : envelope;
}

/** The plaintext of an envelope; throws PiiDecryptError (which names no key material or value). */
export async function decrypt(
  ring: KeyRing,
  envelope: string,
  options: Pick<CipherOptions, "context"> = {},
): Promise<string> {
  const m = typeof envelope === "string" ? ENVELOPE_RE.exec(envelope) : null;
  const [, id, ivText, sealedText, shown] = m ?? [];
  if (id === undefined || ivText === undefined || sealedText === undefined) {
    throw new PiiDecryptError("not a v1 envelope");
  }
  const ringKey = ring.keys.get(id);
  if (!ringKey) throw new PiiDecryptError(`no key with id ${id} in PII_KEYS`);
  const iv = fromBase64Url(ivText);
  const sealed = fromBase64Url(sealedText);
  if (!iv || !sealed || iv.length !== IV_BYTES || sealed.length < TAG_BYTES) {
    throw new PiiDecryptError("malformed envelope");
  }
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: additionalData(id, options.context ?? "", shown ?? "") },
      ringKey.key,
      sealed,
    );
  } catch {
    throw new PiiDecryptError(`envelope failed authentication (key ${id}): tampered or another context`);
  }
  return decoder.decode(plain);
}

/** Whether s has the shape of an envelope (it may still fail to decrypt). */
export function isEnvelope(s: unknown): s is string {
  return typeof s === "string" && s.startsWith("v1.") && ENVELOPE_RE.test(s);
}

/** The id of the key an envelope was sealed with, or null for a non-envelope. */
export function keyIdOf(envelope: string): string | null {
  return ENVELOPE_RE.exec(envelope)?.[1] ?? null;
}

/**
 * What an envelope shows without decrypting: its clear tail ("" when none) and its plaintext's length
 * (its characters, for the ASCII identifiers stored); null for a non-envelope. One match, so a read that
 * masks every protected prop parses each value once.
 */
export function envelopeShape(envelope: string): { shown: string; length: number } | null {
  const m = ENVELOPE_RE.exec(envelope);
  const sealedText = m?.[3];
  if (!m || sealedText === undefined) return null;
  return { shown: m[4] ?? "", length: Math.floor((sealedText.length * 3) / 4) - TAG_BYTES };
}

/** Whether an envelope was sealed with a key other than the ring's newest (rotation pending). */
export function needsRotation(envelope: string, ring: KeyRing): boolean {
  const id = keyIdOf(envelope);
  return id !== null && id !== ring.primary.id;
}

/** The same plaintext, context and tail under the ring's newest key and a fresh IV. */
export async function reencrypt(
  ring: KeyRing,
  envelope: string,
  options: Pick<CipherOptions, "context"> = {},
): Promise<string> {
  const plaintext = await decrypt(ring, envelope, options);
  return encrypt(ring, plaintext, {
    context: options.context,
    shown: envelopeShape(envelope)?.shown || undefined,
  });
}
