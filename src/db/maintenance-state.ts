/** Progress of the scheduled jobs (src/scheduled.ts): one value per name in `maintenance_state`. */

/** The statement that records a job's value under `name`, for a batch or to run alone. */
export const saveState = (d1: D1Database, name: string, value: string) =>
  d1
    .prepare(
      "insert into maintenance_state (name, value) values (?, ?) on conflict (name) do update set value = excluded.value",
    )
    .bind(name, value);

/** The value recorded under `name`, or null. */
export const readState = async (d1: D1Database, name: string) =>
  (
    await d1
      .prepare("select value from maintenance_state where name = ?")
      .bind(name)
      .first<{ value: string }>()
  )?.value ?? null;
