import { z } from "@hono/zod-openapi";
import { and, asc, desc, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../env";
import { ApiError, invalid } from "./errors";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

const positiveInt = (name: string) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, `${name} must be a positive integer`)
    .transform(Number)
    .refine((n) => n > 0, `${name} must be a positive integer`);

const instant = (bound: "after" | "before") =>
  z
    .string()
    .transform((value, ctx) => {
      const iso = parseInstant(value, bound);
      if (!iso) {
        ctx.addIssue({ code: "custom", message: "must be a date (2025-05-12) or an ISO 8601 date-time" });
        return z.NEVER;
      }
      return iso;
    })
    .openapi({
      example: "2025-05-12",
      description: `Inclusive; a date as ${bound === "before" ? "this bound includes that whole day (UTC)" : "this bound starts at 00:00 UTC"}`,
    });

/** A date means its first millisecond (`after`) or its last (`before`), so `before` includes the whole day. */
function parseInstant(value: string, bound: "after" | "before"): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) return null;
    return bound === "after" ? day.toISOString() : new Date(day.getTime() + 86_399_999).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

/** Query parameters every list accepts. */
export const listQueryFields = {
  page: positiveInt("page")
    .optional()
    .openapi({ type: "integer", example: "1", description: "1-based page number" }),
  page_size: positiveInt("page_size")
    .transform((n) => Math.min(n, MAX_PAGE_SIZE))
    .optional()
    .openapi({
      type: "integer",
      example: "20",
      description: "Default 20; values over 100 are clamped to 100",
    }),
  cursor: z.string().max(1024).optional().openapi({
    example: "",
    description: "Cursor mode: send empty to start, then `next_cursor`; replaces `page`",
  }),
  created_at_after: instant("after").optional(),
  created_at_before: instant("before").optional(),
};

export const tagsQuery = z
  .string()
  .transform((value, ctx) => {
    const tags = value
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    if (tags.length === 0 || tags.length > 20 || tags.some((t) => t.length > 50)) {
      ctx.addIssue({
        code: "custom",
        message: "must be 1 to 20 comma-separated tags of at most 50 characters",
      });
      return z.NEVER;
    }
    return tags;
  })
  .openapi({ type: "string", example: "vip,msme", description: "Records that carry every listed tag" });

export const orderingQuery = <const K extends string>(keys: readonly K[]) =>
  z.enum([...keys, ...keys.map((k) => `-${k}` as const)] as [K | `-${K}`, ...(K | `-${K}`)[]]).openapi({
    example: "-created_at" as K,
    description: "Sort key; `-` for descending. Default `-created_at` (newest first).",
  });

export function pageEnvelopeSchema<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      count: z.number().int().openapi({ example: 42 }),
      total_pages: z.number().int().openapi({ example: 3 }),
      current_page: z.number().int().openapi({ example: 1 }),
      has_previous: z.boolean().openapi({ example: false }),
      has_next: z.boolean().openapi({ example: true }),
      previous_page: z.number().int().nullable().openapi({ example: null }),
      next_page: z.number().int().nullable().openapi({ example: 2 }),
      page_size: z.number().int().optional().openapi({ example: 20, description: "Cursor mode only" }),
      next_cursor: z.string().nullable().optional().openapi({
        example: "eyJ2IjpbIjIwMjUtMDUtMTJUMTA6MDA6MDAuMDAwWiIsIjAxSksuLi4iXX0.q3Jb",
        description: "Cursor mode only",
      }),
      results: z.array(item),
    })
    .openapi(name, {
      description:
        "Page mode: `count` ... `next_page` and `results`. Cursor mode (`cursor` sent): only `results`, `page_size`, `has_next` and `next_cursor`.",
    });
}

export type PageEnvelope<T> = {
  count: number;
  total_pages: number;
  current_page: number;
  has_previous: boolean;
  has_next: boolean;
  previous_page: number | null;
  next_page: number | null;
  results: T[];
};
export type CursorEnvelope<T> = {
  results: T[];
  page_size: number;
  has_next: boolean;
  next_cursor: string | null;
};

