import { cursorSecret } from "../../lib/cursor";
import { versionsOfIfMatch } from "../../lib/etag";
import { pathId } from "../../lib/ids";
import { listBody } from "../../lib/list";
import { type AppRouteHandler, noContent } from "../../lib/router";
import { toAddress } from "./addresses.mappers";
import * as repo from "./addresses.repository";
import type * as routes from "./addresses.routes";

const addressId = (raw: string) => pathId(raw, "Address");

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const row = await repo.createAddress(c.get("db"), tenantId, userId, c.req.valid("json"));
  return c.json(toAddress(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const result = await repo.listAddresses(
    c.get("db"),
    c.get("auth").tenantId,
    c.req.valid("query"),
    cursorSecret(c.env),
  );
  return c.json(listBody(result, toAddress), 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const row = await repo.getAddress(
    c.get("db"),
    c.get("auth").tenantId,
    addressId(c.req.valid("param").address_id),
  );
  return c.json(toAddress(row), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const id = addressId(c.req.valid("param").address_id);
  const row = await repo.updateAddress(
    c.get("db"),
    tenantId,
    userId,
    id,
    c.req.valid("json"),
    versionsOfIfMatch(c.req.header("If-Match")),
  );
  return c.json(toAddress(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  await repo.deleteAddress(
    c.get("db"),
    tenantId,
    userId,
    addressId(c.req.valid("param").address_id),
    versionsOfIfMatch(c.req.header("If-Match")),
  );
  return noContent(c);
};
