import { decodeTime, encodeTime, monotonicFactory } from "ulid";
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

/**
 * A new record's id and creation time. The time is the id's own, so ordering by id is ordering by
 * (created_at, id), and one index on (..., id) serves both (migrations/0011).
 */
export function newRecord(now = Date.now()): { id: string; at: string } {
  const id = newId(now);
  return { id, at: new Date(decodeTime(id)).toISOString() };
}

/**
 * The range of ids created in [from, to] (ms), widened by a second on each side for records whose
 * created_at was taken apart from their id (before migrations/0011): a coarse index range that an exact
 * created_at condition then narrows.
 */
export function idRange(from: number | null, to: number | null): { min?: string; max?: string } {
  const MARGIN = 1000;
  const clamp = (ms: number) => Math.min(Math.max(ms, 0), 2 ** 48 - 1);
  return {
    min: from === null ? undefined : `${encodeTime(clamp(from - MARGIN), 10)}${"0".repeat(16)}`,
    max: to === null ? undefined : `${encodeTime(clamp(to + MARGIN), 10)}${"Z".repeat(16)}`,
  };
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
