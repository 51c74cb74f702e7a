import { newId, pathId } from "../../lib/ids";
import type { AppRouteHandler } from "../../lib/openapi";
import { cursorSecret, listBody } from "../../lib/pagination";
import { nowIso } from "../../lib/time";
import { immutableContact, linkedContact } from "../children/child-links";
import * as repo from "./banks.repository";
import type * as routes from "./banks.routes";
import type { BankCreate, BankListParams, BankUpdate } from "./banks.schemas";

const bankId = (raw: string) => pathId(raw, "Bank account");

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const body = c.req.valid("json") as BankCreate;
  const at = nowIso();
  const row = await repo.createBank(c.var.db, {
    id: newId(),
    tenantId,
    contactId: linkedContact(body.contact_id, "contact_id"),
    accountNumber: body.account_number,
    ifsc: body.ifsc,
    accountHolderName: body.account_holder_name,
    bankName: body.bank_name ?? null,
    branchName: body.branch_name ?? null,
    accountType: body.account_type ?? "savings",
    isPrimary: body.is_primary ?? false,
    tags: body.tags ?? [],
    version: 1,
    createdAt: at,
    createdBy: userId,
    updatedAt: at,
    updatedBy: null,
  });
  return c.json(repo.toBank(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const params = c.req.valid("query") as BankListParams;
  const result = await repo.listBanks(c.var.db, c.var.auth.tenantId, params, cursorSecret(c.env));
  return c.json(listBody(result, repo.toBank), 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const row = await repo.getBank(c.var.db, c.var.auth.tenantId, bankId(c.req.valid("param").bank_id));
  return c.json(repo.toBank(row), 200);
};

function changes(body: BankUpdate, current: repo.BankRow): Partial<repo.BankRow> {
  immutableContact(body.contact_id, current.contactId);
  const set: Partial<repo.BankRow> = {};
  if (body.account_number !== undefined) set.accountNumber = body.account_number;
  if (body.ifsc !== undefined) set.ifsc = body.ifsc;
  if (body.account_holder_name !== undefined) set.accountHolderName = body.account_holder_name;
  if (body.bank_name !== undefined) set.bankName = body.bank_name;
  if (body.branch_name !== undefined) set.branchName = body.branch_name;
  if (body.account_type !== undefined) set.accountType = body.account_type;
  if (body.is_primary !== undefined) set.isPrimary = body.is_primary;
  if (body.tags !== undefined) set.tags = body.tags;
  return set;
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const body = c.req.valid("json") as BankUpdate;
  const id = bankId(c.req.valid("param").bank_id);
  const row = await repo.updateBank(c.var.db, tenantId, userId, id, (current) => changes(body, current));
  return c.json(repo.toBank(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  await repo.deleteBank(c.var.db, tenantId, userId, bankId(c.req.valid("param").bank_id));
  return c.body(null, 204);
};
