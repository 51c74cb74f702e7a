import { z } from "@hono/zod-openapi";
import {
  APPROVAL_STATUSES,
  CONTACT_STATUSES,
  CONTACT_TYPES,
  HISTORY_ACTIONS,
  HISTORY_SUBJECTS,
  PROP_TYPES,
} from "../../db/enums";
import { INVALID_IDENTIFIER, identifierProblem } from "../../dedupe/identifiers";
import {
  auditSchema,
  NAME_MESSAGE,
  NAME_PATTERN,
  optionalText,
  readOnlyFields,
  tagsField,
  text,
} from "../../lib/fields";
import {
  listEnvelopeSchema,
  listQueryFields,
  orderingQuery,
  searchQuery,
  tagsQuery,
} from "../../lib/list-query";
import { looksMasked } from "../../pii/mask";
import { AddressSchema } from "../addresses/addresses.schemas";
import { BankSchema } from "../banks/banks.schemas";
import { RelationSchema } from "../relations/relations.schemas";

export const MAX_PROPS = 100;

const PROP_KEY = /^[A-Za-z0-9 _,.'&()-]+$/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
const STORAGE_KEY = /^[\x21-\x7E]+$/;
/** RFC 3986 characters of a URI: unreserved, reserved, and % only as a percent-encoding (no raw space). */
const URI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;

function propValueProblem(type: (typeof PROP_TYPES)[number], value: string): string | null {
  if (type === "number" && !NUMBER.test(value)) return "must be a number such as 42 or -3.5 for type number";
  if (type === "boolean" && value !== "true" && value !== "false")
    return "must be true or false for type boolean";
  if (type === "file") {
    if (value.startsWith("https://"))
      return URI_CHARS.test(value) && URL.canParse(value)
        ? null
        : "must be a valid https:// URL (spaces and other special characters percent-encoded)";
    if (!STORAGE_KEY.test(value) || value.includes("://")) return "must be an https:// URL or a storage key";
  }
  return null;
}

export const PropSchema = z
  .strictObject({
    key: text({
      min: 1,
      max: 100,
      pattern: PROP_KEY,
      message: "may contain ASCII letters, digits, space and _ , . ' - & ( ) only",
      example: "pan_no",
    }),
    value: text({ min: 1, max: 500, example: "ABCPK1234F" }),
    type: z.enum(PROP_TYPES).openapi({ example: "text" }),
  })
  .superRefine((prop, ctx) => {
    const problem = propValueProblem(prop.type, prop.value);
    if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
  })
  .openapi("Prop", {
    description: "A typed property: number, boolean, text, or file (https:// URL or storage key)",
  });

export const propsField = z
  .array(PropSchema)
  .max(MAX_PROPS)
  .superRefine((props, ctx) => {
    const seen = new Set<string>();
    props.forEach((p, i) => {
      if (seen.has(p.key))
        ctx.addIssue({ code: "custom", path: [i, "key"], message: "must be unique in the list" });
      seen.add(p.key);
      // A contact's identifiers are checked here too, so their errors come with the body's other field
      // errors (API.md: errors[] names every bad field). A value shaped like a mask may be one the client
      // read back: the repository judges it against the stored value (storeProps).
      const invalid = looksMasked(p.value) ? null : identifierProblem(p);
      if (invalid) {
        const params = { code: INVALID_IDENTIFIER };
        ctx.addIssue({ code: "custom", path: [i, "value"], message: invalid, params });
      }
    });
  })
  .openapi({ description: `Up to ${MAX_PROPS} props with unique keys` });

const REFS_MAX_BYTES = 8 * 1024;
const refsField = z
  .record(z.string(), z.unknown())
  .nullable()
  .refine(
    (refs) => refs === null || new TextEncoder().encode(JSON.stringify(refs)).length <= REFS_MAX_BYTES,
    {
      message: "must be at most 8 KiB serialised",
    },
  )
  .openapi({
    example: { crm_id: "C-7781" },
    description: "Free-form JSON object of external references, at most 8 KiB",
  });

const CODE = /^[A-Za-z0-9_-]{1,50}$/;
const codeField = (example: string) =>
  optionalText({ min: 1, max: 50, pattern: CODE, message: "must be 1-50 of A-Z a-z 0-9 _ -", example });

const nameField = text({
  min: 1,
  max: 100,
  pattern: NAME_PATTERN,
  message: NAME_MESSAGE,
  example: "Ramesh Kumar",
});
const namespaceField = text({ min: 1, max: 100, example: "Vayana" }).openapi({
  description: "The namespace's name (case-insensitive)",
});
const statusField = z.enum(CONTACT_STATUSES).openapi({ example: "active" });
const typeField = z.enum(CONTACT_TYPES).openapi({ example: "individual" });
const refIdField = optionalText({
  min: 1,
  max: 50,
  pattern: /^[A-Za-z0-9/_.-]+$/,
  message: "must be 1-50 of A-Z a-z 0-9 / _ . -",
  example: "CUST-2026-000001",
}).openapi({
  description: "Unique per namespace; generated from the namespace's contact_pattern when absent",
});

const ignored = (description: string) =>
  z
    .unknown()
    .optional()
    .openapi({ readOnly: true, description: `${description} Read-only: ignored when sent.` });

/** Fields of a contact as read (expansions included) that a client may send back unchanged. */
const readBackFields = {
  approval_status: ignored("Changed by the approve/reject actions."),
  namespace_id: ignored("Id of the namespace."),
  erased_at: ignored("Set by erasure."),
  erased_by: ignored("Set by erasure."),
  addresses: ignored("Embedded by expand."),
  banks: ignored("Embedded by expand."),
  relations: ignored("Embedded by expand."),
  ...readOnlyFields,
};

export const ContactCreateSchema = z
  .strictObject({
    name: nameField,
    namespace: namespaceField,
    status: statusField,
    type: typeField,
    tags: tagsField.optional(),
    refs: refsField.optional(),
    props: propsField,
    rm_id: codeField("RM_102"),
    branch_id: codeField("BLR-01"),
    ref_id: refIdField,
    ...readBackFields,
  })
  .openapi("ContactCreate");

export const ContactUpdateSchema = z
  .strictObject({
    name: nameField.optional(),
    namespace: namespaceField.optional(),
    status: statusField.optional(),
    type: typeField.optional(),
    tags: tagsField.optional(),
    refs: refsField.optional(),
    props: propsField.optional(),
    rm_id: codeField("RM_102"),
    branch_id: codeField("BLR-01"),
    ref_id: refIdField,
    ...readBackFields,
  })
  .openapi("ContactUpdate", {
    description: "Partial: only the fields sent change. `props` and `tags` replace the set.",
  });

export const ContactSchema = z
  .object({
    id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
    name: z.string().openapi({ example: "Ramesh Kumar" }),
    namespace: z.string().openapi({ example: "Vayana" }),
    namespace_id: z.string().openapi({ example: "01JKB3P0000000000000000000" }),
    ref_id: z.string().nullable().openapi({ example: "CUST-2026-000001" }),
    status: statusField,
    type: typeField,
    approval_status: z.enum(APPROVAL_STATUSES).openapi({ example: "pending" }),
    tags: z.array(z.string()).openapi({ example: ["vip"] }),
    refs: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ example: { crm_id: "C-7781" } }),
    props: z.array(PropSchema),
    rm_id: z.string().nullable().openapi({ example: "RM_102" }),
    branch_id: z.string().nullable().openapi({ example: null }),
    erased_at: z
      .string()
      .nullable()
      .openapi({ example: null, description: "Set when the contact was erased" }),
    erased_by: z.string().nullable().openapi({ example: null }),
    ...auditSchema,
    addresses: z.array(AddressSchema).optional().openapi({ description: "With `expand=addresses`" }),
    banks: z.array(BankSchema).optional().openapi({ description: "With `expand=banks`" }),
    relations: z
      .array(RelationSchema)
      .optional()
      .openapi({ description: "With `expand=relations` (either side)" }),
  })
  .openapi("Contact");

