import { z } from "@hono/zod-openapi";
import { RELATION_TYPES } from "../../db/enums";
import { auditSchema, readOnlyFields, tagsField } from "../../lib/fields";
import { contactFilter, listEnvelopeSchema, listQueryFields, orderingQuery } from "../../lib/list-query";

const contactField = z
  .string()
  .openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4", description: "The contact; cannot change" });
const relatedField = z.union([z.literal("").transform(() => null), z.null(), z.string()]).openapi({
  type: ["string", "null"],
  example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D7",
  description: "The other contact, or null",
});
const typeField = z.enum(RELATION_TYPES).openapi({ example: "guarantor" });

export const RelationCreateSchema = z
  .strictObject({
    contact: contactField,
    type: typeField,
    related_contact: relatedField.optional(),
    tags: tagsField.optional(),
    ...readOnlyFields,
  })
  .openapi("RelationCreate");

export const RelationUpdateSchema = z
  .strictObject({
    contact: contactField.optional(),
    type: typeField.optional(),
    related_contact: relatedField.optional(),
    tags: tagsField.optional(),
    ...readOnlyFields,
  })
  .openapi("RelationUpdate");

export const RelationSchema = z
  .object({
    id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D8" }),
    contact: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
    type: typeField,
    related_contact: z.string().nullable().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D7" }),
    tags: z.array(z.string()),
    ...auditSchema,
  })
  .openapi("Relation");

export const RelationListQuery = z.object({
  ...listQueryFields,
  contact: contactFilter("Relations where this contact is either side").optional(),
  related_contact: contactFilter("Relations to this contact").optional(),
  type: typeField.optional(),
  ordering: orderingQuery(["created_at", "updated_at"]).optional(),
});

export const RelationListSchema = listEnvelopeSchema(RelationSchema, "RelationList");

export type RelationCreate = z.infer<typeof RelationCreateSchema>;
export type RelationUpdate = z.infer<typeof RelationUpdateSchema>;
export type RelationListParams = z.infer<typeof RelationListQuery>;
