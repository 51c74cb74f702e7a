import { z } from "@hono/zod-openapi";
import { NAME_MESSAGE, NAME_PATTERN, readOnlyFields, text } from "../../lib/fields";
import { ContactSchema, PropSchema } from "../contacts/contacts.schemas";

export const DedupeRequestSchema = z
  .strictObject({
    contact_id: z
      .string()
      .min(1)
      .optional()
      .openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4", description: "Find duplicates of a stored contact" }),
    name: text({
      min: 1,
      max: 100,
      pattern: NAME_PATTERN,
      message: NAME_MESSAGE,
      example: "Ramesh Kumar",
    }).optional(),
    type: z.enum(["individual", "corporate"]).optional().openapi({ example: "individual" }),
    namespace: text({ min: 1, max: 100, example: "Vayana" })
      .optional()
      .openapi({ description: "Namespace name (for scope namespace)" }),
    props: z.array(PropSchema).max(100).optional(),
    scope: z
      .enum(["namespace", "tenant"])
      .optional()
      .openapi({ example: "tenant", description: "Default tenant" }),
    limit: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .openapi({ example: 10, description: "1-50, default 10" }),
    threshold: z.number().min(0).max(1).optional().openapi({ example: 0.5, description: "0-1, default 0.5" }),
    // Read-only fields are ignored in every body (a candidate may be a contact as read).
    ...readOnlyFields,
  })
  .superRefine((body, ctx) => {
    const candidate =
      body.name !== undefined ||
      body.type !== undefined ||
      body.namespace !== undefined ||
      body.props !== undefined;
    if (body.contact_id !== undefined && candidate) {
      ctx.addIssue({
        code: "custom",
        path: ["contact_id"],
        message: "send either contact_id or a candidate (name, type, namespace, props), not both",
      });
    }
    if (body.contact_id === undefined && body.name === undefined && !body.props?.length) {
      ctx.addIssue({
        code: "custom",
        path: ["name"],
        message: "send contact_id, or a candidate with a name or props",
      });
    }
  })
  .openapi("DedupeRequest", {
    description:
      "Either `{contact_id}` or a candidate `{name, type, namespace, props}`, plus `scope`, `limit`, `threshold`.",
    example: {
      name: "Ramesh Kumar",
      type: "individual",
      props: [{ key: "pan_no", value: "ABCPK1234F", type: "text" }],
    },
  });

export const ReasonSchema = z
  .object({
    rule: z
      .enum([
        "pan",
        "gstin",
        "aadhaar",
        "mobile",
        "email",
        "passport",
        "voter_id",
        "driving_licence",
        "dob",
        "bank_account",
        "name",
        "type",
      ])
      .openapi({ example: "pan" }),
    field: z.string().openapi({ example: "props.pan_no" }),
    match: z.enum(["exact", "similar", "different"]).openapi({ example: "exact" }),
  })
  .openapi("DedupeReason", { description: "A rule that fired; never an identifier value" });

export const DedupeMatchSchema = z
  .object({
    contact: ContactSchema,
    score: z.number().openapi({ example: 0.97 }),
    reasons: z.array(ReasonSchema),
  })
  .openapi("DedupeMatch");

export const DedupeLinkSchema = z
  .object({
    contact: ContactSchema,
    shared: z.array(
      z.object({
        rule: ReasonSchema.shape.rule,
        field: z.string().openapi({ example: "props.mobile" }),
      }),
    ),
  })
  .openapi("DedupeLink", {
    description:
      "A contact that shares a contact point (mobile, email, bank account) with the probe but is judged a different party: households, a guarantor's phone reused, fraud rings",
  });

export const DedupeResponseSchema = z
  .object({
    count: z.number().int().openapi({ example: 1, description: "The number of results (links not counted)" }),
    results: z.array(DedupeMatchSchema),
    links: z
      .array(DedupeLinkSchema)
      .openapi({ description: "At most `limit`, newest first; never in results" }),
  })
  .openapi("DedupeResult");

export type DedupeRequest = z.infer<typeof DedupeRequestSchema>;
