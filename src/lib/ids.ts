import { monotonicFactory } from "ulid";
import { notFound } from "./errors";

const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/**
 * Random bytes drawn from crypto.getRandomValues 256 at a time: the default generator of `ulid` asks
 * for one byte per character (16 calls per id), which showed in the CPU profile of every request.
 */
const pool = new Uint8Array(256);
let next = pool.length;
function random(): number {
  if (next === pool.length) {
    crypto.getRandomValues(pool);
    next = 0;
  }
  return (pool[next++] ?? 0) / 256;
}

const factory = monotonicFactory(random);

/** A new ULID: time-ordered, upper-case Crockford base32. */
export function newId(now = Date.now()): string {
  return factory(now);
}

/** The canonical (upper-case) form of an id, or null when it is not a well-formed ULID. */
export function parseId(value: string): string | null {
  const upper = value.toUpperCase();
  return ULID_RE.test(upper) ? upper : null;
}

/** A path id in canonical form; a malformed one names no record, so it is a 404. */
export function pathId(value: string, what: string): string {
  const id = parseId(value);
  if (!id) throw notFound(what);
  return id;
}
