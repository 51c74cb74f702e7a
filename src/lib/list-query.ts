import { z } from "@hono/zod-openapi";
import { parseId } from "./ids";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/**
 * A positive integer of at most `digits` digits. page_size takes any length (API.md clamps it to 100);
 * page stops at 15 digits, under 2^53, so the page a response names is the page that was asked for.
 */
const positiveInt = (name: string, digits: number) =>
  z
    .string()
    .regex(
      new RegExp(`^[0-9]{1,${digits}}$`),
      `${name} must be a positive integer of at most ${digits} digits`,
    )
    .transform(Number)
    .refine((n) => n > 0, `${name} must be a positive integer`);

/**
 * A date means its first millisecond (`after`) or its last (`before`), so `before` includes the whole day.
 * Dates, and date-times without an offset, are UTC.
 */
function parseInstant(value: string, bound: "after" | "before"): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) return null;
    return bound === "after" ? day.toISOString() : new Date(day.getTime() + 86_399_999).toISOString();
  }
  const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!dateTime) return null;
  // Without an offset a date-time is UTC, as a date is: never the server's local time.
  const time = new Date(dateTime[3] ? value : `${value}Z`);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

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
      description: `Inclusive; a date as ${bound === "before" ? "this bound includes that whole day (UTC)" : "this bound starts at 00:00 UTC"}; a date-time without an offset is UTC`,
    });

/** Query parameters every list accepts. */
export const listQueryFields = {
  page: positiveInt("page", 15)
    .optional()
    .openapi({ type: "integer", example: "1", description: "1-based page number" }),
  page_size: positiveInt("page_size", 1000)
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

export type ListParams = {
  page?: number;
  page_size?: number;
  cursor?: string;
  created_at_after?: string;
  created_at_before?: string;
};

/** A contact id as a list filter, in either case (API.md: Ids); anything but a ULID is 400. */
export const contactFilter = (description: string) =>
  z
    .string()
    .transform((value, ctx) => {
      const id = parseId(value);
      if (id) return id;
      ctx.addIssue({ code: "custom", message: "must be a contact id (a ULID)" });
      return z.NEVER;
    })
    .openapi({ type: "string", example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4", description });

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

export const orderingQuery = <const K extends string>(keys: readonly [K, ...K[]]) => {
  const values: [K | `-${K}`, ...(K | `-${K}`)[]] = [...keys, ...keys.map((k) => `-${k}` as const)];
  return z.enum(values).openapi({
    example: `-${keys[0]}`,
    description: "Sort key; `-` for descending. Default `-created_at` (newest first).",
  });
};

/**
 * The two list envelopes: page mode (Crego's counts) and cursor mode (`cursor` sent: no counts). The
 * response schema is their union, so each response is checked against the mode it is in.
 */
export function listEnvelopeSchema<T extends z.ZodType>(item: T, name: string) {
  const page = z
    .object({
      count: z.number().int().openapi({ example: 42 }),
      total_pages: z.number().int().openapi({ example: 3 }),
      current_page: z.number().int().openapi({ example: 1 }),
      has_previous: z.boolean().openapi({ example: false }),
      has_next: z.boolean().openapi({ example: true }),
      previous_page: z.number().int().nullable().openapi({ example: null }),
      next_page: z.number().int().nullable().openapi({ example: 2 }),
      results: z.array(item),
    })
    .openapi(`${name}Page`, { description: "Page mode" });
  const cursor = z
    .object({
      page_size: z.number().int().openapi({ example: 20 }),
      has_next: z.boolean().openapi({ example: true }),
      next_cursor: z.string().nullable().openapi({
        example: "eyJ2IjpbIjIwMjUtMDUtMTJUMTA6MDA6MDAuMDAwWiIsIjAxSksuLi4iXX0.q3Jb",
        description: "Send as `cursor` for the next page; null on the last page",
      }),
      results: z.array(item),
    })
    .openapi(`${name}CursorPage`, { description: "Cursor mode (`cursor` sent)" });
  return z.union([page, cursor]).openapi(name, {
    description: "Page mode without `cursor`; cursor mode when `cursor` is sent.",
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
