import type { Bindings } from "../env";
import { readState, saveState } from "./maintenance-state";

/**
 * Keeps the FTS5 search indexes merged (a scheduled job, src/scheduled.ts).
 *
 * FTS5 adds a b-tree to an index for every write transaction and merges b-trees only when a level holds
 * `automerge` (4) of them, so a tenant's index is a stack of b-trees of every size, and a search reads
 * each one. At 1M contacts (bench seed), the FTS5 count of a two-word prefix search took 0.86 ms on such
 * an index and 0.52 ms once merged into one b-tree; its page of rowids 0.32 ms and 0.08 ms.
 *
 * FTS5's 'merge' command does bounded work: about `pages` pages written per statement. A positive count
 * continues a merge in progress, or merges a level that holds `usermerge` (4) b-trees; a negative one
 * first moves every b-tree onto one level, so that merge ends in a single b-tree, as 'optimize' does in
 * one unbounded statement. A statement that found work changes at least 2 rows (FTS5 documentation,
 * "The 'merge' Command"); one that changed fewer found nothing to do.
 *
 * A full merge rewrites the whole index, so one starts at most once a day (FULL_MERGE_INTERVAL_MS); runs
 * in between only continue it and merge full levels. Between full merges, the b-trees of the day's
 * writes stay apart (a few per level).
 */
export const SEARCH_INDEXES = ["contacts_fts", "addresses_fts", "bank_accounts_fts"] as const;
type SearchIndex = (typeof SEARCH_INDEXES)[number];

export type MergeLimits = { pages: number; rounds: number };

/** About 1,000 pages (4 MB) a statement and 8 statements per index per run. */
export const MERGE_LIMITS: MergeLimits = { pages: 1000, rounds: 8 };
export const FULL_MERGE_INTERVAL_MS = 24 * 60 * 60 * 1000;
const STARTED = "search_full_merge_at";

/** `merged`: the index has no merge left to continue (one b-tree, after a full merge). */
export type MergeReport = Record<SearchIndex, { statements: number; merged: boolean }> & { full: boolean };

/** The 'merge' command of one index (the table name is one of SEARCH_INDEXES, never input). */
export const mergeCommand = (table: SearchIndex) =>
  `insert into ${table} (${table}, rank) values ('merge', ?)`;

/** One index's share of a run: a full merge started when `full`, then merges continued, within `rounds` statements. */
async function mergeIndex(env: Bindings, table: SearchIndex, full: boolean, limits: MergeLimits) {
  const merge = async (pages: number) =>
    ((await env.DB.prepare(mergeCommand(table)).bind(pages).run()).meta.changes ?? 0) >= 2;
  let statements = 0;
  if (full) {
    // All b-trees onto one level and merging begun; nothing to do on an index of one b-tree.
    statements++;
    if (!(await merge(-limits.pages))) return { statements, merged: true };
  }
  while (statements < limits.rounds) {
    statements++;
    if (!(await merge(limits.pages))) return { statements, merged: true };
  }
  return { statements, merged: false };
}

/** One run over every index; the start of a full merge is recorded in maintenance_state. */
export async function mergeSearchIndexes(
  env: Bindings,
  now = new Date(),
  limits = MERGE_LIMITS,
): Promise<MergeReport> {
  const last = await readState(env.DB, STARTED);
  const full = last === null || now.getTime() - Date.parse(last) >= FULL_MERGE_INTERVAL_MS;
  const report = { full } as MergeReport;
  for (const table of SEARCH_INDEXES) report[table] = await mergeIndex(env, table, full, limits);
  if (full) await saveState(env.DB, STARTED, now.toISOString()).run();
  return report;
}
