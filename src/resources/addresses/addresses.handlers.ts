import { newId, pathId } from "../../lib/ids";
import type { AppRouteHandler } from "../../lib/openapi";
import { cursorSecret, listBody } from "../../lib/pagination";
import { nowIso } from "../../lib/time";
import { immutableContact, linkedContact } from "../children/child-links";
import * as repo from "./addresses.repository";
import type * as routes from "./addresses.routes";
import type { AddressCreate, AddressListParams, AddressUpdate } from "./addresses.schemas";

const addressId = (raw: string) => pathId(raw, "Address");

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const body = c.req.valid("json") as AddressCreate;
  const at = nowIso();
  const row = await repo.createAddress(c.var.db, {
    id: newId(),
    tenantId,
    contactId: linkedContact(body.contact_id, "contact_id"),
    addressLine: body.address_line,
    city: body.city,
    state: body.state,
    pincode: body.pincode,
    country: body.country,
    type: body.type ?? "current",
    lat: body.coords?.lat ?? null,
    lng: body.coords?.lng ?? null,
    codes: body.codes ?? null,
    tags: body.tags ?? [],
    version: 1,
    createdAt: at,
    createdBy: userId,
    updatedAt: at,
    updatedBy: null,
  });
  return c.json(repo.toAddress(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const result = await repo.listAddresses(
    c.var.db,
    c.var.auth.tenantId,
    c.req.valid("query") as AddressListParams,
    cursorSecret(c.env),
  );
  return c.json(listBody(result, repo.toAddress), 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const row = await repo.getAddress(
    c.var.db,
    c.var.auth.tenantId,
    addressId(c.req.valid("param").address_id),
  );
  return c.json(repo.toAddress(row), 200);
};

function changes(body: AddressUpdate, current: repo.AddressRow): Partial<repo.AddressRow> {
  immutableContact(body.contact_id, current.contactId);
  const set: Partial<repo.AddressRow> = {};
  if (body.address_line !== undefined) set.addressLine = body.address_line;
  if (body.city !== undefined) set.city = body.city;
  if (body.state !== undefined) set.state = body.state;
  if (body.pincode !== undefined) set.pincode = body.pincode;
  if (body.country !== undefined) set.country = body.country;
  if (body.type !== undefined) set.type = body.type;
  if (body.coords !== undefined) {
    set.lat = body.coords?.lat ?? null;
    set.lng = body.coords?.lng ?? null;
  }
  if (body.codes !== undefined) set.codes = body.codes;
  if (body.tags !== undefined) set.tags = body.tags;
  return set;
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const body = c.req.valid("json") as AddressUpdate;
  const id = addressId(c.req.valid("param").address_id);
  const row = await repo.updateAddress(c.var.db, tenantId, userId, id, (current) => changes(body, current));
  return c.json(repo.toAddress(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  await repo.deleteAddress(c.var.db, tenantId, userId, addressId(c.req.valid("param").address_id));
  return c.body(null, 204);
};
