import { z } from "@hono/zod-openapi";
import { parseId } from "./ids";
import { MAX_SEARCH_WORDS, searchWords } from "./search";

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

/** The first millisecond of a calendar day (UTC), or null for a day the calendar has not (2025-02-30). */
function dayStart(date: string): number | null {
  const day = new Date(`${date}T00:00:00.000Z`);
  return Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== date ? null : day.getTime();
}

const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))?$/;

/**
 * A date means its first millisecond (`after`) or its last (`before`), so `before` includes the whole day.
 * Dates, and date-times without an offset, are UTC. A time the clock has not (24:00, 10:60) or a day the
 * calendar has not is null (400), never rolled over. Records are stamped to the millisecond, so a bound
 * with finer digits is rounded inward: up for `after`, down for `before`, and stays exact.
 */
function parseInstant(value: string, bound: "after" | "before"): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = dayStart(value);
    if (start === null) return null;
    return new Date(bound === "after" ? start : start + 86_399_999).toISOString();
  }
  const parts = DATE_TIME.exec(value);
  if (!parts) return null;
  const [, date = "", hh, mm, ss = "00", fraction = "", , sign, offH = "00", offM = "00"] = parts;
  const start = dayStart(date);
  if (start === null || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return null;
  if (Number(offH) > 23 || Number(offM) > 59) return null;
  const offset = sign ? (sign === "-" ? 1 : -1) * (Number(offH) * 60 + Number(offM)) * 60_000 : 0;
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  const finer = /[1-9]/.test(fraction.slice(3)) && bound === "after" ? 1 : 0;
  const time = start + ((Number(hh) * 60 + Number(mm)) * 60 + Number(ss)) * 1000 + millis + offset + finer;
  return new Date(time).toISOString();
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

/**
 * A list's `search`: blank is no filter; otherwise 1 to MAX_SEARCH_WORDS words of letters or digits.
 * A search of only symbols (`*`, `&`, an emoji) or of more words is 400, never the whole list or a
 * search cut short.
 */
export const searchQuery = (description: string, example: string) =>
  z
    .string()
    .trim()
    .max(100)
    .superRefine((value, ctx) => {
      if (value === "") return;
      const words = searchWords(value).length;
      if (words === 0) ctx.addIssue({ code: "custom", message: "must hold a letter or digit" });
      else if (words > MAX_SEARCH_WORDS)
        ctx.addIssue({ code: "custom", message: `may hold at most ${MAX_SEARCH_WORDS} words` });
    })
    .openapi({ example, description: `${description}; 1 to ${MAX_SEARCH_WORDS} words of letters or digits` });

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