export type ListParams = {
  page?: number;
  page_size?: number;
  cursor?: string;
  created_at_after?: string;
  created_at_before?: string;
};

export type SortSpec = { column: SQLiteColumn; direction: "asc" | "desc"; key: string };

/** Maps an `ordering` value to a column and direction; the id breaks ties in the same direction. */
export function sortSpec(ordering: string | undefined, columns: Record<string, SQLiteColumn>): SortSpec {
  const key = ordering ?? "-created_at";
  const name = key.replace(/^-/, "");
  const column = columns[name];
  if (!column)
    throw invalid([{ path: "ordering", code: "invalid_enum", message: "is not a known ordering" }]);
  return { column, direction: key.startsWith("-") ? "desc" : "asc", key };
}

export function createdAtRange(column: SQLiteColumn, params: ListParams): SQL[] {
  const conditions: SQL[] = [];
  if (params.created_at_after) conditions.push(sql`${column} >= ${params.created_at_after}`);
  if (params.created_at_before) conditions.push(sql`${column} <= ${params.created_at_before}`);
  return conditions;
}

type CursorPayload = { v: [string | number, string]; f: string };

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

const keyCache = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keyCache.set(secret, key);
  }
  return key;
}

/** What a cursor is bound to: the tenant, the resource, every filter and the ordering. */
export type CursorScope = { secret: string; tenantId: string; resource: string; filters: unknown };

async function scopeDigest(scope: CursorScope): Promise<string> {
  // The ordering is bound separately, by its effective value (no `ordering` = `-created_at`).
  const { ordering: _ordering, ...filters } = (scope.filters ?? {}) as Record<string, unknown>;
  const material = JSON.stringify([scope.tenantId, scope.resource, filters]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(material));
  return toBase64Url(new Uint8Array(digest).slice(0, 12));
}

async function encodeCursor(payload: CursorPayload, secret: string): Promise<string> {
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), body));
  return `${toBase64Url(body)}.${toBase64Url(mac.slice(0, 16))}`;
}

const badCursor = () =>
  new ApiError("validation", "The cursor is not valid for this list", [
    {
      path: "cursor",
      code: "invalid_cursor",
      message: "is tampered, expired or was issued for other filters",
    },
  ]);

async function decodeCursor(cursor: string, secret: string): Promise<CursorPayload> {
  const [body, mac] = cursor.split(".");
  if (!body || !mac) throw badCursor();
  let bytes: Uint8Array;
  let macBytes: Uint8Array;
  try {
    bytes = fromBase64Url(body);
    macBytes = fromBase64Url(mac);
  } catch {
    throw badCursor();
  }
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), bytes)).slice(
    0,
    16,
  );
  if (macBytes.length !== expected.length || !crypto.subtle.timingSafeEqual(macBytes, expected))
    throw badCursor();
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as CursorPayload;
  } catch {
    throw badCursor();
  }
}

/** A statement D1 can run in a batch, with the rows it resolves to. */
export type Query<T> = BatchItem<"sqlite"> & PromiseLike<T>;

export type ListSpec<Row> = {
  db: Db;
  where: SQL[];
  sort: SortSpec;
  params: ListParams;
  cursorScope: CursorScope;
  /** The page's rows for a condition, order and window (joins allowed). */
  rows: (where: SQL | undefined, order: SQL[], limit: number, offset: number) => Query<Row[]>;
  /** How many records match the condition (page mode only). */
  count: (where: SQL | undefined) => Query<{ n: number }[]>;
  /** A row's position in the ordering: its sort value and id, for the next cursor. */
  position: (row: Row) => [string | number, string];
  /** The id column that breaks ties. */
  id: SQLiteColumn;
  /** More reads for the same round trip (e.g. `expand`), given the page's window; results come back in order. */
  related?: (window: PageWindow) => Query<unknown>[];
};

export type PageWindow = { where: SQL | undefined; order: SQL[]; limit: number; offset: number };

