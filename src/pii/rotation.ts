/**
 * Key rotation and backfill of personal data at rest (API.md "Personal data"), run by the Cron Trigger
 * (src/scheduled.ts) in bounded batches:
 *
 * 1. contacts.props: protected-kind values sealed under a key other than the first of `PII_KEYS` are
 *    re-encrypted under it; values of those kinds still in clear (written before protection existed)
 *    are encrypted; an Aadhaar value that is not a mask becomes its mask, and its keyed-hash index row
 *    is written when the number was valid.
 * 2. bank_accounts.account_number: the same, a clear number also getting its last four and keyed hash.
 * 3. contact_identifiers: index rows of protected kinds still holding the value in clear become its
 *    HMAC (`IDENTIFIER_HMAC_KEY`), as the API writes them.
 *
 * Safe while the API writes: each UPDATE names the row's `version` and the exact text it read, so a row
 * the API changed since is left for the next run. `version`, `updated_at` and history stay as they are:
 * the same value, only sealed differently, is not a change a client made, and what every reader sees
 * (clear or masked), and so the ETag, is unchanged. An API write racing a run may put an old envelope
 * back (a value kept from a masked write); every run scans from the start, so the next one rotates it.
 *
 * Candidates are found by SQL alone: `GLOB '*"v1.<old id>.*'` per old key id (only ids of the ring: an
 * envelope under an unknown id could not be decrypted anyway), and a json_each scan for clear values
 * under identifier keys. Each statement takes at most `batch` rows in rowid order, resuming after the
 * last row it saw, for at most `rounds` statements per table: what is left goes to the next run.
 */

import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { decodeProps, encodeProps, storedPropKey, storedPropValue } from "../db/props-column";
import {
  bankAccountKey,
  canonicalIdentifier,
  hashIdentifier,
  IDENTIFIER_KINDS,
  type IdentifierKind,
  identifierKindOfKey,
  isIdentifierKind,
} from "../dedupe/identifiers";
import {
  COMPACT_INDEX_SQL,
  HASHED_KINDS,
  insertedColumnsSql,
  kindName,
  rowForms,
  storedKinds,
} from "../dedupe/index-form";
import type { Bindings, Db } from "../env";
import { keyIdOf, PiiDecryptError } from "./cipher";
import { type KeyRing, keyRing } from "./keyring";
import { last4 } from "./mask";
import { needsReprotection, type Prop, protectValue, reprotectValue } from "./protection";

/** Rows per statement and statements per table per run: at most 600 rows of each table a run. */
export const ROTATION_BATCH = 200;
export const ROTATION_ROUNDS = 3;

export type RotationLimits = { batch: number; rounds: number };

export type RotationReport = {
  /** Rows rewritten. */
  contacts: number;
  banks: number;
  identifiers: number;
  /** Rows read but left: changed by the API since (next run), or holding a value that does not decrypt. */
  skipped: number;
  /** Values that failed to decrypt (tampered, or sealed for another place): never rewritten. */
  undecryptable: number;
};

/** Under 2 MB (D1's largest string): the JSON parameter one UPDATE carries. */
const MAX_PAYLOAD = 1_000_000;

const aliasesOf = (protection: "encrypted" | "masked") =>
  JSON.stringify(
    Object.values(IDENTIFIER_KINDS)
      .filter((spec) => spec.protection === protection)
      .flatMap((spec) => spec.aliases),
  );
const ENCRYPTED_ALIASES = aliasesOf("encrypted");
const MASKED_ALIASES = aliasesOf("masked");

/**
 * propKeyForm in SQL: lower-case, space, `.` and `-` as `_`, runs of `_` folded (up to 16), trimmed.
 * It may miss a key the JS form would match (never the reverse): a candidate is always real work.
 */
function keyForm(key: SQL): SQL {
  let form = sql`replace(replace(replace(lower(trim(${key})), ' ', '_'), '.', '_'), '-', '_')`;
  for (let i = 0; i < 4; i++) form = sql`replace(${form}, '__', '_')`;
  return sql`trim(${form}, '_')`;
}

function oldKeyIds(ring: KeyRing): string[] {
  return [...ring.keys.keys()].filter((id) => id !== ring.primary.id);
}

