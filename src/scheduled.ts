import { lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { idempotencyKeys } from "./db/schema";
import { mergeSearchIndexes } from "./db/search-merge";
import type { Bindings } from "./env";
import { logError } from "./lib/log";
import { reprotectPersonalData } from "./pii/rotation";
import { reindexNameKeys } from "./resources/contacts/contacts.reindex";

/**
 * Cron Trigger work (wrangler.toml `[triggers]`): a list of independent jobs, each bounded so one run
 * stays well inside a Worker's limits; what a run leaves over, the next run (15 minutes later) takes.
 * A failing job is logged and does not stop the others. Jobs use `drizzle(env.DB)` directly: the
 * request-scoped db of src/middleware/db.ts only exists inside a request.
 */
export type ScheduledJob = { name: string; run: (env: Bindings, now: Date) => Promise<unknown> };

/** Rows deleted per statement, and statements per run: at most 20,000 expired keys a run. */
export const PURGE_BATCH = 500;
export const PURGE_ROUNDS = 40;

/** Deletes expired idempotency keys (API.md, Safe retries: kept 24 hours), oldest first, in bounded batches. */
export async function purgeIdempotencyKeys(env: Bindings, now: Date): Promise<number> {
  const db = drizzle(env.DB);
  const cutoff = now.toISOString();
  let purged = 0;
  for (let round = 0; round < PURGE_ROUNDS; round++) {
    const expired = db
      .select({ rowid: sql`rowid` })
      .from(idempotencyKeys)
      .where(lt(idempotencyKeys.expiresAt, cutoff))
      .orderBy(idempotencyKeys.expiresAt)
      .limit(PURGE_BATCH);
    const result = await db.delete(idempotencyKeys).where(sql`rowid in ${expired}`).run();
    const deleted = result.meta.changes ?? 0;
    purged += deleted;
    if (deleted < PURGE_BATCH) break;
  }
  return purged;
}

export const jobs: ScheduledJob[] = [
  { name: "purge expired idempotency keys", run: purgeIdempotencyKeys },
  // Key rotation and backfill of clear values (src/pii/rotation.ts): at most 600 rows of each table a run.
  { name: "re-protect personal data", run: reprotectPersonalData },
  // After a change of the name blocking keys: the identifier index rebuilt, 2,000 contacts a run.
  { name: "rebuild the identifier index", run: reindexNameKeys },
  // FTS5 b-trees merged, about 8,000 pages of each index a run; all into one once a day.
  { name: "merge the search indexes", run: (env, now) => mergeSearchIndexes(env, now) },
];

export async function scheduled(
  controller: ScheduledController,
  env: Bindings,
  _ctx: ExecutionContext,
): Promise<void> {
  const now = new Date(controller.scheduledTime);
  await Promise.all(
    jobs.map((job) =>
      job.run(env, now).catch((error) => logError(`scheduled:${controller.cron}`, job.name, error)),
    ),
  );
}
