/** The one FTS5 token that scopes a search to its tenant: 't' + hex of the tenant id's UTF-8 bytes. */
export function tenantToken(tenantId: string): string {
  const hex = [...new TextEncoder().encode(tenantId)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `t${hex.toUpperCase()}`;
}

/**
 * The words of a search (letters with their marks, and digits), lower-case, at most 8; quoted later, so
 * FTS syntax is inert. Marks stay inside words, as in the index (tokenizer categories L* M* N*): Indic
 * vowel signs are marks, and FTS5 folds Latin diacritics itself.
 */
export function searchWords(search: string): string[] {
  return search
    .toLowerCase()
    .normalize("NFC")
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 8);
}

/** Every word is a prefix of some token in `column`. */
export function allPrefixes(column: string, words: string[]): string {
  return words.map((w) => `${column} : "${w}"*`).join(" AND ");
}
