import { type SQL, sql } from "drizzle-orm";

/** The one FTS5 token that scopes a search to its tenant: 't' + hex of the tenant id's UTF-8 bytes. */
export function tenantToken(tenantId: string): string {
  const hex = [...new TextEncoder().encode(tenantId)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `t${hex.toUpperCase()}`;
}

/** The most words a search may hold (the list schemas refuse more: 400, never a shortened search). */
export const MAX_SEARCH_WORDS = 8;

/**
 * The words of a search (letters with their marks, and digits), lower-case; quoted later, so FTS syntax
 * is inert. Marks stay inside words, as in the index (tokenizer categories L* M* N*): Indic vowel signs
 * are marks, and FTS5 folds Latin diacritics itself. Zero-width joiners and non-joiners only shape a
 * conjunct: dropped, as the indexed text drops them (migrations/0024), so आचार्‍य is one word.
 */
export function searchWords(search: string): string[] {
  return search
    .toLowerCase()
    .normalize("NFC")
    .replace(/[\u200c\u200d]/g, "")
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * The FTS5 query of a tenant's search. A database that holds no other tenant's contacts (the per-tenant
 * deployment) needs no tenant token: every FTS row carries it, so AND-ing it in walks an index entry per
 * row of the table, the cost that grew with the tenant (at 1M contacts, about 8 of 11 ms of a selective
 * count). Whether other tenants exist is read from contact_counts (a few rows) in the same statement.
 * Callers still filter their table on tenant_id; the token keeps a shared database's counts exact.
 */
export function ftsMatch(tenantId: string, expression: string): SQL {
  const scoped = `tenant : "${tenantToken(tenantId)}" AND (${expression})`;
  const others = sql`(exists (select 1 from contact_counts where tenant_id < ${tenantId} and n > 0)
    or exists (select 1 from contact_counts where tenant_id > ${tenantId} and n > 0))`;
  return sql`(case when ${others} then ${scoped} else ${expression} end)`;
}

/** Every word is a prefix of some token in `column`. */
export function allPrefixes(column: string, words: string[]): string {
  return words.map((w) => `${column} : "${w}"*`).join(" AND ");
}
