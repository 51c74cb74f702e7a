import { z } from "@hono/zod-openapi";

const CONTROL = /\p{Cc}/u;

type TextRule = { min: number; max: number; pattern?: RegExp; message?: string; example?: string };

/** A trimmed string without control characters, checked against length and an optional pattern. */
export function text({ min, max, pattern, message, example }: TextRule) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((v) => !CONTROL.test(v), "must not contain control characters")
    .refine((v) => !pattern || pattern.test(v), message ?? "has an invalid format")
    .openapi({ minLength: min, maxLength: max, ...(example ? { example } : {}) });
}

/** An optional string where blank (`""`, or only spaces) and null mean "not set" and are stored as null. */
export function optionalText(rule: TextRule) {
  return z
    .union([
      z.null(),
      z
        .string()
        .refine((v) => v.trim() === "")
        .transform(() => null),
      text(rule),
    ])
    .optional()
    .openapi({ type: ["string", "null"], minLength: rule.min, maxLength: rule.max, example: rule.example });
}

/** Fields clients may send back from a read but never set: accepted and ignored. */
const ignored = (description: string) =>
  z
    .unknown()
    .optional()
    .openapi({ readOnly: true, description: `${description} Read-only: ignored when sent.` });

export const readOnlyFields = {
  id: ignored("Server-generated ULID."),
  tenant_id: ignored("From the token."),
  version: ignored("Incremented by every change."),
  created_at: ignored("Creation time."),
  created_by: ignored("User who created the record."),
  updated_at: ignored("Last change time."),
  updated_by: ignored("User who changed the record last."),
};

export const TAG = text({ min: 1, max: 50, example: "vip" });

export const tagsField = z
  .array(TAG)
  .max(50)
  .refine((tags) => new Set(tags).size === tags.length, "must not contain duplicate tags")
  .openapi({ example: ["vip", "msme"], description: "Up to 50 unique tags of 1-50 characters" });

/**
 * A name of people and firms: letters and marks of any script, digits, space and , . ' - & ( ).
 * ZWNJ and ZWJ (U+200C, U+200D) count with the letters: Indic scripts need them to spell names.
 */
export const NAME_PATTERN = /^(?:[\p{L}\p{M}0-9 ,.'&()-]|\u200C|\u200D)+$/u;
export const NAME_MESSAGE = "may contain letters, digits, spaces and , . ' - & ( ) only";

/** Audit fields of every stored record in responses. */
export const auditSchema = {
  tenant_id: z.string().openapi({ example: "acme-finance" }),
  version: z.number().int().openapi({ example: 1, description: "1 on create, +1 on every change" }),
  created_at: z.string().openapi({ example: "2025-02-04T12:11:52.033Z" }),
  created_by: z.string().openapi({ example: "user_42" }),
  updated_at: z.string().openapi({ example: "2025-02-04T12:11:52.033Z" }),
  updated_by: z.string().nullable().openapi({ example: null }),
};

/** A path id: any string here, so a malformed id is answered 404 by the handler (pathId), never 400. */
export const idParam = <const N extends string>(name: N) =>
  // Cast: TypeScript widens a computed key to an index signature; the object has exactly the key N.
  z.object({
    [name]: z.string().openapi({ param: { name, in: "path" }, example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
  } as Record<N, z.ZodString>);

type AuditRow = {
  tenantId: string;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string | null;
};

/** The audit fields of a stored record as the API returns them. */
export function auditOf(row: AuditRow) {
  return {
    tenant_id: row.tenantId,
    version: row.version,
    created_at: row.createdAt,
    created_by: row.createdBy,
    updated_at: row.updatedAt,
    updated_by: row.updatedBy,
  };
}

/**
 * A JSON value with every object's keys in code-point order, arrays kept as they are. JSON objects are
 * unordered (RFC 8259), so an object sent with its keys in another order is the same value: stored one
 * way, it compares equal, and a PATCH that only reorders keys changes nothing.
 */
export function sortedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortedKeys) as T;
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Cast: the same object, its keys in another order.
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)])) as T;
}
