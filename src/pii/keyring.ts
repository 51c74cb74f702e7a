/**
 * The key ring for protected identifiers: the secret `PII_KEYS`, a JSON list of `{"id", "key"}`, newest
 * first; `key` is standard base64 of 32 random bytes (AES-256). New values are encrypted with the first
 * key; any listed key decrypts. `npm run pii:key` prints a fresh entry.
 *
 * Parsing and importing happen once per isolate and secret string: the ring is cached by the secret's
 * text, so a request pays a Map lookup. Errors name the entry and the rule, never key material.
 */

import { fromBase64 } from "./base64";

export type RingKey = { readonly id: string; readonly key: CryptoKey };

export type KeyRing = {
  /** The key new values are encrypted with: the first of the list. */
  readonly primary: RingKey;
  /** Every key by id, the primary included. */
  readonly keys: ReadonlyMap<string, RingKey>;
};

/** `PII_KEYS` is missing or malformed. The message never contains key material. */
export class PiiKeysError extends Error {
  override readonly name = "PiiKeysError";
}

/** Key ids go into every envelope: short, and free of the envelope's `.` separator. */
export const KEY_ID_RE = /^[A-Za-z0-9_-]{1,32}$/;

/** The validated entries of a `PII_KEYS` value: raw key bytes by id, newest first. */
export function parsePiiKeys(secret: string | undefined): { id: string; bytes: Uint8Array }[] {
  if (typeof secret !== "string" || secret.trim() === "") {
    throw new PiiKeysError("PII_KEYS is not set: protected identifiers cannot be stored or read");
  }
  let list: unknown;
  try {
    list = JSON.parse(secret);
  } catch {
    // JSON.parse's own message quotes the input; this one must not.
    throw new PiiKeysError('PII_KEYS is not valid JSON: expected [{"id": "...", "key": "<base64>"}, ...]');
  }
  if (!Array.isArray(list) || list.length === 0) {
    throw new PiiKeysError("PII_KEYS must be a non-empty JSON list of {id, key}, newest first");
  }
  const seen = new Set<string>();
  return list.map((entry: unknown, i) => {
    const where = `PII_KEYS[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new PiiKeysError(`${where} must be an object {id, key}`);
    }
    const fields = Object.keys(entry);
    const extra = fields.find((f) => f !== "id" && f !== "key");
    if (extra !== undefined) throw new PiiKeysError(`${where} has an unknown field (only id and key)`);
    const id = "id" in entry ? entry.id : undefined;
    const key = "key" in entry ? entry.key : undefined;
    if (typeof id !== "string" || !KEY_ID_RE.test(id)) {
      throw new PiiKeysError(`${where}.id must be 1-32 characters of A-Z a-z 0-9 _ -`);
    }
    if (seen.has(id)) throw new PiiKeysError(`${where}.id repeats an earlier id`);
    seen.add(id);
    const bytes = typeof key === "string" ? fromBase64(key) : null;
    if (bytes?.length !== 32) {
      throw new PiiKeysError(`${where}.key (id ${id}) must be standard base64 of exactly 32 bytes`);
    }
    return { id, bytes };
  });
}

const rings = new Map<string, Promise<KeyRing>>();

async function importRing(secret: string): Promise<KeyRing> {
  const entries = parsePiiKeys(secret);
  const keys = new Map<string, RingKey>();
  for (const { id, bytes } of entries) {
    const key = await crypto.subtle.importKey("raw", bytes, { name: "AES-GCM" }, false, [
      "encrypt",
      "decrypt",
    ]);
    keys.set(id, { id, key });
  }
  // parsePiiKeys returns a non-empty list, so the newest key is always there.
  const primary = entries[0] && keys.get(entries[0].id);
  if (!primary) throw new PiiKeysError("PII_KEYS must be a non-empty JSON list of {id, key}, newest first");
  return { primary, keys };
}

/**
 * The key ring of a `PII_KEYS` value, imported once per isolate (a rejected parse is not cached, so a
 * fixed secret is picked up). Throws PiiKeysError when the secret is missing or malformed.
 */
export function keyRing(secret: string | undefined): Promise<KeyRing> {
  if (typeof secret !== "string") {
    return Promise.reject(
      new PiiKeysError("PII_KEYS is not set: protected identifiers cannot be stored or read"),
    );
  }
  let ring = rings.get(secret);
  if (!ring) {
    // A deployment has one secret; a rotation briefly two. Bound the cache anyway.
    if (rings.size >= 4) rings.clear();
    ring = importRing(secret);
    rings.set(secret, ring);
    ring.catch(() => rings.delete(secret));
  }
  return ring;
}
