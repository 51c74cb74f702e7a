import { and, asc, desc, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../env";
import { batch, type Query, type Results } from "./batch";
import { badCursor, type CursorScope, cursorBinding, decodeCursor, encodeCursor } from "./cursor";
import { invalid } from "./errors";
import { idRange } from "./ids";
import { type CursorEnvelope, DEFAULT_PAGE_SIZE, type ListParams, type PageEnvelope } from "./list-query";

/**
 * A list's ordering. `unique`: the sort value alone identifies a row (e.g. the rowid), so no id breaks
 * ties and a cursor's keyset is the value alone: one range on the table's own b-tree.
 */
export type SortSpec = {
  column: SQLiteColumn | SQL;
  direction: "asc" | "desc";
  key: string;
  unique?: boolean;
};

/**
 * Maps an `ordering` value to a column and direction; the id breaks ties in the same direction. With
 * `createdById`, `created_at` orders by that id alone: records whose id carries their creation time
 * (lib/ids newRecord) need no created_at in their indexes.
 */
export function sortSpec(
  ordering: string | undefined,
  columns: Record<string, SQLiteColumn>,
  createdById?: SQLiteColumn,
): SortSpec {
  const key = ordering ?? "-created_at";
  const name = key.replace(/^-/, "");
  const direction = key.startsWith("-") ? "desc" : "asc";
  // The key names the id, so a cursor made under the former (created_at, id) keyset is refused.
  if (name === "created_at" && createdById)
    return { column: createdById, direction, key: `${key}:id`, unique: true };
  const column = columns[name];
  if (!column)
    throw invalid([{ path: "ordering", code: "invalid_enum", message: "is not a known ordering" }]);
  return { column, direction, key };
}

/** A list's sort value of a row for its cursor: the id stands for created_at when the sort says so. */
export function sortValue(
  sort: SortSpec,
  row: { id: string; createdAt: string; updatedAt: string; name?: string },
): string {
  const name = sort.key.replace(/^-/, "");
  if (name.startsWith("created_at")) return sort.unique ? row.id : row.createdAt;
  if (name === "updated_at") return row.updatedAt;
  return row.name ?? row.createdAt;
}

/**
 * created_at_after / _before as conditions: exact on created_at and, given the table's id, also as an
 * id range, so the (tenant_id, ..., id) indexes serve the bounds.
 */
export function createdAtRange(column: SQLiteColumn, params: ListParams, id?: SQLiteColumn): SQL[] {
  const conditions: SQL[] = [];
  if (params.created_at_after) conditions.push(sql`${column} >= ${params.created_at_after}`);
  if (params.created_at_before) conditions.push(sql`${column} <= ${params.created_at_before}`);
  if (id) {
    const ms = (value: string | undefined) => (value ? Date.parse(value) : null);
    const { min, max } = idRange(ms(params.created_at_after), ms(params.created_at_before));
    if (min) conditions.push(sql`${id} >= ${min}`);
    if (max) conditions.push(sql`${id} <= ${max}`);
  }
  return conditions;
}

export type PageWindow = { where: SQL | undefined; order: SQL[]; limit: number; offset: number };

export type ListSpec<Row, Related extends readonly Query[] = []> = {
  db: Db;
  where: SQL[];
  sort: SortSpec;
  params: ListParams;
  cursorScope: CursorScope;
  /** The page's rows for a window (joins allowed). */
  rows: (window: PageWindow) => Query<Row[]>;
  /** How many records match the condition (page mode only). */
  count: (where: SQL | undefined) => Query<{ n: number }[]>;
  /** A row's position in the ordering: its sort value and id, for the next cursor. */
  position: (row: Row) => [string | number, string];
  /** The id column that breaks ties (or the name of a compound select's id column). */
  id: SQLiteColumn | SQL;
  /** More reads for the same round trip (e.g. `expand`), given the page's window; results come back in order. */
  related?: (window: PageWindow) => Related;
};

type Envelope = Omit<PageEnvelope<never>, "results"> | Omit<CursorEnvelope<never>, "results">;
export type ListResult<Row, Related extends readonly Query[] = []> = {
  envelope: Envelope;
  rows: Row[];
  related: Results<Related>;
};

/**
 * One list page: rows and count in one D1 batch (page mode), or the rows after a keyset position
 * (cursor mode: no count, and the cost does not grow with the depth).
 */
export async function listPage<Row, const Related extends readonly Query[] = []>(
  spec: ListSpec<Row, Related>,
): Promise<ListResult<Row, Related>> {
  const { db, sort, id, params } = spec;
  const pageSize = params.page_size ?? DEFAULT_PAGE_SIZE;
  const direction = sort.direction === "desc" ? desc : asc;
  const order = sort.unique ? [direction(sort.column)] : [direction(sort.column), direction(id)];

  if (params.cursor !== undefined) {
    if (params.page !== undefined) {
      throw invalid([{ path: "page", code: "conflict", message: "cannot be combined with cursor" }]);
    }
    const { secret } = spec.cursorScope;
    const binding = await cursorBinding(spec.cursorScope, sort.key);
    const where = [...spec.where];
    if (params.cursor !== "") {
      const position = await decodeCursor(params.cursor, secret);
      if (position.f !== binding) throw badCursor();
      const [value, lastId] = position.v;
      // A row-value comparison is one range on the (tenant_id, <sort>, id) index: the page costs the
      // same at any depth (the equivalent OR form makes SQLite walk the index from the start).
      const beyond = sort.direction === "desc" ? sql`<` : sql`>`;
      where.push(
        sort.unique
          ? sql`${sort.column} ${beyond} ${value}`
          : sql`(${sort.column}, ${id}) ${beyond} (${value}, ${lastId})`,
      );
    }
    const window = { where: and(...where), order, limit: pageSize + 1, offset: 0 };
    const [rows, ...related] = await batch(db, [spec.rows(window), ...relatedOf(spec, window)]);
    const hasNext = rows.length > pageSize;
    const pageRows = rows.slice(0, pageSize);
    const lastRow = pageRows.at(-1);
    const next_cursor =
      hasNext && lastRow ? await encodeCursor({ v: spec.position(lastRow), f: binding }, secret) : null;
    return { rows: pageRows, related, envelope: { page_size: pageSize, has_next: hasNext, next_cursor } };
  }

  const page = params.page ?? 1;
  // Past 2^53 an offset is no longer exact; every such page is past the end of any table anyway.
  const offset = Math.min((page - 1) * pageSize, Number.MAX_SAFE_INTEGER);
  const window = { where: and(...spec.where), order, limit: pageSize, offset };
  const [rows, counted, ...related] = await batch(db, [
    spec.rows(window),
    spec.count(window.where),
    ...relatedOf(spec, window),
  ]);
  return { rows, related, envelope: pageEnvelope(counted[0]?.n ?? 0, page, pageSize) };
}

function relatedOf<Row, Related extends readonly Query[]>(spec: ListSpec<Row, Related>, window: PageWindow) {
  // Cast: a list without related reads has the empty tuple as its Related (the default).
  return spec.related?.(window) ?? ([] as readonly Query[] as Related);
}

export function pageEnvelope(
  count: number,
  page: number,
  pageSize: number,
): Omit<PageEnvelope<never>, "results"> {
  const totalPages = Math.max(1, Math.ceil(count / pageSize));
  return {
    count,
    total_pages: totalPages,
    current_page: page,
    has_previous: page > 1,
    has_next: page < totalPages,
    previous_page: page > 1 ? page - 1 : null,
    next_page: page < totalPages ? page + 1 : null,
  };
}

/** The response body of a list: the page envelope or the cursor envelope around the mapped rows. */
export function listBody<Row, Out>(
  result: Pick<ListResult<Row>, "envelope" | "rows">,
  map: (row: Row) => Out,
): PageEnvelope<Out> | CursorEnvelope<Out> {
  return { ...result.envelope, results: result.rows.map(map) };
}
