import {
  BLOCKING_KINDS,
  type DuplicateMatch,
  findDuplicates,
  identifierRows,
} from "../../dedupe/dedupe.repository";
import { kindOfPropKey } from "../../dedupe/identifiers";
import { DEFAULT_LIMIT } from "../../dedupe/scoring";
import { cursorSecret } from "../../lib/cursor";
import { ApiError, invalid } from "../../lib/errors";
import { pathId } from "../../lib/ids";
import { listBody } from "../../lib/list";
import { type AppRouteHandler, noContent } from "../../lib/router";
import { toMatches } from "../dedupe/dedupe.mappers";
import { toHistoryEntry } from "../history/history.mappers";
import { listHistory } from "../history/history.repository";
import { toContact, toProps } from "./contacts.mappers";
import * as repo from "./contacts.repository";
import type * as routes from "./contacts.routes";

const contactId = (raw: string) => pathId(raw, "Contact");

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const input = c.req.valid("json");
  const hmacKey = c.env.IDENTIFIER_HMAC_KEY;
  const block = c.req.valid("query").dedupe === "block";
  const row = await repo.createContact(c.var.db, tenantId, userId, input, { hmacKey, block });
  if ("blocked" in row) {
    // Explaining the refusal costs a second round trip, only on this path.
    const probe = {
      name: input.name,
      type: input.type,
      rows: await identifierRows(input.name, input.props, hmacKey),
    };
    const matches = await findDuplicates(c.var.db, { tenantId }, probe, {
      limit: DEFAULT_LIMIT,
      threshold: 0,
    });
    throw new ApiError("duplicate", "A contact with the same identity document is already on record", {
      extra: { matches: toMatches(matches.filter(blockedBy)).results },
    });
  }
  return c.json(toContact(row), 201);
};

const BLOCKING_RULES = new Set<string>(BLOCKING_KINDS);

/** A match that blocks a create: an identity document matched as itself (not a PAN inside a GSTIN). */
const blockedBy = (match: DuplicateMatch) =>
  match.reasons.some(
    (r) =>
      r.match === "exact" &&
      BLOCKING_RULES.has(r.rule) &&
      kindOfPropKey(r.field.replace(/^props\./, "")) === r.rule,
  );

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const result = await repo.listContacts(
    c.var.db,
    c.var.auth.tenantId,
    c.req.valid("query"),
    cursorSecret(c.env),
  );
  return c.json(
    listBody(result, (row) => toContact(row, result.expandedOf(row.contact.id))),
    200,
  );
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const id = contactId(c.req.valid("param").contact_id);
  const expand = c.req.valid("query").expand ?? new Set();
  const { row, expanded } = await repo.getContactExpanded(c.var.db, c.var.auth.tenantId, id, expand);
  return c.json(toContact(row, expanded), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const id = contactId(c.req.valid("param").contact_id);
  const row = await repo.updateContact(
    c.var.db,
    tenantId,
    userId,
    id,
    c.req.valid("json"),
    c.env.IDENTIFIER_HMAC_KEY,
  );
  return c.json(toContact(row), 200);
};

const action =
  (name: repo.Action): AppRouteHandler<typeof routes.active> =>
  async (c) => {
    const { tenantId, userId } = c.var.auth;
    const id = contactId(c.req.valid("param").contact_id);
    const row = await repo.applyAction(
      c.var.db,
      tenantId,
      userId,
      id,
      name,
      c.req.valid("json").reason ?? null,
    );
    return c.json(toContact(row), 200);
  };

export const active = action("active");
export const inactive = action("inactive");
export const approve = action("approve");
export const reject = action("reject");

export const getProps: AppRouteHandler<typeof routes.getProps> = async (c) => {
  const row = await repo.getContact(
    c.var.db,
    c.var.auth.tenantId,
    contactId(c.req.valid("param").contact_id),
  );
  return c.json(toProps(row), 200);
};

export const putProps: AppRouteHandler<typeof routes.putProps> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const id = contactId(c.req.valid("param").contact_id);
  const body = c.req.valid("json");
  const row = await repo.upsertProps(
    c.var.db,
    tenantId,
    userId,
    id,
    Array.isArray(body) ? body : body.props,
    c.env.IDENTIFIER_HMAC_KEY,
  );
  return c.json(toProps(row), 200);
};

export const deleteProps: AppRouteHandler<typeof routes.deleteProps> = async (c) => {
  const { tenantId, userId } = c.var.auth;
  const id = contactId(c.req.valid("param").contact_id);
  const keys = c.req.queries("key") ?? [];
  if (keys.length === 0 || keys.some((k) => k.trim() === "")) {
    throw invalid([
      { path: "key", code: "required", message: "name at least one non-empty key: ?key=a&key=b" },
    ]);
  }
  await repo.deleteProps(
    c.var.db,
    tenantId,
    userId,
    id,
    keys.map((k) => k.trim()),
    c.env.IDENTIFIER_HMAC_KEY,
  );
  return noContent(c);
};

export const history: AppRouteHandler<typeof routes.history> = async (c) => {
  const id = contactId(c.req.valid("param").contact_id);
  const result = await listHistory(c.var.db, c.var.auth.tenantId, id, c.req.valid("query"));
  return c.json(listBody(result, toHistoryEntry), 200);
};
