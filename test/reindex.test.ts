import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { COMPACT_INDEX_SQL } from "../src/dedupe/index-form";
import { NAME_KEYS_VERSION } from "../src/dedupe/names";
import worker from "../src/index";
import { reindexNameKeys } from "../src/resources/contacts/contacts.reindex";
import { api } from "./helpers/api";
import { namespaceOf } from "./helpers/fixtures";
import { decoded, INDEX_COLUMNS } from "./helpers/identifier-rows";
import { newAadhaar, newPan, prop } from "./helpers/personal-data";

/**
 * The identifier index rebuilt after a change of the name blocking keys (src/resources/contacts/
 * contacts.reindex.ts, a scheduled job): bounded runs that resume where the last one stopped, and rows
 * equal to what a write of the same contact computes.
 */
type IndexRow = { contact_id: string; kind: string; value: string; field: string };
const indexRows = async (ids: string[]) =>
  decoded(
    (
      await env.DB.prepare(
        `select c.id as contact_id, ${INDEX_COLUMNS} from contact_identifiers ci
         join contacts c on c.rowid = ci.contact_id
         where c.id in (select value from json_each(?)) order by c.id, ci.kind, ci.value`,
      )
        .bind(JSON.stringify(ids))
        .all<IndexRow>()
    ).results,
  );
const state = async (name: string) =>
  (
    await env.DB.prepare("select value from maintenance_state where name = ?")
      .bind(name)
      .first<{ value: string }>()
  )?.value;
const setState = (name: string, value: string) =>
  env.DB.prepare(
    "insert into maintenance_state (name, value) values (?, ?) on conflict (name) do update set value = excluded.value",
  )
    .bind(name, value)
    .run();

async function newContact(name: string, props: ReturnType<typeof prop>[]) {
  const res = await api("POST", "/contacts/", {
    body: { name, namespace: await namespaceOf(), status: "active", type: "individual", props },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

describe("identifier index rebuild (scheduled)", () => {
  it("a fresh database starts at the current version: nothing to rebuild", async () => {
    expect(await state("name_keys_version")).toBe(String(NAME_KEYS_VERSION));
    expect(await reindexNameKeys(env)).toEqual({ contacts: 0, skipped: 0, done: true });
  });

  it("rebuilds rows of an older version in bounded runs, keeps bank rows and Aadhaar hashes, then stops", async () => {
    const ids = [
      await newContact("Rebuild Sharma", [
        prop("pan", newPan()),
        prop("aadhaar", newAadhaar()),
        prop("mobile", "9812345670"),
        prop("dob", "1990-04-05"),
      ]),
      await newContact("रमेश वर्मा", [prop("email", "ramesh.verma@example.com")]),
      await newContact("Rebuild Three", [prop("mobile", "9812345671")]),
    ];
    const bank = await api("POST", "/contacts/banks/", {
      body: {
        contact_id: ids[0],
        account_number: "123456789012",
        ifsc: "HDFC0001234",
        account_holder_name: "R S",
      },
    });
    expect(bank.status, bank.text).toBe(201);
    const written = await indexRows(ids);
    expect(written.map((r) => r.kind)).toEqual(
      expect.arrayContaining(["aadhaar", "bank_account", "name", "pan"]),
    );
    const versions = await api("GET", `/contacts/${ids[0]}/`);

    // As an older version left them: other name keys, and rows of a kind the older version did not write.
    await env.DB.batch([
      env.DB.prepare(
        `delete from contact_identifiers where contact_id in (select rowid from contacts where id in (select value from json_each(?)))
         and kind not in ('aadhaar', 'bank_account', 'a', 'b')`,
      ).bind(JSON.stringify(ids)),
      ...ids.map((id) =>
        env.DB.prepare(
          `insert into contact_identifiers (tenant_id, contact_id, kind, value, field)
           select 't1', rowid, iif(${COMPACT_INDEX_SQL}, 'n', 'name'), ?, iif(${COMPACT_INDEX_SQL}, '', 'name') from contacts where id = ?`,
        ).bind(`v1-key-${id}`, id),
      ),
    ]);
    await setState("name_keys_version", "2");

    const first = await reindexNameKeys(env, undefined, { batch: 2, rounds: 1 });
    expect(first).toEqual({ contacts: 2, skipped: 0, done: false });
    expect(await state("name_keys_version")).toBe("2");
    expect(Number(await state("name_keys_after"))).toBeGreaterThan(0);
    const rest = await reindexNameKeys(env);
    expect(rest.done).toBe(true);
    expect(rest.contacts).toBeGreaterThanOrEqual(1);
    expect(await state("name_keys_version")).toBe(String(NAME_KEYS_VERSION));
    expect(await state("name_keys_after")).toBe("0");

    expect(await indexRows(ids)).toEqual(written);
    // A rebuild is not a change: versions and history stay.
    expect((await api("GET", `/contacts/${ids[0]}/`)).body.version).toBe(versions.body.version);
    // Dedupe finds the contacts through the rebuilt keys.
    const match = await api("POST", "/contacts/dedupe/", {
      body: { name: "Ramesh Verma", type: "individual", props: [prop("email", "ramesh.verma@example.com")] },
    });
    expect(match.status, match.text).toBe(200);
    expect(JSON.stringify(match.body)).toContain(ids[1]);

    // Done: the scheduled handler's run changes nothing.
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: new Date(), cron: "*/15 * * * *" }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(await indexRows(ids)).toEqual(written);
    expect(await reindexNameKeys(env)).toEqual({ contacts: 0, skipped: 0, done: true });
  });
});