/** A contact as shown to a token without contacts:read (API.md, Scopes): its id and nothing else. */
export const ContactRefSchema = z
  .object({ id: ContactSchema.shape.id })
  .openapi("ContactRef", { description: "A contact shown to a token without contacts:read: its id only" });

/** A contact as a write or a dedupe=block refusal answers it: whole, or only its id (ContactRef). */
export const ContactOrRefSchema = z.union([ContactSchema, ContactRefSchema]);

export const EXPANDABLE = ["addresses", "banks", "relations", "props"] as const;
export type Expand = (typeof EXPANDABLE)[number];
const isExpand = (name: string): name is Expand => EXPANDABLE.some((e) => e === name);

export const expandQuery = z
  .string()
  .transform((value, ctx) => {
    const parts = value
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    const known = parts.filter(isExpand);
    if (known.length !== parts.length) {
      ctx.addIssue({ code: "custom", message: `must be a comma list of ${EXPANDABLE.join(", ")}` });
      return z.NEVER;
    }
    return new Set(known);
  })
  .openapi({
    type: "string",
    example: "addresses,banks",
    description: "Embed sub-resources: addresses, banks, relations (props are always embedded)",
  });

export const ContactCreateQuery = z.object({
  dedupe: z.enum(["block", "off"]).optional().openapi({
    example: "block",
    description: "`block`: refuse the create when an identity document is already on record (default off)",
  }),
});