/** Runs the three passes; throws only when the database does (a value that fails is counted). */
export async function reprotectPersonalData(
  env: Bindings,
  _now?: Date,
  limits: RotationLimits = { batch: ROTATION_BATCH, rounds: ROTATION_ROUNDS },
): Promise<RotationReport> {
  const report: RotationReport = { contacts: 0, banks: 0, identifiers: 0, skipped: 0, undecryptable: 0 };
  // Without keys nothing can be protected (the API refuses such writes too): nothing to do.
  if (!env.PII_KEYS || !env.IDENTIFIER_HMAC_KEY) return report;
  const ring = await keyRing(env.PII_KEYS);
  const db = drizzle(env.DB);
  await rotateContacts(db, ring, env.IDENTIFIER_HMAC_KEY, limits, report);
  await rotateBanks(db, ring, env.IDENTIFIER_HMAC_KEY, limits, report);
  await hashIndexRows(db, env.IDENTIFIER_HMAC_KEY, limits, report);
  return report;
}

/** Splits items into JSON arrays of at most MAX_PAYLOAD characters. */
function payloads(items: unknown[]): string[] {
  const out: string[] = [];
  let chunk: string[] = [];
  let size = 2;
  for (const item of items) {
    const text = JSON.stringify(item);
    if (chunk.length && size + text.length + 1 > MAX_PAYLOAD) {
      out.push(`[${chunk.join(",")}]`);
      chunk = [];
      size = 2;
    }
    chunk.push(text);
    size += text.length + 1;
  }
  if (chunk.length) out.push(`[${chunk.join(",")}]`);
  return out;
}

/**
 * Statements in one D1 batch (one transaction); the rows each changed. Through the binding: drizzle's
 * batch does not take raw `db.run` statements.
 */
async function runAll(db: Db, statements: SQL[]): Promise<number[]> {
  if (!statements.length) return [];
  const d1 = (db as Db & { $client: D1Database }).$client;
  const prepared = statements.map((s) => {
    const { sql: text, params } = db.run(s).getQuery();
    return d1.prepare(text).bind(...params);
  });
  const results = await d1.batch(prepared);
  return results.map((r) => r.meta?.changes ?? 0);
}

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------
// contacts.props

type ContactCandidate = { rowid: number; id: string; tenantId: string; version: number; props: string };
type AadhaarRow = { id: string; tenant: string; version: number; key: string; mask: string; hash: string };

