import { z } from "@hono/zod-openapi";
import { idParam } from "../../lib/fields";
import { apiRoute, jsonBody, jsonContent } from "../../lib/openapi";
import { ProblemSchema, problem } from "../../lib/problems";
import { Scope } from "../../lib/scopes";
import { DedupeMatchSchema } from "../dedupe/dedupe.schemas";
import {
  ActionBodySchema,
  ContactCreateQuery,
  ContactCreateSchema,
  ContactGetQuery,
  ContactListQuery,
  ContactListSchema,
  ContactOrRefSchema,
  ContactSchema,
  ContactUpdateSchema,
  EraseBodySchema,
  HistoryListQuery,
  HistoryListSchema,
  PropsBodySchema,
  PropsDeleteQuery,
  PropsSchema,
} from "./contacts.schemas";

const tags = ["Contacts"];

/** What a write answers (API.md, Scopes): the contact, or only its id to a token without contacts:read. */
const written = (description: string) =>
  jsonContent(ContactOrRefSchema, `${description}; only its \`id\` for a token without contacts:read`);

/** The 409 of `dedupe=block`: the problem and the contacts that hold the document (API.md, Scopes). */
const DuplicateProblemSchema = ProblemSchema.extend({
  matches: z
    .array(
      // Not DedupeMatchSchema.extend: the document would make each match satisfy DedupeMatch (a whole contact) too.
      z.object({
        contact: ContactOrRefSchema,
        score: DedupeMatchSchema.shape.score,
        reasons: DedupeMatchSchema.shape.reasons,
      }),
    )
    .optional()
    .openapi({ description: "With `/problems/duplicate` only" }),
}).openapi("DuplicateProblem");
const params = idParam("contact_id");
const notFound = problem("No such contact in the caller's tenant");

export const create = apiRoute({
  method: "post",
  path: "/contacts/",
  operationId: "contacts.create",
  tags,
  summary: "Create a contact",
  description:
    "`ref_id` is generated from the namespace's `contact_pattern` when absent. Writes the contact and its identifier index rows in one atomic batch (its `created` history entry is read from the contact itself). With `?dedupe=block`, refused (409) when a PAN, GSTIN, Aadhaar, passport, voter id or driving licence of the contact is already on record in the tenant.",
  scope: Scope.write,
  etag: true,
  request: { query: ContactCreateQuery, body: jsonBody(ContactCreateSchema) },
  responses: {
    201: written("The contact"),
    409: {
      description:
        "The ref_id is taken in the namespace, or its counter is exhausted; or, with `dedupe=block`, an identity document of the contact is already on record (`/problems/duplicate`, with `matches`: the matching contacts, scores and reasons); nothing is created",
      content: { "application/problem+json": { schema: DuplicateProblemSchema } },
    },
  },
});

export const list = apiRoute({
  method: "get",
  path: "/contacts/",
  operationId: "contacts.list",
  tags,
  summary: "List contacts",
  description: "Newest first unless `ordering` says otherwise. Page mode (`page`) or cursor mode (`cursor`).",
  scope: Scope.read,
  request: { query: ContactListQuery },
  responses: { 200: jsonContent(ContactListSchema, "A page of contacts") },
});

export const get = apiRoute({
  method: "get",
  path: "/contacts/{contact_id}/",
  operationId: "contacts.get",
  tags,
  summary: "Retrieve a contact",
  scope: Scope.read,
  request: { params, query: ContactGetQuery },
  responses: { 200: jsonContent(ContactSchema, "The contact"), 404: notFound },
});

export const update = apiRoute({
  method: "patch",
  path: "/contacts/{contact_id}/",
  operationId: "contacts.update",
  tags,
  summary: "Update a contact (partial)",
  description:
    "Only the fields sent change; `props` and `tags` replace the whole set. A change writes one history entry (`activated`/`deactivated` when only `status` changed, else `updated`); a PATCH that changes nothing writes none and keeps `version`.",
  scope: Scope.write,
  etag: true,
  request: { params, body: jsonBody(ContactUpdateSchema) },
  responses: {
    200: written("The contact"),
    404: notFound,
    409: problem("The ref_id is taken in the target namespace"),
  },
});

