import { cursorSecret } from "../../lib/cursor";
import { versionsOfIfMatch } from "../../lib/etag";
import { pathId } from "../../lib/ids";
import { listBody } from "../../lib/list";
import { type AppRouteHandler, noContent } from "../../lib/router";
import { toRelation } from "./relations.mappers";
import * as repo from "./relations.repository";
import type * as routes from "./relations.routes";

const relationId = (raw: string) => pathId(raw, "Relation");

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const row = await repo.createRelation(c.get("db"), tenantId, userId, c.req.valid("json"));
  return c.json(toRelation(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const result = await repo.listRelations(
    c.get("db"),
    c.get("auth").tenantId,
    c.req.valid("query"),
    cursorSecret(c.env),
  );
  return c.json(listBody(result, toRelation), 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const row = await repo.getRelation(
    c.get("db"),
    c.get("auth").tenantId,
    relationId(c.req.valid("param").contact_relation_id),
  );
  return c.json(toRelation(row), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const id = relationId(c.req.valid("param").contact_relation_id);
  const row = await repo.updateRelation(
    c.get("db"),
    tenantId,
    userId,
    id,
    c.req.valid("json"),
    versionsOfIfMatch(c.req.header("If-Match")),
  );
  return c.json(toRelation(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  await repo.deleteRelation(
    c.get("db"),
    tenantId,
    userId,
    relationId(c.req.valid("param").contact_relation_id),
    versionsOfIfMatch(c.req.header("If-Match")),
  );
  return noContent(c);
};