function contactCandidates(ring: KeyRing): SQL {
  const p = storedPropValue(sql`p.value`);
  const form = keyForm(storedPropKey(sql`p.value`));
  const clear = sql`exists (select 1 from json_each(contacts.props) p where
    (${form} in (select value from json_each(${ENCRYPTED_ALIASES})) and ${p} not glob 'v1.*')
    or (${form} in (select value from json_each(${MASKED_ALIASES})) and ${p} not glob 'X*'))`;
  const old = oldKeyIds(ring).map((id) => sql`contacts.props glob ${`*"v1.${id}.*`}`);
  return sql.join([...old, clear], sql` or `);
}

/** The props rewritten, with the Aadhaar index rows to add; null when nothing changes. */
async function reprotectProps(
  ring: KeyRing,
  hmacKey: string,
  row: ContactCandidate,
  report: RotationReport,
): Promise<{ props: Prop[]; aadhaar: { key: string; mask: string; hash: string }[] } | null> {
  let props: Prop[];
  try {
    props = decodeProps(row.props);
  } catch {
    return null;
  }
  const ctx = { tenantId: row.tenantId };
  const aadhaar: { key: string; mask: string; hash: string }[] = [];
  let changed = false;
  const next: Prop[] = [];
  for (const prop of props) {
    const kind = prop && typeof prop.value === "string" ? identifierKindOfKey(prop.key) : null;
    if (!kind || !needsReprotection(ring, kind, prop.value)) {
      next.push(prop);
      continue;
    }
    const value = await reprotect(ring, kind, prop.value, ctx, report);
    if (value === null) {
      next.push(prop);
      continue;
    }
    if (kind === "aadhaar") {
      const canonical = canonicalIdentifier("aadhaar", prop.value);
      if (canonical.ok)
        aadhaar.push({ key: prop.key, mask: value, hash: await hashIdentifier(canonical.value, hmacKey) });
    }
    next.push({ ...prop, value });
    changed = true;
  }
  return changed ? { props: next, aadhaar } : null;
}

async function reprotect(
  ring: KeyRing,
  kind: IdentifierKind,
  stored: string,
  ctx: { tenantId: string },
  report: RotationReport,
): Promise<string | null> {
  try {
    return await reprotectValue(ring, kind, stored, ctx);
  } catch (error) {
    if (!(error instanceof PiiDecryptError)) throw error;
    report.undecryptable++;
    return null;
  }
}

async function rotateContacts(
  db: Db,
  ring: KeyRing,
  hmacKey: string,
  limits: RotationLimits,
  report: RotationReport,
): Promise<void> {
  const candidates = contactCandidates(ring);
  let after = 0;
  for (let round = 0; round < limits.rounds; round++) {
    const rows = await db.all<ContactCandidate>(sql`
      select rowid, id, tenant_id as tenantId, version, props from contacts
      where rowid > ${after} and (${candidates}) order by rowid limit ${limits.batch}`);
    if (!rows.length) break;
    after = rows.at(-1)?.rowid ?? after;
    const updates: unknown[] = [];
    const aadhaar: AadhaarRow[] = [];
    for (const row of rows) {
      const next = await reprotectProps(ring, hmacKey, row, report);
      if (!next) {
        report.skipped++;
        continue;
      }
      updates.push({
        id: row.id,
        tenant: row.tenantId,
        version: row.version,
        old: row.props,
        props: encodeProps(next.props),
      });
      for (const a of next.aadhaar)
        aadhaar.push({ id: row.id, tenant: row.tenantId, version: row.version, ...a });
    }
    const statements = payloads(updates).map(
      (payload) => sql`update contacts set props = json_extract(u.value, '$.props')
        from json_each(${payload}) u
        where contacts.id = json_extract(u.value, '$.id') and contacts.tenant_id = json_extract(u.value, '$.tenant')
          and contacts.version = json_extract(u.value, '$.version') and contacts.props = json_extract(u.value, '$.old')`,
    );
    const changed = await runAll(db, [...statements, ...aadhaarIndexRows(aadhaar)]);
    const written = sum(changed.slice(0, statements.length));
    report.contacts += written;
    report.skipped += updates.length - written;
    if (rows.length < limits.batch) break;
  }
}

/**
 * The keyed-hash index row of each Aadhaar masked by this run: only where the contact still holds that
 * mask under that key at the version read (the update applied), and not already indexed.
 */
function aadhaarIndexRows(rows: AadhaarRow[]): SQL[] {
  if (!rows.length) return [];
  const indexed = rows.map((row) => ({
    ...row,
    row: rowForms({ kind: "aadhaar", value: row.hash, field: `props.${row.key}` }),
  }));
  const column = insertedColumnsSql("i.value", "$.row");
  return [
    sql`insert or ignore into contact_identifiers (tenant_id, contact_id, kind, value, field)
      select c.tenant_id, c.rowid, ${sql.raw(column.kind)}, ${sql.raw(column.value)}, ${sql.raw(column.field)}
      from json_each(${JSON.stringify(indexed)}) i
      join contacts c on c.id = json_extract(i.value, '$.id') and c.tenant_id = json_extract(i.value, '$.tenant')
      where c.version = json_extract(i.value, '$.version')
        and exists (select 1 from json_each(c.props) p
          where ${storedPropKey(sql`p.value`)} = json_extract(i.value, '$.key')
            and ${storedPropValue(sql`p.value`)} = json_extract(i.value, '$.mask'))`,
  ];
}

// ---------------------------------------------------------------------------------------------
// bank_accounts.account_number

type BankCandidate = {
  rowid: number;
  id: string;
  tenantId: string;
  contactId: string;
  version: number;
  accountNumber: string;
  ifsc: string;
  accountLast4: string | null;
  accountHash: string | null;
};

async function rotateBanks(
  db: Db,
  ring: KeyRing,
  hmacKey: string,
  limits: RotationLimits,
  report: RotationReport,
): Promise<void> {
  const old = oldKeyIds(ring).map((id) => sql`account_number glob ${`v1.${id}.*`}`);
  const candidates = sql.join([...old, sql`account_number not glob 'v1.*'`], sql` or `);
  let after = 0;
  for (let round = 0; round < limits.rounds; round++) {
    const rows = await db.all<BankCandidate>(sql`
      select rowid, id, tenant_id as tenantId, contact_id as contactId, version,
             account_number as accountNumber, ifsc, account_last4 as accountLast4, account_hash as accountHash
      from bank_accounts where rowid > ${after} and (${candidates}) order by rowid limit ${limits.batch}`);
    if (!rows.length) break;
    after = rows.at(-1)?.rowid ?? after;
    const updates: unknown[] = [];
    // Two clear rows of one contact with the same account: only the first takes the hash (it is unique).
    const hashes = new Set<string>();
    for (const row of rows) {
      const ctx = { tenantId: row.tenantId };
      let set: { number: string; last4: string | null; hash: string | null } | null;
      if (keyIdOf(row.accountNumber) !== null) {
        const number = await reprotect(ring, "bank_account", row.accountNumber, ctx, report);
        set = number ? { number, last4: row.accountLast4, hash: row.accountHash } : null;
      } else {
        const digits = row.accountNumber.replace(/[\s-]+/g, "");
        const key = bankAccountKey(digits, row.ifsc);
        let hash = key ? await hashIdentifier(key, hmacKey) : row.accountHash;
        const scoped = `${row.tenantId}\u0000${row.contactId}\u0000${hash}`;
        if (hash && hashes.has(scoped)) hash = row.accountHash;
        if (hash) hashes.add(scoped);
        set = {
          number: await protectValue(ring, "bank_account", digits, ctx),
          last4: last4(digits) || row.accountLast4,
          hash,
        };
      }
      if (!set) {
        report.skipped++;
        continue;
      }
      updates.push({
        id: row.id,
        tenant: row.tenantId,
        version: row.version,
        old: row.accountNumber,
        ...set,
      });
    }
    // A hash another account of the contact already holds stays unset (a duplicate from before the
    // uniqueness rule): the number is still encrypted.
    const statements = payloads(updates).map(
      (payload) => sql`update bank_accounts set
          account_number = json_extract(u.value, '$.number'),
          account_last4 = json_extract(u.value, '$.last4'),
          account_hash = case when exists (select 1 from bank_accounts b
              where b.tenant_id = bank_accounts.tenant_id and b.contact_id = bank_accounts.contact_id
                and b.account_hash = json_extract(u.value, '$.hash') and b.id <> bank_accounts.id)
            then bank_accounts.account_hash else json_extract(u.value, '$.hash') end
        from json_each(${payload}) u
        where bank_accounts.id = json_extract(u.value, '$.id') and bank_accounts.tenant_id = json_extract(u.value, '$.tenant')
          and bank_accounts.version = json_extract(u.value, '$.version')
          and bank_accounts.account_number = json_extract(u.value, '$.old')`,
    );
    const written = sum(await runAll(db, statements));
    report.banks += written;
    report.skipped += updates.length - written;
    if (rows.length < limits.batch) break;
  }
}

// ---------------------------------------------------------------------------------------------
// contact_identifiers

/**
 * The clause for index values that are not a keyed hash: text (the compact form keeps a hash as bytes)
 * other than 32 lower-case hex digits (hashIdentifier).
 */
const CLEAR_INDEX_VALUE = sql`typeof(value) = 'text' and (length(value) <> 32 or value glob '*[^0-9a-f]*')`;

type IndexKey = { tenantId: string; contactRowid: number; kind: string; value: string };

async function hashIndexRows(
  db: Db,
  hmacKey: string,
  limits: RotationLimits,
  report: RotationReport,
): Promise<void> {
  const kinds = JSON.stringify(storedKinds(HASHED_KINDS));
  // A keyset walk over the primary key (the table is WITHOUT ROWID), past rows a round could not rewrite.
  let after: IndexKey = { tenantId: "", contactRowid: 0, kind: "", value: "" };
  for (let round = 0; round < limits.rounds; round++) {
    const rows = await db.all<IndexKey>(sql`
      select tenant_id as tenantId, contact_id as contactRowid, kind, value from contact_identifiers
      where (tenant_id, contact_id, kind, value) > (${after.tenantId}, ${after.contactRowid}, ${after.kind}, ${after.value})
        and kind in (select value from json_each(${kinds})) and ${CLEAR_INDEX_VALUE}
      order by tenant_id, contact_id, kind, value limit ${limits.batch}`);
    const lastRow = rows.at(-1);
    if (!lastRow) break;
    after = lastRow;
    const updates = await Promise.all(
      rows.map(async ({ tenantId, contactRowid, kind, value }) => {
        const named = kindName(kind);
        const scoring = named === "gstin_pan" ? "pan" : named;
        const canonical = isIdentifierKind(scoring) ? canonicalIdentifier(scoring, value) : null;
        return {
          tenantId,
          kind,
          contactRowid,
          from: value,
          to: await hashIdentifier(canonical?.ok ? canonical.value : value, hmacKey),
        };
      }),
    );
    // OR REPLACE: a contact that already holds the hashed row keeps one row.
    const written = sum(
      await runAll(
        db,
        payloads(updates).map(
          (payload) => sql`update or replace contact_identifiers
          set value = iif(${sql.raw(COMPACT_INDEX_SQL)}, unhex(json_extract(u.value, '$.to')), json_extract(u.value, '$.to'))
          from json_each(${payload}) u
          where contact_identifiers.tenant_id = json_extract(u.value, '$.tenantId')
            and contact_identifiers.kind = json_extract(u.value, '$.kind')
            and contact_identifiers.value = json_extract(u.value, '$.from')
            and contact_identifiers.contact_id = json_extract(u.value, '$.contactRowid')`,
        ),
      ),
    );
    report.identifiers += written;
    report.skipped += updates.length - written;
    if (rows.length < limits.batch) break;
  }
}
