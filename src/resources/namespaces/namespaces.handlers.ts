import { cursorSecret } from "../../lib/cursor";
import { versionsOfIfMatch } from "../../lib/etag";
import { pathId } from "../../lib/ids";
import { listBody } from "../../lib/list";
import { type AppRouteHandler, noContent } from "../../lib/router";
import { toNamespace } from "./namespaces.mappers";
import * as repo from "./namespaces.repository";
import type * as routes from "./namespaces.routes";

const namespaceId = (raw: string) => pathId(raw, "Namespace");

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const row = await repo.createNamespace(c.get("db"), tenantId, userId, c.req.valid("json"));
  return c.json(toNamespace(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const result = await repo.listNamespaces(
    c.get("db"),
    c.get("auth").tenantId,
    c.req.valid("query"),
    cursorSecret(c.env),
  );
  return c.json(listBody(result, toNamespace), 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const row = await repo.getNamespace(
    c.get("db"),
    c.get("auth").tenantId,
    namespaceId(c.req.valid("param").namespace_id),
  );
  return c.json(toNamespace(row), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const id = namespaceId(c.req.valid("param").namespace_id);
  const ifMatch = versionsOfIfMatch(c.req.header("If-Match"));
  const row = await repo.updateNamespace(c.get("db"), tenantId, userId, id, c.req.valid("json"), ifMatch);
  return c.json(toNamespace(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const ifMatch = versionsOfIfMatch(c.req.header("If-Match"));
  await repo.deleteNamespace(
    c.get("db"),
    c.get("auth").tenantId,
    namespaceId(c.req.valid("param").namespace_id),
    ifMatch,
  );
  return noContent(c);
};
