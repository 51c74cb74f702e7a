import type { Bindings } from "../env";

/**
 * Keeps the FTS5 search indexes merged (a scheduled job, src/scheduled.ts).
 *
 * FTS5 adds a b-tree to an index for every write transaction and merges b-trees only when a level holds
 * `automerge` (4) of them, so a tenant's index is a stack of b-trees of every size, and a search reads
 * each one. At 1M contacts (bench seed), a search's exact count took 0.86 ms of SQLite on such an index
 * and 0.52 ms once merged into one b-tree; its page 0.32 ms and 0.08 ms.
 *
 * FTS5's 'merge' command does bounded work: about `pages` pages written per statement. A positive count
 * continues a merge in progress (or merges a full level); a negative one first moves every b-tree onto
 * one level, so that merge ends in a single b-tree, as 'optimize' does in one unbounded statement. A
 * statement that found work changes at least 2 rows (FTS5 documentation, "The 'merge' Command"); one that
 * changed fewer found nothing to do.
 */
export const SEARCH_INDEXES = ["contacts_fts", "addresses_fts", "bank_accounts_fts"] as const;

export type MergeLimits = { pages: number; rounds: number };

/** About 1,000 pages (4 MB) a statement and 8 statements per index per run. */
export const MERGE_LIMITS: MergeLimits = { pages: 1000, rounds: 8 };

export type MergeReport = Record<(typeof SEARCH_INDEXES)[number], { statements: number; merged: boolean }>;

/** The 'merge' command of one index (the table name is one of SEARCH_INDEXES, never input). */
export const mergeCommand = (table: (typeof SEARCH_INDEXES)[number]) =>
  `insert into ${table} (${table}, rank) values ('merge', ?)`;

/**
 * One run: for each index, the merge in progress continued; once nothing is left to continue, one merge
 * of all its b-trees started (a no-op on an index of one b-tree) and continued, within `rounds`
 * statements. `merged`: the index ended the run as one b-tree (no statement left work undone).
 */
export async function mergeSearchIndexes(env: Bindings, limits = MERGE_LIMITS): Promise<MergeReport> {
  const report = {} as MergeReport;
  for (const table of SEARCH_INDEXES) {
    const merge = async (pages: number) => {
      const result = await env.DB.prepare(mergeCommand(table)).bind(pages).run();
      return (result.meta.changes ?? 0) >= 2;
    };
    let statements = 0;
    let started = false;
    let merged = false;
    while (statements < limits.rounds) {
      statements++;
      if (await merge(limits.pages)) continue;
      // Nothing left to continue: this run's full merge is done, or one starts now.
      if (started) {
        merged = true;
        break;
      }
      started = true;
      statements++;
      if (!(await merge(-limits.pages))) {
        merged = true;
        break;
      }
    }
    report[table] = { statements, merged };
  }
  return report;
}
