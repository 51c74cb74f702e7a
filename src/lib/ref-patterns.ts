/**
 * Ref-id patterns: literal text with {seq} or {seq:N} exactly once, and {yyyy} {yy} {mm} {dd}.
 * Example CUST-{yyyy}-{seq:6} -> CUST-2026-000001.
 */
const TOKEN = /\{([^}]*)\}/g;
const LITERAL = /^[A-Za-z0-9/_.-]*$/;

export function patternProblem(pattern: string): string | null {
  if (pattern.length < 1 || pattern.length > 30) return "must be 1 to 30 characters";
  let seqCount = 0;
  for (const match of pattern.matchAll(TOKEN)) {
    const name = match[1] ?? "";
    const seq = /^seq(?::(\d{1,2}))?$/.exec(name);
    if (seq) {
      const width = seq[1] === undefined ? 1 : Number(seq[1]);
      if (width < 1 || width > 12) return "{seq:N} needs N from 1 to 12";
      seqCount++;
    } else if (!["yyyy", "yy", "mm", "dd"].includes(name)) {
      return `{${name}} is not a known placeholder`;
    }
  }
  if (seqCount !== 1) return "must contain {seq} or {seq:N} exactly once";
  if (!LITERAL.test(pattern.replace(TOKEN, "")))
    return "may hold only A-Z a-z 0-9 / _ . - besides placeholders";
  return null;
}

/**
 * The pattern as an SQLite printf() format for the counter, with the date placeholders filled in
 * (UTC date of creation). The database renders the counter in the same statement that reads it.
 */
export function patternFormat(pattern: string, at: Date): string {
  const yyyy = String(at.getUTCFullYear());
  const parts: Record<string, string> = {
    yyyy,
    yy: yyyy.slice(2),
    mm: String(at.getUTCMonth() + 1).padStart(2, "0"),
    dd: String(at.getUTCDate()).padStart(2, "0"),
  };
  return pattern.replace(TOKEN, (_, name: string) => {
    if (name === "seq") return "%d";
    if (name.startsWith("seq:")) return `%0${Number(name.slice(4))}d`;
    return parts[name] ?? "";
  });
}

/** The same rendering in JS, for tests and the seeder. */
export function renderPattern(pattern: string, counter: number, at: Date): string {
  return patternFormat(pattern, at).replace(/%(0(\d+))?d/, (_, __, width?: string) =>
    String(counter).padStart(width ? Number(width) : 0, "0"),
  );
}
