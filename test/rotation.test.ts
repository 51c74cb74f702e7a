import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decodeProps } from "../src/db/props-column";
import { hashIdentifier } from "../src/dedupe/identifiers";
import worker from "../src/index";
import { ROTATION_BATCH, ROTATION_ROUNDS, reprotectPersonalData } from "../src/pii/rotation";
import { api, apiWithEnv } from "./helpers/api";
import { contactBody, namespaceOf, unique } from "./helpers/fixtures";
import { decoded, INDEX_COLUMNS } from "./helpers/identifier-rows";
import {
  everyStoredValue,
  newAadhaar,
  newPan,
  prop,
  randomDigits,
  randomLetters,
} from "./helpers/personal-data";
import { token } from "./helpers/tokens";
import { KEY_B } from "./pii/keys";

/** The test key ("test1", key A) second, a new key B first: a rotation in progress. */
const rotated = JSON.stringify([{ id: "rot2", key: KEY_B }, ...JSON.parse(env.PII_KEYS as string)]);
const onlyB = JSON.stringify([{ id: "rot2", key: KEY_B }]);
const envB = { ...env, PII_KEYS: rotated } as Env;

async function runScheduled(bindings: Env = env): Promise<void> {
  const controller = createScheduledController({ scheduledTime: new Date(), cron: "*/15 * * * *" });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, bindings, ctx);
  await waitOnExecutionContext(ctx);
}

type Snapshot = { id: string; version: number; updated_at: string; data: string };

async function contactRow(id: string) {
  return (await env.DB.prepare("select id, version, updated_at, props as data from contacts where id = ?")
    .bind(id)
    .first<Snapshot>()) as Snapshot;
}

async function bankRow(id: string) {
  return (await env.DB.prepare(
    "select id, version, updated_at, account_number as data, account_last4, account_hash from bank_accounts where id = ?",
  )
    .bind(id)
    .first<Snapshot & { account_last4: string | null; account_hash: string | null }>()) as Snapshot & {
    account_last4: string | null;
    account_hash: string | null;
  };
}

const historyCount = async (id: string) =>
  (
    await env.DB.prepare(
      "select count(*) as n from contact_history where contact_id = (select rowid from contacts where id = ?)",
    )
      .bind(id)
      .first<{ n: number }>()
  )?.n;

// An envelope's key id: "v1." at the start of a value, never inside base64url (a ciphertext may hold "v1").
const envelopeIds = (text: string) =>
  [...text.matchAll(/(?<![A-Za-z0-9_-])v1\.([A-Za-z0-9_-]+)\./g)].map((m) => m[1]);

