import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import {
  FULL_MERGE_INTERVAL_MS,
  mergeCommand,
  mergeSearchIndexes,
  SEARCH_INDEXES,
} from "../src/db/search-merge";
import worker from "../src/index";
import { api } from "./helpers/api";
import { namespaceOf } from "./helpers/fixtures";

/**
 * The scheduled merge of the search indexes (src/db/search-merge.ts): once a day every index ends as one
 * b-tree, in runs of bounded work that resume, and every search answers as before.
 */
type Table = (typeof SEARCH_INDEXES)[number];

/** Pages of an index's b-trees (its %_data rows without the averages and structure records). */
const pages = async (table: Table) =>
  (await env.DB.prepare(`select count(*) - 2 as n from ${table}_data`).first<{ n: number }>())?.n ?? 0;

/** FTS5's own test of a fully merged index: a merge of all its b-trees finds nothing to do. */
const oneBtree = async (table: Table) =>
  ((await env.DB.prepare(mergeCommand(table)).bind(-1).run()).meta.changes ?? 0) < 2;

const integrity = (table: Table) =>
  env.DB.prepare(`insert into ${table} (${table}, rank) values ('integrity-check', 0)`).run();

const SEARCHES = [
  "/contacts/?search=merg&page_size=100",
  "/contacts/?search=merge%20sha&page_size=100",
  "/contacts/?search=MRG-00&page_size=100",
  "/contacts/?search=ravi&page_size=100",
  "/contacts/addresses/?search=indiranagar&page_size=100",
  "/contacts/banks/?search=merge&page_size=100",
];
const answers = async () =>
  Promise.all(
    SEARCHES.map(async (path) => {
      const res = await api("GET", path);
      expect(res.status, res.text).toBe(200);
      return { count: res.body.count, ids: res.body.results.map((r: { id: string }) => r.id) };
    }),
  );

/** Contacts, each with an address and a bank account, one write transaction each (a b-tree each). */
let written = 0;
async function writeContacts(n: number) {
  const namespace = await namespaceOf();
  for (const i of Array.from({ length: n }, () => written++)) {
    const res = await api("POST", "/contacts/", {
      body: {
        name: `Merge ${["Sharma", "Iyer", "Ravi", "Khan"][i % 4]} ${i}`,
        ref_id: `MRG-${String(i).padStart(4, "0")}`,
        namespace,
        status: "active",
        type: "individual",
        props: [],
      },
    });
    expect(res.status, res.text).toBe(201);
    const id = res.body.id;
    const address = await api("POST", "/contacts/addresses/", {
      body: {
        contact_id: id,
        address_line: `${i}, 100 Feet Road, Indiranagar`,
        city: "Bengaluru",
        state: "Karnataka",
        pincode: "560038",
        country: "India",
      },
    });
    expect(address.status, address.text).toBe(201);
    const bank = await api("POST", "/contacts/banks/", {
      body: {
        contact_id: id,
        account_number: `5010${String(i).padStart(8, "0")}`,
        ifsc: "HDFC0001234",
        account_holder_name: `Merge Holder ${i}`,
      },
    });
    expect(bank.status, bank.text).toBe(201);
  }
}

describe("search index merge (scheduled)", () => {
  // Storage lasts the whole file: each test starts with no full merge on record.
  beforeEach(async () => {
    await env.DB.prepare("delete from maintenance_state where name = 'search_full_merge_at'").run();
  });

  it("merges each index into one b-tree; every search answers the same, counts included", async () => {
    await writeContacts(24);
    for (const table of SEARCH_INDEXES) expect(await pages(table), table).toBeGreaterThan(1);
    const before = await answers();
    expect(before[0]?.count).toBeGreaterThanOrEqual(24);

    const controller = createScheduledController({ scheduledTime: new Date(), cron: "*/15 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    for (const table of SEARCH_INDEXES) {
      expect(await oneBtree(table), table).toBe(true);
      expect(await pages(table), table).toBe(1);
      await integrity(table);
    }
    expect(await answers()).toEqual(before);
    // Within the day: a merged index is left alone, one statement that finds nothing to do.
    const report = await mergeSearchIndexes(env, new Date(Date.now() + 60_000));
    expect(report.full).toBe(false);
    for (const table of SEARCH_INDEXES) expect(report[table]).toEqual({ statements: 1, merged: true });
  });

  it("starts a full merge at most once a day; runs in between leave the day's b-trees apart", async () => {
    const start = new Date();
    await writeContacts(3);
    expect((await mergeSearchIndexes(env, start)).full).toBe(true);
    for (const table of SEARCH_INDEXES) expect(await oneBtree(table), table).toBe(true);

    // Two writes a table: two b-trees on level 0, under the four that FTS5 merges by itself.
    await writeContacts(2);
    const later = await mergeSearchIndexes(env, new Date(start.getTime() + FULL_MERGE_INTERVAL_MS - 1));
    expect(later.full).toBe(false);
    expect(await pages("contacts_fts")).toBeGreaterThan(1);
    const before = await answers();

    const nextDay = await mergeSearchIndexes(env, new Date(start.getTime() + FULL_MERGE_INTERVAL_MS));
    expect(nextDay.full).toBe(true);
    for (const table of SEARCH_INDEXES) {
      expect(nextDay[table].merged, table).toBe(true);
      expect(await pages(table), table).toBe(1);
    }
    expect(await answers()).toEqual(before);
  });

  it("does bounded work a run and resumes where the last run stopped", async () => {
    // Enough rows that merging them writes many pages: contacts inserted in 40 transactions.
    for (let t = 0; t < 40; t++) {
      await env.DB.prepare(
        `with recursive n(i) as (select 0 union all select i + 1 from n where i < 49)
         insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, created_at, created_by, updated_at)
         select printf('9MERGE%04d%04d', ?1, i), 'merge-tenant', 'ns', printf('MB-%04d-%04d', ?1, i),
           printf('Bulk%04d Name%04d Word%d', ?1, i, i * 7919 % 1000), 'individual', 'active',
           '2026-01-01T00:00:00.000Z', 'u', '2026-01-01T00:00:00.000Z'
         from n`,
      )
        .bind(t)
        .run();
    }
    expect(await pages("contacts_fts")).toBeGreaterThan(8);
    const before = await answers();

    const limits = { pages: 1, rounds: 2 };
    const runs: boolean[] = [];
    const start = Date.now();
    for (let run = 0; run < 500 && !runs.at(-1); run++) {
      // A run every 15 minutes: the first starts the full merge, the next ones continue it.
      const report = await mergeSearchIndexes(env, new Date(start + run * 15 * 60_000), limits);
      expect(report.full).toBe(run === 0);
      for (const table of SEARCH_INDEXES) expect(report[table].statements).toBeLessThanOrEqual(limits.rounds);
      runs.push(report.contacts_fts.merged);
    }
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.at(-1)).toBe(true);
    expect(await oneBtree("contacts_fts")).toBe(true);
    await integrity("contacts_fts");
    expect(await answers()).toEqual(before);
    const bulk = await env.DB.prepare(
      "select count(*) as n from contacts_fts where contacts_fts match 'name : \"bulk0007\"*'",
    ).first<{ n: number }>();
    expect(bulk?.n).toBe(50);
  });
});
