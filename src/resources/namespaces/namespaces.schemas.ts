import { z } from "@hono/zod-openapi";
import { auditSchema, optionalText, readOnlyFields, text } from "../../lib/fields";
import { listEnvelopeSchema, listQueryFields, orderingQuery } from "../../lib/list-query";
import { patternProblem } from "../../lib/ref-patterns";

const pattern = (example: string) =>
  optionalText({ min: 1, max: 30 })
    .superRefine((value, ctx) => {
      const problem = value ? patternProblem(value) : null;
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .openapi({
      example,
      description:
        "Ref-id pattern: {seq} or {seq:N} exactly once (N 1-12), optionally {yyyy} {yy} {mm} {dd}; other characters A-Z a-z 0-9 / _ . -",
    });

const counter = z
  .number()
  .int()
  .min(1)
  .max(Number.MAX_SAFE_INTEGER)
  .openapi({ example: 1, description: "The next value to use (1 to 2^53-1); may only move forward" });

const nameField = text({
  min: 1,
  max: 100,
  pattern: /^[A-Za-z0-9 _.-]+$/,
  message: "may contain ASCII letters, digits, space and _ - . only",
  example: "Vayana",
});

const writable = {
  name: nameField,
  contact_pattern: pattern("CUST-{yyyy}-{seq:6}"),
  contact_counter: counter.optional(),
  account_pattern: pattern("LN/{yy}{mm}/{seq:5}"),
  account_counter: counter.optional(),
};

export const NamespaceCreateSchema = z
  .strictObject({ ...writable, ...readOnlyFields })
  .openapi("NamespaceCreate");

export const NamespaceUpdateSchema = z
  .strictObject({ ...writable, name: nameField.optional(), ...readOnlyFields })
  .openapi("NamespaceUpdate");

export const NamespaceSchema = z
  .object({
    id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
    name: z.string().openapi({ example: "Vayana" }),
    contact_pattern: z.string().nullable().openapi({ example: "CUST-{yyyy}-{seq:6}" }),
    contact_counter: z.number().int().openapi({ example: 1 }),
    account_pattern: z.string().nullable().openapi({ example: "LN/{yy}{mm}/{seq:5}" }),
    account_counter: z.number().int().openapi({ example: 1 }),
    ...auditSchema,
  })
  .openapi("Namespace");

export const NamespaceListQuery = z.object({
  ...listQueryFields,
  search: z
    .string()
    .trim()
    .max(100)
    .optional()
    .openapi({ example: "vay", description: "Case-insensitive match on name" }),
  ordering: orderingQuery(["name", "created_at", "updated_at"]).optional(),
});

export const NamespaceListSchema = listEnvelopeSchema(NamespaceSchema, "NamespaceList");

export type NamespaceCreate = z.infer<typeof NamespaceCreateSchema>;
export type NamespaceUpdate = z.infer<typeof NamespaceUpdateSchema>;
export type NamespaceListParams = z.infer<typeof NamespaceListQuery>;
