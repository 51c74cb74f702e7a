import { auditOf } from "../../lib/fields";
import { pathId } from "../../lib/ids";
import type { AppRouteHandler } from "../../lib/openapi";
import { cursorSecret, listBody } from "../../lib/pagination";
import * as repo from "./namespaces.repository";
import type * as routes from "./namespaces.routes";

export function toNamespace(row: repo.NamespaceRow) {
  return {
    id: row.id,
    name: row.name,
    contact_pattern: row.contactPattern,
    contact_counter: row.contactCounter,
    account_pattern: row.accountPattern,
    account_counter: row.accountCounter,
    ...auditOf(row),
  };
}

const namespaceId = (raw: string) => pathId(raw, "Namespace");

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const row = await repo.createNamespace(c.var.db, tenantId, userId, c.req.valid("json"));
  return c.json(toNamespace(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const result = await repo.listNamespaces(
    c.var.db,
    c.var.auth.tenantId,
    c.req.valid("query"),
    cursorSecret(c.env),
  );
  return c.json(listBody(result, toNamespace), 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const row = await repo.getNamespace(
    c.var.db,
    c.var.auth.tenantId,
    namespaceId(c.req.valid("param").namespace_id),
  );
  return c.json(toNamespace(row), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const id = namespaceId(c.req.valid("param").namespace_id);
  const row = await repo.updateNamespace(c.var.db, tenantId, userId, id, c.req.valid("json"));
  return c.json(toNamespace(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  await repo.deleteNamespace(c.var.db, c.var.auth.tenantId, namespaceId(c.req.valid("param").namespace_id));
  return c.body(null, 204);
};
