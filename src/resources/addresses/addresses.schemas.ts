import { z } from "@hono/zod-openapi";
import { ADDRESS_TYPES } from "../../db/enums";
import { auditSchema, optionalText, readOnlyFields, tagsField } from "../../lib/fields";
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

const coordsField = z
  .strictObject({
    lat: z.number().min(-90).max(90).openapi({ example: 12.9716 }),
    lng: z.number().min(-180).max(180).openapi({ example: 77.5946 }),
  })
  .nullable()
  .openapi("Coords");

/** Printable: no control, format (bidi, zero-width) or lone surrogate characters. */
const PRINTABLE = /^[^\p{Cc}\p{Cf}\p{Cs}]+$/u;
const codesField = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, "must be 1-50 of a-z 0-9 _, starting with a letter"),
    z
      .string()
      .min(1)
      .max(100)
      .refine((v) => PRINTABLE.test(v), "must be printable characters (no control or format characters)")
      // Explicit: the generator would write the regex's /u flag into the pattern.
      .openapi({ pattern: PRINTABLE.source }),
  )
  .refine((codes) => Object.keys(codes).length <= 20, "may hold at most 20 codes")
  .nullable()
  .openapi({ example: { state_code: "KA" }, description: "String codes such as state_code, district_code" });

const writable = {
  address_line: optionalText({
    min: 5,
    max: 100,
    pattern: /^(?:[\p{L}\p{M}0-9 ,.'\-/#]|\u200C|\u200D)+$/u,
    message: "may contain letters, digits, spaces and , . ' - / # only",
    example: "12, MG Road, Ashok Nagar",
  }),
  city: optionalText({
    min: 2,
    max: 50,
    pattern: /^(?:[\p{L}\p{M} .-]|\u200C|\u200D)+$/u,
    message: "may contain letters, spaces, - and . only",
    example: "Bengaluru",
  }),
  state: optionalText({
    min: 3,
    max: 50,
    pattern: /^(?:[\p{L}\p{M} -]|\u200C|\u200D)+$/u,
    message: "may contain letters, spaces and - only",
    example: "Karnataka",
  }),
  pincode: optionalText({
    min: 6,
    max: 6,
    pattern: /^[0-9]{6}$/,
    message: "must be 6 digits",
    example: "560001",
  }),
  country: optionalText({
    min: 2,
    max: 50,
    pattern: /^(?:[\p{L}\p{M} ]|\u200C|\u200D)+$/u,
    message: "may contain letters and spaces only",
    example: "India",
  }),
  type: z.enum(ADDRESS_TYPES).openapi({ example: "current" }),
  coords: coordsField,
  codes: codesField,
  tags: tagsField,
};

export const AddressCreateSchema = z
  .strictObject({
    contact_id: contactIdField,
    ...writable,
    // Nullable like every optional address field (API.md): null is the default, as when absent.
    type: writable.type.nullable().optional(),
    coords: coordsField.optional(),
    codes: codesField.optional(),
    tags: tagsField.nullable().optional(),
    ...readOnlyFields,
  })
  .openapi("AddressCreate");

export const AddressUpdateSchema = z
  .strictObject({
    contact_id: contactIdField.optional(),
    address_line: writable.address_line,
    city: writable.city,
    state: writable.state,
    pincode: writable.pincode,
    country: writable.country,
    // Nullable like every optional address field (API.md): null is the default, as when absent.
    type: writable.type.nullable().optional(),
    coords: coordsField.optional(),
    codes: codesField.optional(),
    tags: tagsField.nullable().optional(),
    ...readOnlyFields,
  })
  .openapi("AddressUpdate");

export const AddressSchema = z
  .object({
    id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D5" }),
    contact_id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
    address_line: z.string().nullable().openapi({ example: "12, MG Road, Ashok Nagar" }),
    city: z.string().nullable().openapi({ example: "Bengaluru" }),
    state: z.string().nullable().openapi({ example: "Karnataka" }),
    pincode: z.string().nullable().openapi({ example: "560001" }),
    country: z.string().nullable().openapi({ example: "India" }),
    type: z.enum(ADDRESS_TYPES).openapi({ example: "current" }),
    coords: z
      .object({ lat: z.number(), lng: z.number() })
      .nullable()
      .openapi({ example: { lat: 12.9716, lng: 77.5946 } }),
    codes: z
      .record(z.string(), z.string())
      .nullable()
      .openapi({ example: { state_code: "KA" } }),
    tags: z.array(z.string()),
    ...auditSchema,
  })
  .openapi("Address");

export const AddressListQuery = z.object({
  ...listQueryFields,
  contact: contactFilter("The contact's records").optional(),
  type: z.enum(ADDRESS_TYPES).optional().openapi({ example: "permanent" }),
  search: searchQuery(
    "Words of address_line, city, state, country or pincode (prefix match)",
    "beng",
  ).optional(),
  tags: tagsQuery.optional(),
  ordering: orderingQuery(["created_at", "updated_at"]).optional(),
});

export const AddressListSchema = listEnvelopeSchema(AddressSchema, "AddressList");

export type AddressCreate = z.infer<typeof AddressCreateSchema>;
export type AddressUpdate = z.infer<typeof AddressUpdateSchema>;
export type AddressListParams = z.infer<typeof AddressListQuery>;
