import type { Context } from "hono";
import type { ContactWithNamespace } from "../../db/contact-queries";
import { BLOCKING_KINDS, type DuplicateMatch, findDuplicates } from "../../dedupe/dedupe.repository";
import { identifierKindOfKey } from "../../dedupe/identifiers";
import { DEFAULT_LIMIT } from "../../dedupe/scoring";
import type { AppEnv } from "../../env";
import { cursorSecret } from "../../lib/cursor";
import { ApiError, invalid } from "../../lib/errors";
import { etagOf, readerTag, versionsOfIfMatch } from "../../lib/etag";
import { pathId } from "../../lib/ids";
import { listBody } from "../../lib/list";
import { type AppRouteHandler, noContent } from "../../lib/router";
import { Scope } from "../../lib/scopes";
import { piiConfig, viewerOf } from "../../pii/access";
import { toMatches } from "../dedupe/dedupe.mappers";
import { toHistoryEntry } from "../history/history.mappers";
import { listHistory } from "../history/history.repository";
import { contactRef, toContact, toProps } from "./contacts.mappers";
import * as repo from "./contacts.repository";
import type * as routes from "./contacts.routes";

const contactId = (raw: string) => pathId(raw, "Contact");
const BLOCKING_RULES = new Set<string>(BLOCKING_KINDS);

/** A match that blocks a create: an identity document matched as itself (not a PAN inside a GSTIN). */
const blockedBy = (match: DuplicateMatch) =>
  match.reasons.some(
    (r) =>
      r.match === "exact" &&
      BLOCKING_RULES.has(r.rule) &&
      identifierKindOfKey(r.field.replace(/^props\./, "")) === r.rule,
  );

/**
 * What a write answers about its contact (API.md, Scopes: a response never shows a contact to a token
 * that could not read it): the contact to a token with contacts:read, else only its id, with the
 * contact's ETag so conditional writes still work.
 */
async function answerFor(c: Context<AppEnv>, row: ContactWithNamespace) {
  const auth = c.get("auth");
  if (auth.scopes.has(Scope.read)) return toContact(row, viewerOf(c.env, auth));
  c.header("ETag", etagOf(row.contact.version));
  return contactRef(row);
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { tenantId, userId, scopes } = c.get("auth");
  const input = c.req.valid("json");
  const pii = piiConfig(c.env);
  const block = c.req.valid("query").dedupe === "block";
  const row = await repo.createContact(c.get("db"), tenantId, userId, input, pii, { block });
  const viewer = viewerOf(c.env, c.get("auth"));
  if ("blocked" in row) {
    // Explaining the refusal costs a second round trip, only on this path.
    const matches = await findDuplicates(c.get("db"), { tenantId }, row.probe, {
      limit: DEFAULT_LIMIT,
      threshold: 0,
    });
    const blocking = matches.filter(blockedBy);
    // A token that cannot read contacts learns only which ids hold the document, never the contacts.
    const shown = scopes.has(Scope.read)
      ? (await toMatches(blocking, viewer)).results
      : blocking.map((m) => ({ contact: contactRef(m.contact), score: m.score, reasons: m.reasons }));
    throw new ApiError("duplicate", "A contact with the same identity document is already on record", {
      extra: { matches: shown },
    });
  }
  return c.json(await answerFor(c, row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const result = await repo.listContacts(
    c.get("db"),
    c.get("auth").tenantId,
    c.req.valid("query"),
    cursorSecret(c.env),
  );
  const viewer = viewerOf(c.env, c.get("auth"));
  const results = await Promise.all(
    result.rows.map((row) => toContact(row, viewer, result.expandedOf(row.contact.id))),
  );
  return c.json(
    listBody({ ...result, rows: results }, (contact) => contact),
    200,
  );
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const id = contactId(c.req.valid("param").contact_id);
  const expand = c.req.valid("query").expand ?? new Set();
  const { row, expanded } = await repo.getContactExpanded(c.get("db"), c.get("auth").tenantId, id, expand);
  return c.json(await toContact(row, viewerOf(c.env, c.get("auth")), expanded), 200);
};

const ifMatch = (header: string | undefined) => ({ ifMatch: versionsOfIfMatch(header) });

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const id = contactId(c.req.valid("param").contact_id);
  const input = c.req.valid("json");
  const options = ifMatch(c.req.header("If-Match"));
  const row = await repo.updateContact(c.get("db"), tenantId, userId, id, input, piiConfig(c.env), options);
  return c.json(await answerFor(c, row), 200);
};

const action =
  (name: repo.Action): AppRouteHandler<typeof routes.active> =>
  async (c) => {
    const { tenantId, userId } = c.get("auth");
    const id = contactId(c.req.valid("param").contact_id);
    const reason = c.req.valid("json")?.reason ?? null;
    const options = ifMatch(c.req.header("If-Match"));
    const row = await repo.applyAction(c.get("db"), tenantId, userId, id, name, reason, options);
    return c.json(await answerFor(c, row), 200);
  };

export const active = action("active");
export const inactive = action("inactive");
export const approve = action("approve");
export const reject = action("reject");

export const erase: AppRouteHandler<typeof routes.erase> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const id = contactId(c.req.valid("param").contact_id);
  const { reason } = c.req.valid("json");
  const options = ifMatch(c.req.header("If-Match"));
  const row = await repo.eraseContact(c.get("db"), tenantId, userId, id, reason, options);
  return c.json(await answerFor(c, row), 200);
};

