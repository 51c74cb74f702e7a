import { type SQL, sql } from "drizzle-orm";
import { customType } from "drizzle-orm/sqlite-core";
import type { PROP_TYPES } from "./enums";

export type StoredProp = { key: string; value: string; type: (typeof PROP_TYPES)[number] };

/**
 * The type a compact prop leaves out: the most common one. Identifiers, names, dates and free text are
 * text; in a seeded tenant four props in five are.
 */
const IMPLIED_TYPE = "text";

/** A prop in the compact form: `[key, value]`, plus the type when it is not IMPLIED_TYPE. */
type CompactProp = [key: string, value: string, type?: StoredProp["type"]];

/**
 * Stored props in either form, each prop on its own: objects, as written so far, or the compact
 * `[["pan_no","v1..."],["annual_income","1150000","number"]]` that saves about 30 bytes a prop (bytes per
 * contact decide how many contacts fit in a D1 database, 10 GB at most).
 */
export function decodeProps(text: string): StoredProp[] {
  const stored: (CompactProp | StoredProp)[] = JSON.parse(text);
  return stored.map((p) =>
    Array.isArray(p)
      ? { key: p[0], value: p[1], type: p[2] ?? IMPLIED_TYPE }
      : { key: p.key, value: p.value, type: p.type },
  );
}

/**
 * A text column of props, read in either form; still written as objects. A release that wrote the
 * compact form while workers that read only objects still serve (a deploy's overlap, a rollback) would
 * have them misread it: every worker reads both before any writes it.
 */
export const propsColumn = customType<{ data: StoredProp[]; driverData: string }>({
  dataType: () => "text",
  toDriver: (props) => JSON.stringify(props),
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