export type ListResult<Row> = (
  | { mode: "page"; envelope: Omit<PageEnvelope<never>, "results"> }
  | { mode: "cursor"; envelope: Omit<CursorEnvelope<never>, "results"> }
) & { rows: Row[]; related: unknown[] };

/**
 * One list page: rows and count in one D1 batch (page mode), or the rows after a keyset position
 * (cursor mode: no count, and the cost does not grow with the depth).
 */
export async function listPage<Row>(spec: ListSpec<Row>): Promise<ListResult<Row>> {
  const { db, sort, id, params } = spec;
  const pageSize = params.page_size ?? DEFAULT_PAGE_SIZE;
  const direction = sort.direction === "desc" ? desc : asc;
  const order = [direction(sort.column), direction(id)];

  if (params.cursor !== undefined) {
    if (params.page !== undefined) {
      throw invalid([{ path: "page", code: "conflict", message: "cannot be combined with cursor" }]);
    }
    const { secret } = spec.cursorScope;
    const binding = `${await scopeDigest(spec.cursorScope)}:${sort.key}`;
    const where = [...spec.where];
    if (params.cursor !== "") {
      const position = await decodeCursor(params.cursor, secret);
      if (position.f !== binding) throw badCursor();
      const [value, lastId] = position.v;
      // A row-value comparison is one range on the (tenant_id, <sort>, id) index: the page costs the
      // same at any depth (the equivalent OR form makes SQLite walk the index from the start).
      const beyond = sort.direction === "desc" ? sql`<` : sql`>`;
      where.push(sql`(${sort.column}, ${id}) ${beyond} (${value}, ${lastId})`);
    }
    const window = { where: and(...where), order, limit: pageSize + 1, offset: 0 };
    const [rows, ...related] = await batch(db, [
      spec.rows(window.where, order, window.limit, 0),
      ...(spec.related?.(window) ?? []),
    ]);
    const hasNext = (rows as Row[]).length > pageSize;
    const pageRows = (rows as Row[]).slice(0, pageSize);
    const last = pageRows.at(-1);
    const next_cursor =
      hasNext && last ? await encodeCursor({ v: spec.position(last), f: binding }, secret) : null;
    return {
      mode: "cursor",
      rows: pageRows,
      related,
      envelope: { page_size: pageSize, has_next: hasNext, next_cursor },
    };
  }

  const page = params.page ?? 1;
  const window = { where: and(...spec.where), order, limit: pageSize, offset: (page - 1) * pageSize };
  const [rows, counted, ...related] = await batch(db, [
    spec.rows(window.where, order, window.limit, window.offset),
    spec.count(window.where),
    ...(spec.related?.(window) ?? []),
  ]);
  const total = (counted as { n: number }[])[0]?.n ?? 0;
  return { mode: "page", rows: rows as Row[], related, envelope: pageEnvelope(total, page, pageSize) };
}

/** db.batch for a list of statements built at run time (one D1 round trip). */
export async function batch(db: Db, queries: Query<unknown>[]): Promise<unknown[]> {
  const [first, ...rest] = queries;
  if (!first) return [];
  // One statement needs no batch: D1's single-statement call is cheaper and just as atomic.
  if (rest.length === 0) return [await first];
  return (await db.batch([first, ...rest])) as unknown[];
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
export function listBody<Row, Out>(result: Awaited<ReturnType<typeof listPage>>, map: (row: Row) => Out) {
  return { ...result.envelope, results: (result.rows as Row[]).map(map) } as PageEnvelope<Out> &
    Partial<CursorEnvelope<Out>>;
}

/** Cursors are signed with CURSOR_SECRET (falling back to JWT_SECRET) so clients cannot forge positions. */
export function cursorSecret(env: { CURSOR_SECRET?: string; JWT_SECRET?: string }): string {
  const secret = env.CURSOR_SECRET || env.JWT_SECRET;
  if (!secret) throw new ApiError("unavailable", "Cursor signing is not configured (CURSOR_SECRET)");
  return secret;
}
