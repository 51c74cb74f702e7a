import { z } from "@hono/zod-openapi";
import { ACCOUNT_TYPES } from "../../db/enums";
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
  contactFilter,
  listEnvelopeSchema,
  listQueryFields,
  orderingQuery,
  searchQuery,
  tagsQuery,
} from "../../lib/list-query";

const contactIdField = z
  .string()
  .openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4", description: "The owning contact; cannot change" });
const accountNumberField = z
  .string()
  .regex(/^(?:[0-9]{6,18}|X{2,14}[0-9]{4})$/, "must be 6 to 18 digits (or the masked number as read)")
  .openapi({
    example: "50100012345678",
    description:
      "6-18 digits. Stored encrypted; read in clear only with contacts:pii, else masked (XXXXXXXXXX5678). Sending back the masked value keeps the stored number.",
  });
/** An IFSC, upper-cased before it is checked: one rule for the body field and the list filter. */
const ifscCode = () =>
  z
    .string()
    .trim()
    .transform((v) => v.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{4}0[A-Z0-9]{6}$/, "must be an IFSC such as HDFC0001234"));
const ifscField = ifscCode().openapi({
  type: "string",
  example: "HDFC0001234",
  description: "Upper-cased before validation",
});
const holderField = text({
  min: 1,
  max: 100,
  pattern: NAME_PATTERN,
  message: NAME_MESSAGE,
  example: "Ramesh Kumar",
});
const bankNameField = optionalText({ min: 1, max: 100, example: "HDFC Bank" });
const branchNameField = optionalText({ min: 1, max: 100, example: "MG Road, Bengaluru" });
const accountTypeField = z.enum(ACCOUNT_TYPES).openapi({ example: "savings" });
const primaryField = z.boolean().openapi({
  example: true,
  description: "At most one primary account per contact: setting one clears the other",
});

export const BankCreateSchema = z
  .strictObject({
    contact_id: contactIdField,
    account_number: accountNumberField,
    ifsc: ifscField,
    account_holder_name: holderField,
    bank_name: bankNameField,
    branch_name: branchNameField,
    account_type: accountTypeField.optional(),
    is_primary: primaryField.optional(),
    tags: tagsField.optional(),
    ...readOnlyFields,
  })
  .openapi("BankAccountCreate");

export const BankUpdateSchema = z
  .strictObject({
    contact_id: contactIdField.optional(),
    account_number: accountNumberField.optional(),
    ifsc: ifscField.optional(),
    account_holder_name: holderField.optional(),
    bank_name: bankNameField,
    branch_name: branchNameField,
    account_type: accountTypeField.optional(),
    is_primary: primaryField.optional(),
    tags: tagsField.optional(),
    ...readOnlyFields,
  })
  .openapi("BankAccountUpdate");

export const BankSchema = z
  .object({
    id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D6" }),
    contact_id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
    account_number: z.string().openapi({
      example: "XXXXXXXXXX5678",
      description: "In clear for tokens with contacts:pii; otherwise every digit but the last four is X",
    }),
    ifsc: z.string().openapi({ example: "HDFC0001234" }),
    account_holder_name: z.string().openapi({ example: "Ramesh Kumar" }),
    bank_name: z.string().nullable().openapi({ example: "HDFC Bank" }),
    branch_name: z.string().nullable().openapi({ example: "MG Road, Bengaluru" }),
    account_type: accountTypeField,
    is_primary: z.boolean().openapi({ example: true }),
    tags: z.array(z.string()),
    ...auditSchema,
  })
  .openapi("BankAccount");

export const BankListQuery = z.object({
  ...listQueryFields,
  contact: contactFilter("The contact's records").optional(),
  // A malformed IFSC can match no account: 400 (API.md, Lists), not an empty page.
  ifsc: ifscCode().optional().openapi({
    type: "string",
    example: "HDFC0001234",
    description: "An IFSC (`^[A-Z]{4}0[A-Z0-9]{6}$` once upper-cased); a malformed one is 400",
  }),
  account_type: accountTypeField.optional(),
  search: searchQuery(
    "Words of account_holder_name or bank_name (prefix), or the last 4 digits of account_number (a longer run of digits matches on its last 4)",
    "5678",
  ).optional(),
  tags: tagsQuery.optional(),
  ordering: orderingQuery(["created_at", "updated_at"]).optional(),
});

export const BankListSchema = listEnvelopeSchema(BankSchema, "BankAccountList");

export type BankCreate = z.infer<typeof BankCreateSchema>;
export type BankUpdate = z.infer<typeof BankUpdateSchema>;
export type BankListParams = z.infer<typeof BankListQuery>;
