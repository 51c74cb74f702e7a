import { sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { holdsProtected } from "../pii/protection";
import { ApiError } from "./errors";

/**
 * Entity tags of single records (API.md, Safe retries): strong, from the record's `version`, written
 * `"<version>"` (RFC 9110 entity-tag syntax). A tag is compared only with tags of the same URL (a
 * client sends back what that URL answered), so the version alone identifies the representation; a
 * contact's props answer with the contact's tag, since every props change bumps the contact's version.
 */

/** A strong ETag from a record's version: every write increments it in the same statement. */
export const etagOf = (version: number) => `"${version}"`;

/**
 * The strong ETag of a record read with the records it embeds (`expand`): its version and a hash of
 * each embedded record's id and version, in order. An embedded record's write moves its own version,
 * not the record's, and adding or removing one changes the list: either changes the tag.
 */
export function expandedEtagOf(version: number, embedded: readonly { id: string; version: number }[]) {
  return `"${version}-${hash53(embedded.map((r) => `${r.id}:${r.version}`).join(","))}"`;
}

/**
 * The tag of a representation's masked variant: what a reader without `contacts:pii` gets of a record
 * that holds a protected identifier. It differs from the clear variant's tag (a strong tag names one
 * representation, RFC 9110 §8.8.1) and still names the record's version, so If-Match accepts it.
 */
export function maskedVariantOf(tag: string): string {
  const match = /^"([0-9]+)(?:-([0-9a-z]+))?"$/.exec(tag);
  if (!match) return tag;
  const [, version, suffix] = match;
  return `"${version}-${suffix === undefined ? "m" : hash53(`${suffix}|masked`)}"`;
}

/** The tag a reader gets for `object`: the masked variant's when it hides a protected identifier. */
export const readerTag = (tag: string, object: unknown, clear: boolean) =>
  !clear && holdsProtected(object) ? maskedVariantOf(tag) : tag;

/** A 53-bit string hash (cyrb53), base-36: ample to tell two states of one representation apart. */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * The versions an If-Match header accepts (RFC 9110 §13.1.1: a list of entity tags, compared strongly):
 * each strong tag of ours, once. A tag read with `expand` ("<version>-<hash>") names the record's
 * version too: the write is to the record, whose version is what it compares. `*` matches any existing
 * record (undefined: no condition); a list with none of ours (weak tags, other shapes) never matches
 * (empty).
 */
export type IfMatch = readonly number[] | undefined;

export function versionsOfIfMatch(header: string | undefined): IfMatch {
  if (header === undefined) return undefined;
  const tags = listedTags(header);
  if (tags.includes("*")) return undefined;
  const versions = tags.flatMap((tag) => {
    const match = /^"([1-9][0-9]{0,15})(?:-[0-9a-z]{1,16})?"$/.exec(tag);
    return match?.[1] ? [Number(match[1])] : [];
  });
  return [...new Set(versions)];
}

/** Whether a record at `version` meets the If-Match condition. */
export const meetsIfMatch = (ifMatch: IfMatch, version: number) =>
  ifMatch === undefined || ifMatch.includes(version);

/**
 * The If-Match condition on a version column, as SQL: one bound JSON list however many tags the header
 * names (D1 binds at most 100 values per statement).
 */
export const versionIn = (column: SQLiteColumn, versions: readonly number[]) =>
  sql`${column} in (select value from json_each(${JSON.stringify(versions)}))`;

/** The entity tags listed in an If-None-Match header ("*" stays "*"); weak tags keep `W/`. */
export function listedTags(header: string): string[] {
  return header
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/** RFC 9110 §8.8.3.2 weak comparison (If-None-Match): the opaque tags match, `W/` ignored. */
export function weakMatch(header: string, etag: string): boolean {
  const opaque = etag.replace(/^W\//, "");
  return listedTags(header).some((t) => t === "*" || t.replace(/^W\//, "") === opaque);
}

/** 412: the record changed since the client read it (If-Match); nothing was written. */
export const preconditionFailed = (version: number) =>
  new ApiError("precondition_failed", "The record has changed since it was read (If-Match)", {
    headers: { ETag: etagOf(version) },
  });

/** Throws 412 unless the current version is one the client named (If-Match). */
export function checkIfMatch(ifMatch: IfMatch, current: number): void {
  if (!meetsIfMatch(ifMatch, current)) throw preconditionFailed(current);
}
