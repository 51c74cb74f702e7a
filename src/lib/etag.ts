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
