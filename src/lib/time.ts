/** Current time as ISO 8601 UTC with milliseconds, the one stored and returned format. */
export function nowIso(): string {
  return new Date().toISOString();
}
