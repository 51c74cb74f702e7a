import { childRoutes } from "../children/child-routes";
import {
  RelationCreateSchema,
  RelationListQuery,
  RelationListSchema,
  RelationSchema,
  RelationUpdateSchema,
} from "./relations.schemas";

export const { create, list, get, update, remove } = childRoutes({
  path: "/contacts/relations/",
  param: "contact_relation_id",
  tag: "Relations",
  resource: "relations",
  label: "relation",
  conflict: "The same (contact, type, related_contact) exists",
  schemas: {
    create: RelationCreateSchema,
    update: RelationUpdateSchema,
    item: RelationSchema,
    list: RelationListSchema,
    listQuery: RelationListQuery,
  },
});
