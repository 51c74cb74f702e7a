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
 * The version an If-Match header names: one strong ETag of ours. `*` matches any existing record
 * (undefined: no condition); anything else can never match (0).
 */
export function versionOfIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === "*") return undefined;
  const match = /^"([1-9][0-9]{0,15})"$/.exec(value);
  return match?.[1] ? Number(match[1]) : 0;
}

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

/** Throws 412 unless the version the client read (If-Match) is the current one. */
export function checkIfMatch(ifMatch: number | undefined, current: number): void {
  if (ifMatch !== undefined && ifMatch !== current) throw preconditionFailed(current);
}
