import { cursorSecret } from "../../lib/cursor";
import { versionsOfIfMatch } from "../../lib/etag";
import { pathId } from "../../lib/ids";
import { listBody } from "../../lib/list";
import { type AppRouteHandler, noContent } from "../../lib/router";
import { piiConfig, viewerOf } from "../../pii/access";
import { viewBank } from "./banks.mappers";
import * as repo from "./banks.repository";
import type * as routes from "./banks.routes";

const bankId = (raw: string) => pathId(raw, "Bank account");

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const row = await repo.createBank(c.get("db"), tenantId, userId, c.req.valid("json"), piiConfig(c.env));
  return c.json(await viewBank(row, viewerOf(c.env, c.get("auth"))), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const result = await repo.listBanks(
    c.get("db"),
    c.get("auth").tenantId,
    c.req.valid("query"),
    cursorSecret(c.env),
  );
  const viewer = viewerOf(c.env, c.get("auth"));
  const rows = await Promise.all(result.rows.map((row) => viewBank(row, viewer)));
  return c.json(
    listBody({ ...result, rows }, (bank) => bank),
    200,
  );
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const row = await repo.getBank(c.get("db"), c.get("auth").tenantId, bankId(c.req.valid("param").bank_id));
  return c.json(await viewBank(row, viewerOf(c.env, c.get("auth"))), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const id = bankId(c.req.valid("param").bank_id);
  const row = await repo.updateBank(
    c.get("db"),
    tenantId,
    userId,
    id,
    c.req.valid("json"),
    piiConfig(c.env),
    versionsOfIfMatch(c.req.header("If-Match")),
  );
  return c.json(await viewBank(row, viewerOf(c.env, c.get("auth"))), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  await repo.deleteBank(
    c.get("db"),
    tenantId,
    userId,
    bankId(c.req.valid("param").bank_id),
    versionsOfIfMatch(c.req.header("If-Match")),
  );
  return noContent(c);
};
