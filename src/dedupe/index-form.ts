/**
 * How the identifier index (`contact_identifiers`) stores its rows. Two forms, read alike:
 *
 *  - full (before migrations/0020): kinds by name, keyed hashes as 32 hex characters, fields as written
 *    (`props.pan_no`, `name`, `banks.account_number`);
 *  - compact (0020, which records maintenance_state `identifier_format` = `compact`): a looked-up kind as
 *    one letter, a keyed hash as its 16 bytes, a field without its `props.` prefix, and no field at all
 *    where the kind has one source (`name`, `bank_account`). 236 bytes less per contact (bench, 1M).
 *
 * A release that reads both forms and writes the one the marker names comes first; 0020 then rewrites the
 * rows and sets the marker in one transaction, so a database holds one form at any time. Writes choose
 * in SQL (a statement built once serves both forms), lookups ask only for the form the marker names, and
 * reads decode either. Kinds never looked up (UNPROBED_KINDS) keep their names: the probe index's
 * condition names them.
 */

import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** A row of the index as the code reads it: kind by name, hashes in hex, the field as written. */
export type IndexRow = { kind: string; value: string; field: string };

const INDEX_FORMAT_STATE = "identifier_format";

/** True once migration 0020 has rewritten the table (SQL text, for statements written by hand). */
export const COMPACT_INDEX_SQL = `exists (select 1 from maintenance_state where name = '${INDEX_FORMAT_STATE}' and value = 'compact')`;
const compactIndex = sql.raw(COMPACT_INDEX_SQL);

/** One letter per looked-up kind (migrations/0020 writes the same). */
const KIND_CODES: Readonly<Record<string, string>> = {
  name: "n",
  pan: "p",
  gstin_pan: "q",
  gstin: "g",
  aadhaar: "a",
  mobile: "m",
  email: "e",
  passport: "s",
  voter_id: "v",
  driving_licence: "l",
  bank_account: "b",
};
const KIND_NAMES: ReadonlyMap<string, string> = new Map(
  Object.entries(KIND_CODES).map(([kind, code]) => [code, kind]),
);

/**
 * Kinds whose values are keyed hashes (hashIdentifier: 32 lower-case hex digits), kept as bytes: Aadhaar,
 * the protected kinds and the PAN a GSTIN embeds. The same test is written in SQL below
 * (insertedColumnsSql) and in migrations/0020.
 */
export const HASHED_KINDS: readonly string[] = [
  "aadhaar",
  "pan",
  "gstin_pan",
  "passport",
  "voter_id",
  "driving_licence",
  "bank_account",
];
const HEX_HASH = /^[0-9a-f]{32}$/;

/** The field of the kinds that have one source, left out of the compact form. */
const ONLY_FIELD: Readonly<Record<string, string>> = {
  name: "name",
  bank_account: "banks.account_number",
};
const PROPS = "props.";

const codeOf = (kind: string) => KIND_CODES[kind] ?? kind;
const isHash = (kind: string, value: string) => HASHED_KINDS.includes(kind) && HEX_HASH.test(value);

/** A field as the compact form keeps it; one that could be read as the full form stays as written. */
function compactField(kind: string, field: string): string {
  if (ONLY_FIELD[kind] === field) return "";
  const key = field.startsWith(PROPS) ? field.slice(PROPS.length) : null;
  if (key === null || key === "" || isFullField(key)) return field;
  return key;
}

const isFullField = (field: string) => field.startsWith(PROPS) || Object.values(ONLY_FIELD).includes(field);

/** The kinds as either form stores them (a condition on kind that holds in both). */
export function storedKinds(kinds: readonly string[]): string[] {
  return [...new Set(kinds.flatMap((kind) => [kind, codeOf(kind)]))];
}

/** A stored kind, in either form, by its name. */
export const kindName = (stored: string) => KIND_NAMES.get(stored) ?? stored;

/** A stored row, in either form, as the code reads it (its value read through `storedValue`). */
export function decodeRow(row: IndexRow): IndexRow {
  const kind = kindName(row.kind);
  const field =
    row.field === "" ? (ONLY_FIELD[kind] ?? "") : isFullField(row.field) ? row.field : `${PROPS}${row.field}`;
  return { kind, value: row.value, field };
}

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Stored rows decoded, in the order the full form's key gave them (kind, then value): scoring reads a
 * contact's rows in order, so both forms give the same answer.
 */