export const ContactGetQuery = z.object({ expand: expandQuery.optional() });

export const ContactListQuery = z.object({
  ...listQueryFields,
  search: searchQuery(
    "Case-insensitive: a prefix of any word of the name, or of the ref_id",
    "rame",
  ).optional(),
  namespace: z
    .string()
    .trim()
    .max(100)
    .optional()
    .openapi({ example: "Vayana", description: "Namespace name" }),
  status: statusField.optional(),
  type: typeField.optional(),
  approval_status: z.enum(APPROVAL_STATUSES).optional().openapi({ example: "approved" }),
  tags: tagsQuery.optional(),
  rm_id: z.string().trim().max(50).optional().openapi({ example: "RM_102" }),
  branch_id: z.string().trim().max(50).optional().openapi({ example: "BLR-01" }),
  ordering: orderingQuery(["name", "created_at", "updated_at"]).optional(),
  expand: expandQuery.optional(),
});

export const ContactListSchema = listEnvelopeSchema(ContactSchema, "ContactList");

export const ActionBodySchema = z
  .strictObject({
    reason: optionalText({ min: 1, max: 500, example: "KYC documents verified" }),
    // A client may send back what it read: read-only fields are ignored here as in every body.
    ...readBackFields,
  })
  .openapi("ActionReason");

export const EraseBodySchema = z
  .strictObject({
    reason: text({ min: 1, max: 500, example: "Data principal's erasure request (DPDP s.12)" }),
    ...readBackFields,
  })
  .openapi("EraseRequest");

export const PropsBodySchema = z
  .union([
    propsField,
    // What GET .../props/ returns may be sent back: its contact_id and read-only fields are ignored.
    z.strictObject({ props: propsField, contact_id: ignored("The contact of the path."), ...readOnlyFields }),
  ])
  .openapi("PropsUpsert", { description: 'An array of props, or {"props": [...]}; upserted by key' });

export const PropsSchema = z
  .object({
    contact_id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
    props: z.array(PropSchema),
  })
  .openapi("ContactProps");

export const PropsDeleteQuery = z.object({
  key: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({
      type: "array",
      items: { type: "string" },
      example: ["pan_no"],
      description: "A key to delete; repeat for several (`?key=a&key=b`)",
    }),
});

export const HistoryEntrySchema = z
  .object({
    id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
    at: z.string().openapi({ example: "2025-02-04T12:11:52.033Z" }),
    actor: z.string().openapi({ example: "user_42" }),
    action: z.enum(HISTORY_ACTIONS).openapi({ example: "updated" }),
    subject: z
      .object({
        type: z.enum(["contact", ...HISTORY_SUBJECTS]).openapi({ example: "contact" }),
        id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
      })
      .openapi({
        description: "The record the entry is about: the contact itself or one of its sub-resources",
        example: { type: "contact", id: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" },
      }),
    changes: z
      .record(z.string(), z.tuple([z.unknown(), z.unknown()]))
      .openapi({ example: { name: ["Ramesh", "Ramesh Kumar"] } }),
    reason: z.string().nullable().openapi({ example: null }),
  })
  .openapi("HistoryEntry");

export const HistoryListQuery = z.object({
  page: listQueryFields.page,
  page_size: listQueryFields.page_size,
  cursor: listQueryFields.cursor,
});
export const HistoryListSchema = listEnvelopeSchema(HistoryEntrySchema, "HistoryList");

export type ContactCreate = z.infer<typeof ContactCreateSchema>;
export type ContactUpdate = z.infer<typeof ContactUpdateSchema>;
export type ContactListParams = z.infer<typeof ContactListQuery>;
export type PropInput = z.infer<typeof PropSchema>;