async function newContact(props: { key: string; value: string; type: string }[]) {
  const res = await api("POST", "/contacts/", {
    body: contactBody(await namespaceOf(), { name: unique("Rotation"), props }),
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

async function newBank(contactId: string, account: string) {
  const res = await api("POST", "/contacts/banks/", {
    body: {
      contact_id: contactId,
      account_number: account,
      ifsc: "HDFC0001234",
      account_holder_name: "Rotation",
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

describe("key rotation (scheduled)", () => {
  it("re-encrypts every envelope under the new first key, leaves versions and history alone, and is idempotent", async () => {
    const values = {
      pan: newPan(),
      passport: `${randomLetters(1)}${randomDigits(7)}`,
      account: randomDigits(14),
    };
    const aadhaar = newAadhaar();
    const id = await newContact([
      prop("pan", values.pan),
      prop("Passport No", values.passport),
      prop("aadhaar", aadhaar),
      prop("mobile", "9845012345"),
    ]);
    const bankId = await newBank(id, values.account);
    const stored = async () => ({
      contact: await contactRow(id),
      bank: await bankRow(bankId),
      history: await historyCount(id),
    });
    const before = await stored();
    expect(envelopeIds(before.contact.data)).toEqual(["test1", "test1"]);
    expect(envelopeIds(before.bank.data)).toEqual(["test1"]);

    await runScheduled(envB);

    const after = await stored();
    expect(envelopeIds(after.contact.data)).toEqual(["rot2", "rot2"]);
    expect(envelopeIds(after.bank.data)).toEqual(["rot2"]);
    for (const [b, a] of [
      [before.contact, after.contact],
      [before.bank, after.bank],
    ] as const) {
      expect(a.version).toBe(b.version);
      expect(a.updated_at).toBe(b.updated_at);
    }
    expect(after.bank.account_last4).toBe(before.bank.account_last4);
    expect(after.bank.account_hash).toBe(before.bank.account_hash);
    expect(after.history).toBe(before.history);
    // The Aadhaar mask and the plain mobile are not envelopes: untouched.
    const props = decodeProps(after.contact.data);
    expect(props.find((p) => p.key === "aadhaar")?.value).toBe(`XXXXXXXX${aadhaar.slice(-4)}`);
    expect(props.find((p) => p.key === "mobile")?.value).toBe("+919845012345");

    // Key B alone reads every value back in clear, unchanged.
    const bearer = await token();
    const read = await apiWithEnv({ PII_KEYS: onlyB }, "GET", `/contacts/${id}/?expand=banks`, bearer);
    expect(read.status, read.text).toBe(200);
    expect(read.body.props).toContainEqual(prop("pan", values.pan));
    expect(read.body.props).toContainEqual(prop("Passport No", values.passport));
    expect(read.body.banks[0].account_number).toBe(values.account);

    // A second run changes nothing.
    expect(await reprotectPersonalData(envB)).toEqual({
      contacts: 0,
      banks: 0,
      identifiers: 0,
      skipped: 0,
      undecryptable: 0,
    });
    expect(await contactRow(id)).toEqual(after.contact);
    expect((await bankRow(bankId)).data).toBe(after.bank.data);
  });

  it("protects clear values left by earlier versions in one run; the scan finds none afterwards", async () => {
    const pan = newPan();
    const aadhaar = newAadhaar();
    const account = randomDigits(12);
    const id = await newContact([prop("name_on_card", "R Kumar")]);
    const bankId = await newBank(id, randomDigits(10));
    // As written before protection: clear PAN and Aadhaar props, a clear account number without last-4
    // or hash, and clear index rows (as migration 0020 leaves them: its compact form, the value in clear).
    const legacyProps = [
      prop("PAN No", pan.toLowerCase()),
      prop("aadhaar_card", `${aadhaar.slice(0, 4)} ${aadhaar.slice(4, 8)} ${aadhaar.slice(8)}`),
      prop("name_on_card", "R Kumar"),
    ];
    await env.DB.batch([
      env.DB.prepare("update contacts set props = ? where id = ?").bind(JSON.stringify(legacyProps), id),
      env.DB.prepare(
        "update bank_accounts set account_number = ?, account_last4 = null, account_hash = null where id = ?",
      ).bind(account, bankId),
      env.DB.prepare(
        "delete from contact_identifiers where contact_id = (select rowid from contacts where id = ?) and kind <> 'n'",
      ).bind(id),
      env.DB.prepare(
        "insert into contact_identifiers (tenant_id, contact_id, kind, value, field) select tenant_id, rowid, 'p', ?, 'PAN No' from contacts where id = ?",
      ).bind(pan, id),
      env.DB.prepare(
        "insert into contact_identifiers (tenant_id, contact_id, kind, value, field) select tenant_id, rowid, 'b', ?, '' from contacts where id = ?",
      ).bind(`HDFC0001234:${account}`, id),
    ]);
    const before = { contact: await contactRow(id), bank: await bankRow(bankId) };
    expect((await everyStoredValue()).includes(pan)).toBe(true);

    await runScheduled();

    const contact = await contactRow(id);
    const props = decodeProps(contact.data);
    expect(envelopeIds(props.find((p) => p.key === "PAN No")?.value ?? "")).toEqual(["test1"]);
    expect(props.find((p) => p.key === "aadhaar_card")?.value).toBe(`XXXXXXXX${aadhaar.slice(-4)}`);
    expect(props.find((p) => p.key === "name_on_card")?.value).toBe("R Kumar");
    expect(contact.version).toBe(before.contact.version);
    const bank = await bankRow(bankId);
    expect(envelopeIds(bank.data)).toEqual(["test1"]);
    expect(bank.account_last4).toBe(account.slice(-4));
    const hmacKey = env.IDENTIFIER_HMAC_KEY as string;
    expect(bank.account_hash).toBe(await hashIdentifier(`HDFC0001234:${account}`, hmacKey));
    expect(bank.version).toBe(before.bank.version);
    const index = await env.DB.prepare(
      `select ${INDEX_COLUMNS} from contact_identifiers ci where contact_id = (select rowid from contacts where id = ?) and kind <> 'n'`,
    )
      .bind(id)
      .all<{ kind: string; value: string; field: string }>();
    // Stored compact: each keyed hash as its 16 bytes.
    expect(
      (
        await env.DB.prepare(
          "select count(*) as n from contact_identifiers where contact_id = (select rowid from contacts where id = ?) and kind <> 'n' and (typeof(value) <> 'blob' or length(value) <> 16)",
        )
          .bind(id)
          .first<{ n: number }>()
      )?.n,
    ).toBe(0);
    expect(decoded(index.results).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      { kind: "aadhaar", value: await hashIdentifier(aadhaar, hmacKey), field: "props.aadhaar_card" },
      {
        kind: "bank_account",
        value: await hashIdentifier(`HDFC0001234:${account}`, hmacKey),
        field: "banks.account_number",
      },
      { kind: "pan", value: await hashIdentifier(pan, hmacKey), field: "props.PAN No" },
    ]);

    const stored = await everyStoredValue();
    for (const value of [pan, pan.toLowerCase(), aadhaar, account])
      expect(stored.includes(value), value).toBe(false);
    // No clear value of a protected kind is left anywhere.
    const clearIndex = await env.DB.prepare(
      "select count(*) as n from contact_identifiers where kind in ('p','q','s','v','l','b','pan','gstin_pan','passport','voter_id','driving_licence','bank_account') and typeof(value) = 'text'",
    ).first<{ n: number }>();
    expect(clearIndex?.n).toBe(0);
    const clearBanks = await env.DB.prepare(
      "select count(*) as n from bank_accounts where account_number not glob 'v1.*'",
    ).first<{ n: number }>();
    expect(clearBanks?.n).toBe(0);

    // Read back: the canonical values, in clear for contacts:pii.
    const read = await api("GET", `/contacts/${id}/?expand=banks`);
    expect(read.body.props).toContainEqual(prop("PAN No", pan));
    expect(read.body.props).toContainEqual(prop("aadhaar_card", `XXXXXXXX${aadhaar.slice(-4)}`));
    expect(read.body.banks[0].account_number).toBe(account);
    // Dedupe still finds the contact by the PAN and the Aadhaar number (through the hashed index).
    for (const p of [prop("pan", pan), prop("aadhaar", aadhaar)]) {
      const match = await api("POST", "/contacts/dedupe/", {
        body: { name: "Someone Else", type: "individual", props: [p] },
      });
      expect(match.status, match.text).toBe(200);
      expect(JSON.stringify(match.body)).toContain(id);
    }

    // Nothing left: a second run changes nothing.
    const again = await reprotectPersonalData(env);
    expect(again).toMatchObject({ contacts: 0, banks: 0, identifiers: 0 });
  });

  it("one run rewrites at most its bound; the next run takes the rest", async () => {
    const bound = ROTATION_BATCH * ROTATION_ROUNDS;
    const total = bound + 7;
    const ns = await namespaceOf("t7");
    const pans = Array.from({ length: total }, newPan);
    // Clear PANs in the compact form (the test above has them as objects): the scan reads both.
    await env.DB.prepare(
      `insert into contacts (id, tenant_id, namespace_id, name, type, status, props, created_at, created_by, updated_at)
       select 'legacy-' || j.key, 't7', n.id, 'Legacy', 'individual', 'active',
              json_array(json_array('pan', j.value)),
              '2024-01-01T00:00:00.000Z', 'u1', '2024-01-01T00:00:00.000Z'
       from json_each(?) j, namespaces n where n.tenant_id = 't7' and n.name = ?`,
    )
      .bind(JSON.stringify(pans), ns)
      .run();
    const clearLeft = async () =>
      (
        await env.DB.prepare(
          "select count(*) as n from contacts where tenant_id = 't7' and props not like '%\"v1.%'",
        ).first<{ n: number }>()
      )?.n;
    expect(await clearLeft()).toBe(total);

    await runScheduled();
    expect(await clearLeft()).toBe(total - bound);

    const report = await reprotectPersonalData(env);
    expect(report.contacts).toBe(total - bound);
    expect(await clearLeft()).toBe(0);
  });
});
