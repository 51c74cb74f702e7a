import { and, gt, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { saveState } from "../../db/maintenance-state";
import { contacts, maintenanceState } from "../../db/schema";
import {
  type IndexRow,
  insertedColumnsSql,
  rowForms,
  storedFields,
  storedKinds,
} from "../../dedupe/index-form";
import { NAME_KEYS_VERSION } from "../../dedupe/names";
import type { Bindings, Db } from "../../env";
import { piiConfig } from "../../pii/access";
import { indexOfMerged, keptAsStored } from "./contacts.repository";

/** Contacts rebuilt per round (one batch of three statements), and rounds per run: 5,000 contacts a run. */
export const REINDEX_BATCH = 250;
export const REINDEX_ROUNDS = 20;

const VERSION = "name_keys_version";
const AFTER = "name_keys_after";

export type ReindexReport = { contacts: number; skipped: number; done: boolean };

/** An index row of a contact (tenant, rowid) read at version v. */
type IndexedRow = { t: string; c: number; v: number; row: IndexRow };

/** Every job's progress, in one read. */
async function states(db: Db): Promise<Map<string, string>> {
  return new Map((await db.select().from(maintenanceState)).map((r) => [r.name, r.value]));
}

/**
 * A round's rebuild in two statements (a D1 invocation runs at most 1,000): the rows of every rebuilt
 * contact out (bank account rows and kept fields stay) and the new rows in, each only where the contact
 * is still at the version read; rows travel as one JSON parameter.
 */
function rebuildStatements(
  d1: D1Database,
  rebuilt: { t: string; c: number; v: number; keep: string[] }[],
  rows: IndexedRow[],
): D1PreparedStatement[] {
  if (!rebuilt.length) return [];
  const unchanged = JSON.stringify(rebuilt.map(({ t, c, v }) => ({ t, c, v })));
  const kept = JSON.stringify(
    rebuilt.flatMap(({ c, keep }) => storedFields(keep).map((field) => [c, field])),
  );
  const banks = storedKinds(["bank_account"])
    .map((kind) => `'${kind}'`)
    .join(", ");
  const inserted = insertedColumnsSql("r.value", "$.r");
  // The contacts (by rowid, the index's key) still at the version read, from the JSON list.
  const current = `select c.tenant_id, c.rowid from json_each(?1) j join contacts c on c.rowid = json_extract(j.value, '$.c')
      and c.tenant_id = json_extract(j.value, '$.t') and c.version = json_extract(j.value, '$.v')`;
  return [
    d1
      .prepare(
        `delete from contact_identifiers where (tenant_id, contact_id) in (${current}) and kind not in (${banks})
           and not exists (select 1 from json_each(?2) k
             where json_extract(k.value, '$[0]') = contact_id and json_extract(k.value, '$[1]') = field)`,
      )
      .bind(unchanged, kept),
    d1
      .prepare(
        `insert into contact_identifiers (tenant_id, contact_id, kind, value, field)
         select c.tenant_id, c.rowid, ${inserted.kind}, ${inserted.value}, ${inserted.field}
         from json_each(?1) r join contacts c on c.rowid = json_extract(r.value, '$.c')
           and c.tenant_id = json_extract(r.value, '$.t') and c.version = json_extract(r.value, '$.v')
         where true on conflict do nothing`,
      )
      .bind(JSON.stringify(rows.map(({ t, c, v, row }) => ({ t, c, v, r: rowForms(row) })))),
  ];
}

/**
 * Rebuilds the identifier index of every contact after a change of the name blocking keys
 * (NAME_KEYS_VERSION): lookups compare keys of one version, so rows of an older one would never be found.
 * Walks the contacts by rowid in bounded rounds and records how far it got, so the next run (or the next
 * deployment) goes on from there; each contact's rows are replaced only if it was not written meanwhile
 * (a write indexes it itself). Bank account rows and Aadhaar hashes (not recomputable from a mask) stay.
 * The contacts are read through drizzle, the rows written through the binding (drizzle cannot batch raw SQL).
 */
export async function reindexNameKeys(
  env: Bindings,
  _now?: Date,
  limits = { batch: REINDEX_BATCH, rounds: REINDEX_ROUNDS },
): Promise<ReindexReport> {
  const report: ReindexReport = { contacts: 0, skipped: 0, done: false };
  const db = drizzle(env.DB);
  const state = await states(db);
  const version = Number(state.get(VERSION) ?? 0);
  if (version >= NAME_KEYS_VERSION || !env.IDENTIFIER_HMAC_KEY) return { ...report, done: true };
  const pii = piiConfig(env);
  let after = Number(state.get(AFTER) ?? 0);
  for (let round = 0; round < limits.rounds; round++) {
    const rows = await db
      .select({
        rowid: sql<number>`${contacts}.rowid`,
        tenantId: contacts.tenantId,
        name: contacts.name,
        props: contacts.props,
        version: contacts.version,
      })
      .from(contacts)
      .where(and(gt(sql`${contacts}.rowid`, after), isNull(contacts.erasedAt)))
      .orderBy(sql`${contacts}.rowid`)
      .limit(limits.batch);
    const rebuilt: { t: string; c: number; v: number; keep: string[] }[] = [];
    const indexRows: IndexedRow[] = [];
    for (const row of rows) {
      try {
        const { index, keep } = await indexOfMerged(pii, row.tenantId, row.name, keptAsStored(row.props));
        rebuilt.push({ t: row.tenantId, c: row.rowid, v: row.version, keep });
        for (const r of index) indexRows.push({ t: row.tenantId, c: row.rowid, v: row.version, row: r });
        report.contacts++;
      } catch {
        // A value that cannot be read (e.g. an envelope under a removed key) keeps its rows as they are.
        report.skipped++;
      }
    }
    after = rows.at(-1)?.rowid ?? after;
    const finished = rows.length < limits.batch;
    const progress: [string, string][] = finished
      ? [
          [VERSION, String(NAME_KEYS_VERSION)],
          [AFTER, "0"],
        ]
      : [[AFTER, String(after)]];
    await env.DB.batch([
      ...rebuildStatements(env.DB, rebuilt, indexRows),
      ...progress.map(([n, v]) => saveState(env.DB, n, v)),
    ]);
    if (finished) return { ...report, done: true };
  }
  return report;
}
