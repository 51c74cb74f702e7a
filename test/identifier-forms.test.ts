import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { contactBody, createNamespace } from "./helpers/fixtures";
import { decoded, INDEX_COLUMNS } from "./helpers/identifier-rows";
import { newAadhaar, newPan, prop, randomDigits } from "./helpers/personal-data";
import { bankBody, createRecord } from "./helpers/sub-resources";

/**
 * The release that reads both stored forms of the identifier index (src/dedupe/index-form.ts): the same
 * contact life through the API on the full form (maintenance_state without `identifier_format`, as before
 * migration 0020), then 0020 applied to that database: every answer the same, the rows the same once
 * decoded, and every later write stored compact.
 */
type Stored = { contact: string; kind: string; value: string; field: string };

const indexRows = async () =>
  decoded(
    (
      await env.DB.prepare(
        `select c.id as contact, ${INDEX_COLUMNS} from contact_identifiers ci join contacts c on c.rowid = ci.contact_id`,
      ).all<Stored>()
    ).results,
  ).sort((a, b) => `${a.contact}${a.kind}${a.value}`.localeCompare(`${b.contact}${b.kind}${b.value}`));

/** Rows of a form other than the one named: the full form has kinds by name and no bytes, the compact one no kind written out that it shortens. */
const rowsNotIn = async (form: "full" | "compact") =>
  (
    await env.DB.prepare(
      form === "full"
        ? "select count(*) as n from contact_identifiers where length(kind) = 1 or typeof(value) = 'blob' or field = '' or field not in ('name', 'banks.account_number') and field not like 'props.%'"
        : "select count(*) as n from contact_identifiers where kind in ('name', 'pan', 'aadhaar', 'mobile', 'email', 'passport', 'bank_account') or field like 'props.%' or field in ('name', 'banks.account_number') or (kind in ('p', 'a', 's', 'b') and typeof(value) <> 'blob')",
    ).first<{ n: number }>()
  )?.n;

const dedupe = async (body: Record<string, unknown>) => {
  const res = await api("POST", "/contacts/dedupe/", { body });
  expect(res.status, res.text).toBe(200);
  return res.body;
};

/** Migration 0020 run on this file's database, as `wrangler d1 migrations apply` runs it. */
async function migrate0020() {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name === "0020_compact_identifiers.sql");
  expect(migration).toBeDefined();
  await env.DB.batch((migration?.queries ?? []).map((q) => env.DB.prepare(q)));
}

describe("identifier index in both stored forms", () => {
  it("answers the same before and after migration 0020, and writes the form the marker names", async () => {
    await env.DB.prepare("delete from maintenance_state where name = 'identifier_format'").run();
    const ns = (await createNamespace()).name;
    const pan = newPan();
    const aadhaar = newAadhaar();
    const mobile = `98${randomDigits(8)}`;
    const create = async (name: string, props: ReturnType<typeof prop>[], query = "") => {
      const res = await api("POST", `/contacts/${query}`, { body: contactBody(ns, { name, props }) });
      return res;
    };
    const asha = await create("Asha Verma", [
      prop("pan_no", pan),
      prop("aadhaar_no", aadhaar),
      prop("Mobile No", mobile),
      prop("email", "asha.verma@example.in"),
      prop("dob", "1990-04-12"),
      prop("passport_no", "K1234567"),
    ]);
    expect(asha.status, asha.text).toBe(201);
    const bank = await createRecord<{ id: string; version: number }>(
      "/contacts/banks/",
      bankBody(asha.body.id, { account_holder_name: "Asha Verma" }),
    );
    const sibling = await create("Ravi Verma", [prop("mobile", mobile)]);
    expect(sibling.status, sibling.text).toBe(201);
    // A masked Aadhaar sent back keeps its row; a name change rewrites the name keys.
    const masked = (await api("GET", `/contacts/${asha.body.id}/`)).body.props;
    expect(masked).toContainEqual(prop("aadhaar_no", `XXXXXXXX${aadhaar.slice(-4)}`));
    const patched = await api("PATCH", `/contacts/${asha.body.id}/`, {
      body: {
        name: "Asha R Verma",
        props: masked.map((p: { key: string }) =>
          p.key === "email" ? prop("email", "asha.rv@example.in") : p,
        ),
      },
    });
    expect(patched.status, patched.text).toBe(200);
    const moved = await api("PATCH", `/contacts/banks/${bank.id}/`, {
      body: { account_number: `5${randomDigits(11)}` },
    });
    expect(moved.status, moved.text).toBe(200);

    const full = await indexRows();
    expect(await rowsNotIn("full")).toBe(0);
    expect(full.map((r) => r.kind)).toEqual(
      expect.arrayContaining(["aadhaar", "bank_account", "pan", "name"]),
    );
    const probes = [
      { contact_id: asha.body.id },
      { contact_id: sibling.body.id },
      { name: "Asha Verma", type: "individual", props: [prop("pan", pan.toLowerCase())] },
      { props: [prop("aadhaar", aadhaar)] },
      { name: "Ravi Verma", props: [prop("phone", mobile)] },
    ];
    const answers = [];
    for (const probe of probes) answers.push(await dedupe(probe));
    expect(answers[0].count).toBeGreaterThan(0);
    expect(answers[3].count).toBe(1);
    const blocked = await create("A Verma", [prop("pan", pan)], "?dedupe=block");
    expect(blocked.status, blocked.text).toBe(409);

    await migrate0020();

    expect(await rowsNotIn("compact")).toBe(0);
    expect(await indexRows()).toEqual(full);
    for (const [i, probe] of probes.entries()) expect(await dedupe(probe)).toEqual(answers[i]);
    const blockedAgain = await create("A Verma", [prop("pan", pan)], "?dedupe=block");
    expect(blockedAgain.status, blockedAgain.text).toBe(409);
    expect({ ...blockedAgain.body, request_id: null }).toEqual({ ...blocked.body, request_id: null });

    // Writes after 0020: stored compact, found by lookups.
    const again = await api("PATCH", `/contacts/${asha.body.id}/`, { body: { name: "Asha Verma" } });
    expect(again.status, again.text).toBe(200);
    const movedAgain = await api("PATCH", `/contacts/banks/${bank.id}/`, {
      body: { account_number: `6${randomDigits(11)}` },
    });
    expect(movedAgain.status, movedAgain.text).toBe(200);
    const twin = await create("Asha Verma", [prop("PAN", pan)]);
    expect(twin.status, twin.text).toBe(201);
    expect(await rowsNotIn("compact")).toBe(0);
    const found = await dedupe({ contact_id: twin.body.id });
    expect(found.results.map((r: { contact: { id: string } }) => r.contact.id)).toContain(asha.body.id);
    const rows = await indexRows();
    expect(rows.filter((r) => r.contact === asha.body.id && r.kind === "bank_account")).toHaveLength(1);
    expect(rows.filter((r) => r.contact === asha.body.id && r.kind === "aadhaar")).toEqual(
      full.filter((r) => r.contact === asha.body.id && r.kind === "aadhaar"),
    );
    expect(rows.filter((r) => r.contact === twin.body.id).map((r) => [r.kind, r.field])).toContainEqual([
      "pan",
      "props.PAN",
    ]);
  });
});
