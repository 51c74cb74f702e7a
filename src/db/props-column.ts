import { type SQL, sql } from "drizzle-orm";
import { customType } from "drizzle-orm/sqlite-core";
import type { PROP_TYPES } from "./enums";

export type StoredProp = { key: string; value: string; type: (typeof PROP_TYPES)[number] };

/**
 * The type a stored prop leaves out: the most common one. Identifiers, names, dates and free text are
 * text; in a seeded tenant four props in five are.
 */
const IMPLIED_TYPE = "text";

/** A prop on disk: `[key, value]`, plus the type when it is not IMPLIED_TYPE. */
type CompactProp = [key: string, value: string, type?: StoredProp["type"]];

/**
 * The text contacts.props stores: `[["pan_no","v1..."],["annual_income","1150000","number"]]`. Objects
 * repeated `"key":`, `"value":` and `"type":"text"` in every prop, about 30 bytes each, and bytes per
 * contact decide how many contacts fit in a D1 database (10 GB at most). Order is kept.
 */
export function encodeProps(props: readonly { key: string; value: string; type: string }[]): string {
  return JSON.stringify(
    props.map(({ key, value, type }) => (type === IMPLIED_TYPE ? [key, value] : [key, value, type])),
  );
}

/**
 * Stored props in either form, each prop on its own: objects are what workers wrote before the compact
 * form (rows migrations/0015 has not rewritten, or a worker of an older release still serving).
 */
export function decodeProps(text: string): StoredProp[] {
  const stored: (CompactProp | StoredProp)[] = JSON.parse(text);
  return stored.map((p) =>
    Array.isArray(p)
      ? { key: p[0], value: p[1], type: p[2] ?? IMPLIED_TYPE }
      : { key: p.key, value: p.value, type: p.type },
  );
}

/** A text column of props, written compact, read in either form (no code above it sees the encoding). */
export const propsColumn = customType<{ data: StoredProp[]; driverData: string }>({
  dataType: () => "text",
  toDriver: encodeProps,
  fromDriver: decodeProps,
});

/**
 * For raw SQL over the stored array: the key and the value of one element (`json_each(props).value`), in
 * either form. The second json_extract runs only for an object (coalesce stops at the first non-null).
 */
export const storedPropKey = (element: SQL) =>
  sql`coalesce(json_extract(${element}, '$[0]'), json_extract(${element}, '$.key'))`;
export const storedPropValue = (element: SQL) =>
  sql`coalesce(json_extract(${element}, '$[1]'), json_extract(${element}, '$.value'))`;
