import { invalid } from "../../lib/errors";
import { newId, pathId } from "../../lib/ids";
import type { AppRouteHandler } from "../../lib/openapi";
import { cursorSecret, listBody } from "../../lib/pagination";
import { nowIso } from "../../lib/time";
import { immutableContact, linkedContact } from "../children/child-links";
import * as repo from "./relations.repository";
import type * as routes from "./relations.routes";
import type { RelationCreate, RelationListParams, RelationUpdate } from "./relations.schemas";

const relationId = (raw: string) => pathId(raw, "Relation");

function related(raw: string | null | undefined, contactId: string): string | null {
  if (raw === null || raw === undefined) return null;
  const id = linkedContact(raw, "related_contact");
  if (id === contactId)
    throw invalid([
      { path: "related_contact", code: "self_relation", message: "must not be the contact itself" },
    ]);
  return id;
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const body = c.req.valid("json") as RelationCreate;
  const contactId = linkedContact(body.contact, "contact");
  const at = nowIso();
  const row = await repo.createRelation(c.var.db, {
    id: newId(),
    tenantId,
    contactId,
    type: body.type,
    relatedContactId: related(body.related_contact, contactId),
    tags: body.tags ?? [],
    version: 1,
    createdAt: at,
    createdBy: userId,
    updatedAt: at,
    updatedBy: null,
  });
  return c.json(repo.toRelation(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const params = c.req.valid("query") as RelationListParams;
  const result = await repo.listRelations(c.var.db, c.var.auth.tenantId, params, cursorSecret(c.env));
  return c.json(listBody(result, repo.toRelation), 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const row = await repo.getRelation(
    c.var.db,
    c.var.auth.tenantId,
    relationId(c.req.valid("param").contact_relation_id),
  );
  return c.json(repo.toRelation(row), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const body = c.req.valid("json") as RelationUpdate;
  const id = relationId(c.req.valid("param").contact_relation_id);
  const row = await repo.updateRelation(c.var.db, tenantId, userId, id, (current) => {
    immutableContact(body.contact, current.contactId, "contact");
    const set: Partial<repo.RelationRow> = {};
    if (body.type !== undefined) set.type = body.type;
    if (body.related_contact !== undefined)
      set.relatedContactId = related(body.related_contact, current.contactId);
    if (body.tags !== undefined) set.tags = body.tags;
    return set;
  });
  return c.json(repo.toRelation(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  await repo.deleteRelation(c.var.db, tenantId, userId, relationId(c.req.valid("param").contact_relation_id));
  return c.body(null, 204);
};