export const getProps: AppRouteHandler<typeof routes.getProps> = async (c) => {
  const id = contactId(c.req.valid("param").contact_id);
  const row = await repo.getContact(c.get("db"), c.get("auth").tenantId, id);
  const viewer = viewerOf(c.env, c.get("auth"));
  const answer = await toProps(row, viewer);
  c.header("ETag", readerTag(etagOf(row.contact.version), answer, viewer.clear));
  return c.json(answer, 200);
};

/**
 * The repository names a prop's errors `props.<i>.<field>`, its path in a `{"props": [...]}` body (it
 * judges masked values against the stored props, so after the request schema). When the body is the
 * array itself, that prop is at `<i>.<field>`, as the schema reports its own errors: one path form per
 * body (API.md: errors[] names every bad field). `props` alone (the contact's whole set) stays.
 */
const atArrayBody = (error: unknown): unknown =>
  error instanceof ApiError && error.kind === "validation" && error.errors
    ? invalid(error.errors.map((e) => ({ ...e, path: e.path.replace(/^props\.(?=\d)/, "") })))
    : error;

export const putProps: AppRouteHandler<typeof routes.putProps> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const id = contactId(c.req.valid("param").contact_id);
  const body = c.req.valid("json");
  const props = Array.isArray(body) ? body : body.props;
  const options = ifMatch(c.req.header("If-Match"));
  const row = await repo
    .upsertProps(c.get("db"), tenantId, userId, id, props, piiConfig(c.env), options)
    .catch((error: unknown) => {
      throw Array.isArray(body) ? atArrayBody(error) : error;
    });
  const auth = c.get("auth");
  const viewer = viewerOf(c.env, auth);
  const answer = await toProps(row, viewer);
  c.header("ETag", readerTag(etagOf(row.contact.version), answer, viewer.clear));
  if (auth.scopes.has(Scope.read)) return c.json(answer, 200);
  // A token that cannot read the contact sees back only the props it sent (API.md, Scopes).
  const sent = new Set(props.map((p) => p.key));
  return c.json({ ...answer, props: answer.props.filter((p) => sent.has(p.key)) }, 200);
};

export const deleteProps: AppRouteHandler<typeof routes.deleteProps> = async (c) => {
  const { tenantId, userId } = c.get("auth");
  const id = contactId(c.req.valid("param").contact_id);
  const keys = c.req.queries("key") ?? [];
  if (keys.length === 0 || keys.some((k) => k.trim() === "")) {
    throw invalid([
      { path: "key", code: "required", message: "name at least one non-empty key: ?key=a&key=b" },
    ]);
  }
  const options = ifMatch(c.req.header("If-Match"));
  const trimmed = keys.map((k) => k.trim());
  await repo.deleteProps(c.get("db"), tenantId, userId, id, trimmed, piiConfig(c.env), options);
  return noContent(c);
};

export const history: AppRouteHandler<typeof routes.history> = async (c) => {
  const id = contactId(c.req.valid("param").contact_id);
  const result = await listHistory(
    c.get("db"),
    c.get("auth").tenantId,
    id,
    c.req.valid("query"),
    cursorSecret(c.env),
  );
  return c.json(
    listBody(result, (row) => toHistoryEntry(row, id)),
    200,
  );
};
