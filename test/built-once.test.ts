import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { namespaces } from "../src/db/schema";
import { decodeRow } from "../src/dedupe/index-form";
import { batch, builtOnce } from "../src/lib/batch";
import { api, apiWithEnv } from "./helpers/api";
import { spyD1 } from "./helpers/d1-spy";
import { contactBody, createNamespace, unique } from "./helpers/fixtures";
import { INDEX_COLUMNS } from "./helpers/identifier-rows";
import { token } from "./helpers/tokens";

type Stored = Record<string, unknown>;
const storedContact = (id: string) =>
  env.DB.prepare(
    "select ref_id, refs, rm_id, branch_id, tags, props, created_by, updated_by from contacts where id = ?",
  )
    .bind(id)
    .first<Stored>();

describe("statements built once, bound per call", () => {
  it("builds a query's SQL once per database handle; each call runs with its own values, alone or in a batch", async () => {
    const db = drizzle(env.DB);
    let builds = 0;
    const byName = builtOnce<{ name: string }, { id: string }[]>((handle) => {
      builds++;
      return handle
        .select({ id: namespaces.id })
        .from(namespaces)
        .where(eq(namespaces.name, sql.placeholder("name")));
    });
    const first = await createNamespace({ name: unique("built-a") });
    const second = await createNamespace({ name: unique("built-b") });
    expect(await byName(db, { name: first.name })).toEqual([{ id: first.id }]);
    const [a, b, none] = await batch(db, [
      byName(db, { name: second.name }),
      byName(db, { name: first.name }),
      byName(db, { name: unique("missing") }),
    ]);
    expect([a, b, none]).toEqual([[{ id: second.id }], [{ id: first.id }], []]);
    expect(byName(db, { name: first.name }).toSQL().params).toEqual([first.name]);
    expect(builds).toBe(1);
    // Another handle gets its own build.
    await byName(drizzle(env.DB), { name: first.name });
    expect(builds).toBe(2);
  });

  it("a create binds every value of its own: SQL NULL for what is absent, JSON for tags and refs", async () => {
    const ns = await createNamespace({ name: unique("built"), contact_pattern: "B-{seq:4}" });
    const full = await api("POST", "/contacts/", {
      body: contactBody(ns.name, {
        name: "Meera Iyer",
        tags: ["vip", "retail"],
        refs: { crm: "C-1" },
        rm_id: "RM_7",
        branch_id: "BR_2",
        props: [{ key: "pan", value: "ABCPE1234F", type: "text" }],
      }),
    });
    const bare = await api("POST", "/contacts/", {
      body: contactBody(ns.name, { name: "Imran Khan", ref_id: "OWN-1", props: [] }),
    });
    expect([full.status, bare.status], full.text + bare.text).toEqual([201, 201]);

    const fullRow = await storedContact(full.body.id);
    const bareRow = await storedContact(bare.body.id);
    expect(fullRow).toMatchObject({
      ref_id: "B-0001",
      refs: '{"crm":"C-1"}',
      rm_id: "RM_7",
      branch_id: "BR_2",
      tags: '["vip","retail"]',
      updated_by: null,
    });
    expect(bareRow).toMatchObject({
      ref_id: "OWN-1",
      refs: null,
      rm_id: null,
      branch_id: null,
      updated_by: null,
    });
    const counter = await env.DB.prepare("select contact_counter from namespaces where id = ?")
      .bind(ns.id)
      .first<number>("contact_counter");
    // The counter holds the next number (it starts at 1): only the generated ref_id moved it.
    expect(counter).toBe(2);

    // No history row: each contact's `created` entry is read from its own row, marked so.
    const history = await env.DB.prepare(
      "select c.id as contact_id, c.created_entry, (select count(*) from contact_history h where h.contact_id = c.rowid) as rows from contacts c where c.id in (?, ?) order by c.id",
    )
      .bind(full.body.id, bare.body.id)
      .all();
    expect(history.results).toEqual(
      [
        { contact_id: full.body.id, created_entry: 0, rows: 0 },
        { contact_id: bare.body.id, created_entry: 0, rows: 0 },
      ].sort((x, y) => String(x.contact_id).localeCompare(String(y.contact_id))),
    );
    const kinds = async (id: string) =>
      (
        await env.DB.prepare(
          `select ${INDEX_COLUMNS} from contact_identifiers ci where contact_id = (select rowid from contacts where id = ?)`,
        )
          .bind(id)
          .all<{ kind: string; value: string; field: string }>()
      ).results.map((r) => decodeRow(r).kind);
    expect(await kinds(full.body.id)).toContain("pan");
    expect(await kinds(bare.body.id)).not.toContain("pan");
  });

  it("two creates run the same SQL texts with different parameters", async () => {
    const ns = await createNamespace({ name: unique("built-sql") });
    const texts: string[][] = [];
    for (const name of ["Asha Rao", "Kiran Das"]) {
      const { binding, spy } = spyD1();
      const res = await apiWithEnv({ DB: binding }, "POST", "/contacts/", await token(), {
        body: JSON.stringify(contactBody(ns.name, { name })),
        headers: { "content-type": "application/json" },
      });
      expect(res.status, res.text).toBe(201);
      texts.push(spy.statements.map((s) => s.sql));
      expect(spy.statements.some((s) => s.params.includes(name))).toBe(true);
    }
    expect(texts[1]).toEqual(texts[0]);
  });

  it("a PATCH binds what it sets: SQL NULL for cleared values, JSON for tags and refs, its history entry and the move check", async () => {
    const ns = await createNamespace({ name: unique("built-patch") });
    const target = await createNamespace({ name: unique("built-move") });
    const created = await api("POST", "/contacts/", {
      body: contactBody(ns.name, {
        name: "Farah Ali",
        refs: { crm: "C-9" },
        rm_id: "RM_1",
        branch_id: "BR_1",
      }),
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;

    const cleared = await api("PATCH", `/contacts/${id}/`, {
      body: { refs: null, rm_id: null, tags: ["gold"], name: "Farah A. Ali" },
    });
    expect(cleared.status, cleared.text).toBe(200);
    expect(await storedContact(id)).toMatchObject({
      refs: null,
      rm_id: null,
      branch_id: "BR_1",
      tags: '["gold"]',
      updated_by: expect.any(String),
    });

    // Another set of columns, and a move: its own statements, the same contact.
    const moved = await api("PATCH", `/contacts/${id}/`, {
      body: { branch_id: "BR_2", namespace: target.name },
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({
      namespace: target.name,
      branch_id: "BR_2",
      name: "Farah A. Ali",
      version: 3,
    });
    const row = await env.DB.prepare("select namespace_id, rm_id, tags, version from contacts where id = ?")
      .bind(id)
      .first<Stored>();
    expect(row).toEqual({ namespace_id: target.id, rm_id: null, tags: '["gold"]', version: 3 });

    const history = await env.DB.prepare(
      "select action, changes, reason, at, actor from contact_history where contact_id = (select rowid from contacts where id = ?) and action = 'updated' order by at, id",
    )
      .bind(id)
      .all<Stored>();
    expect(history.results.map((h) => [h.action, JSON.parse(String(h.changes)), h.reason])).toEqual([
      [
        "updated",
        {
          name: ["Farah Ali", "Farah A. Ali"],
          tags: [[], ["gold"]],
          refs: [{ crm: "C-9" }, null],
          rm_id: ["RM_1", null],
        },
        null,
      ],
      ["updated", { namespace: [ns.name, target.name], branch_id: ["BR_1", "BR_2"] }, null],
    ]);
    expect(history.results[1]?.at).toBe(Date.parse(moved.body.updated_at));
  });
});