export function decodeRows<T extends IndexRow>(rows: readonly T[]): T[] {
  return rows
    .map((row) => ({ ...row, ...decodeRow(row) }))
    .sort((a, b) => byCode(a.kind, b.kind) || byCode(a.value, b.value));
}

/** A stored value in either form as text: a keyed hash kept as bytes reads back as its hex. */
export const storedValueSql = (column: string) =>
  `iif(typeof(${column}) = 'blob', lower(hex(${column})), ${column})`;
export const storedValue = (column: SQLiteColumn) =>
  sql<string>`iif(typeof(${column}) = 'blob', lower(hex(${column})), ${column})`;

/**
 * A row to insert, as an element of a JSON parameter: [kind, value, field] of the full form, then the
 * compact form's [kind, field]. Whether the value goes in as bytes is decided in SQL, from the kind and
 * the value: a statement template filled with other values (scripts/seed-statements.ts) stays right.
 */
export const rowForms = ({ kind, value, field }: IndexRow) => [
  kind,
  value,
  field,
  codeOf(kind),
  compactField(kind, field),
];

/** Rows to insert as one JSON parameter (rowForms). */
export const rowsJson = (rows: readonly IndexRow[]): string => JSON.stringify(rows.map(rowForms));

/**
 * The kind, value and field columns of a `rowForms` element (at `path` of the JSON `source`), in the
 * form the marker names. As SQL text, for statements written by hand; `insertedColumns` wraps it.
 */
export function insertedColumnsSql(
  source: string,
  path = "$",
): { kind: string; value: string; field: string } {
  const at = (i: number) => `json_extract(${source}, '${path}[${i}]')`;
  const hashed = `${at(0)} in (${HASHED_KINDS.map((k) => `'${k}'`).join(", ")}) and length(${at(1)}) = 32
    and ${at(1)} not glob '*[^0-9a-f]*'`;
  return {
    kind: `iif(${COMPACT_INDEX_SQL}, ${at(3)}, ${at(0)})`,
    value: `iif(${COMPACT_INDEX_SQL} and ${hashed}, unhex(${at(1)}), ${at(1)})`,
    field: `iif(${COMPACT_INDEX_SQL}, ${at(4)}, ${at(2)})`,
  };
}

export function insertedColumns(source: string): { kind: SQL; value: SQL; field: SQL } {
  const { kind, value, field } = insertedColumnsSql(source);
  return { kind: sql.raw(kind), value: sql.raw(value), field: sql.raw(field) };
}

/**
 * (kind, value) pairs to look up as one JSON parameter, each in both forms: [kind, value, hashed,
 * compact]. `pairColumns(...).current` keeps those of the form the marker names.
 */
export function pairsJson(pairs: readonly (readonly [string, string])[]): string {
  return JSON.stringify(
    pairs.flatMap(([kind, value]) => [
      [kind, value, 0, 0],
      [codeOf(kind), value, isHash(kind, value) ? 1 : 0, 1],
    ]),
  );
}

/** The looked-up kind, value and form of a `pairsJson` element `pair` (its json_each value). */
export function pairColumns(pair: SQL): { kind: SQL; value: SQL; current: SQL } {
  const at = (i: number) => sql`json_extract(${pair}, '$[${sql.raw(String(i))}]')`;
  return {
    kind: at(0),
    value: sql`iif(${at(2)}, unhex(${at(1)}), ${at(1)})`,
    current: sql`${at(3)} = ${compactIndex}`,
  };
}

/** Fields (props kept as they are, such as an Aadhaar kept from a masked write) as either form stores them. */
export function storedFields(fields: readonly string[]): string[] {
  return [...new Set(fields.flatMap((field) => [field, compactField("", field)]))];
}

/** A stored keyed hash in either form equal to `hex`. */
export const hashIn = (column: SQLiteColumn, hex: string) => sql`${column} in (${hex}, unhex(${hex}))`;