const action = (name: "active" | "inactive" | "approve" | "reject", summary: string, description: string) =>
  apiRoute({
    method: "put",
    path: `/contacts/{contact_id}/${name}/`,
    operationId: `contacts.${name}`,
    tags,
    summary,
    description: `${description} Repeating the current state is a no-op 200 with no history. Optional body: {"reason": "..."} (kept in history).`,
    scope: name === "approve" || name === "reject" ? Scope.approve : Scope.write,
    etag: true,
    request: { params, body: jsonBody(ActionBodySchema, false) },
    responses: {
      200: written("The contact"),
      404: notFound,
      ...(name === "approve" || name === "reject"
        ? { 409: problem("The contact is inactive: approval cannot change") }
        : {}),
    },
  });

export const active = action("active", "Activate a contact", "Sets `status` to `active`.");
export const inactive = action("inactive", "Deactivate a contact", "Sets `status` to `inactive`.");
export const approve = action(
  "approve",
  "Approve a contact",
  "Sets `approval_status` to `approved`; only while `active`.",
);
export const reject = action(
  "reject",
  "Reject a contact",
  "Sets `approval_status` to `rejected`; only while `active`.",
);

export const erase = apiRoute({
  method: "post",
  path: "/contacts/{contact_id}/erase/",
  operationId: "contacts.erase",
  tags,
  summary: "Erase a contact's personal data",
  description:
    "DPDP erasure, in one atomic batch: deletes the contact's props, addresses, bank accounts, relations (both sides) and identifier-index rows; sets `name` to `Erased contact`, clears `tags`, `refs`, `rm_id`, `branch_id`, sets `status` inactive and `erased_at`/`erased_by`; redacts the `changes` of every history entry; records an `erased` entry with the reason. The id and `ref_id` stay. Later writes to the contact are 409 (`/problems/contact_erased`); a second erase is a no-op 200.",
  scope: Scope.erase,
  etag: true,
  request: { params, body: jsonBody(EraseBodySchema) },
  responses: { 200: written("The erased contact"), 404: notFound },
});

export const getProps = apiRoute({
  method: "get",
  path: "/contacts/{contact_id}/props/",
  operationId: "contacts.getProps",
  tags,
  summary: "A contact's props",
  scope: Scope.read,
  etag: true,
  request: { params },
  responses: { 200: jsonContent(PropsSchema, "The props"), 404: notFound },
});

export const putProps = apiRoute({
  method: "put",
  path: "/contacts/{contact_id}/props/",
  operationId: "contacts.putProps",
  tags,
  summary: "Upsert props by key",
  description: "Other keys are untouched. More than 100 props in total is 400.",
  scope: Scope.write,
  etag: true,
  request: { params, body: jsonBody(PropsBodySchema) },
  responses: { 200: jsonContent(PropsSchema, "The props after the upsert"), 404: notFound },
});

export const deleteProps = apiRoute({
  method: "delete",
  path: "/contacts/{contact_id}/props/",
  operationId: "contacts.deleteProps",
  tags,
  summary: "Delete props by key",
  description: "`?key=a&key=b`: at least one non-empty key; unknown keys are ignored.",
  scope: Scope.write,
  request: { params, query: PropsDeleteQuery },
  responses: { 204: { description: "Deleted" }, 404: notFound },
});

export const history = apiRoute({
  method: "get",
  path: "/contacts/{contact_id}/history/",
  operationId: "contacts.history",
  tags,
  summary: "A contact's history",
  description:
    "Every change to the contact and its props, addresses, banks and relations; newest first (`at`, then `id`). Page mode, or cursor mode with `cursor`.",
  scope: Scope.read,
  request: { params, query: HistoryListQuery },
  responses: { 200: jsonContent(HistoryListSchema, "A page of history entries"), 404: notFound },
});
