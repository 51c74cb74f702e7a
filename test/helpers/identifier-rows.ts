import { decodeRow, storedValueSql } from "../../src/dedupe/index-form";

/**
 * Columns of `contact_identifiers` (aliased `ci`) as the code reads them, for rows in either stored form
 * (src/dedupe/index-form.ts): pass the rows through `decoded` for kinds by name and fields as written.
 */
export const INDEX_COLUMNS = `ci.kind, ${storedValueSql("ci.value")} as value, ci.field`;

/** Rows read with INDEX_COLUMNS, decoded (other columns kept). */
export const decoded = <T extends { kind: string; value: string; field: string }>(rows: T[]): T[] =>
  rows.map((row) => ({ ...row, ...decodeRow(row) }));
