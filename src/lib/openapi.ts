import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import { bodyErrors, commonErrors, idempotencyErrors, preconditionErrors } from "./problems";
import { requireScope, type Scope } from "./scopes";

type ApiRouteConfig = Omit<RouteConfig, "security" | "middleware"> & {
  scope: Scope;
  /**
   * The 2xx responses are one record with a strong ETag (from its version). Found by itself for
   * responses whose schema has a `version` field; set it for a record answered in another shape (a
   * contact's props carry the contact's ETag).
   */
  etag?: boolean;
};

type Writes = "post" | "patch" | "put" | "delete";

/** Conditional writes (If-Match, 412): PATCH, PUT, DELETE, and POST actions on a record (`.../{id}/<action>/`). */
type Conditional<R extends ApiRouteConfig> = R["method"] extends "patch" | "put" | "delete"
  ? true
  : R["path"] extends `${string}}/${string}/`
    ? R["method"] extends "post"
      ? true
      : false
    : false;

type ErrorResponses<R extends ApiRouteConfig> = typeof commonErrors &
  (R["request"] extends { body: object } ? typeof bodyErrors : unknown) &
  (R["method"] extends Writes ? typeof idempotencyErrors : unknown) &
  (Conditional<R> extends true ? typeof preconditionErrors : unknown);
// 304 (If-None-Match) is documented but not typed: the etag middleware answers it, never a handler.

const header = (description: string, example?: string) => ({
  description,
  schema: { type: "string" as const, ...(example ? { example } : {}) },
});

const ETAG = header(
  'Strong entity tag of the record, from its `version`; a read with `expand` adds a hash of the embedded records\' ids and versions (`"3-k2j9x"`), and a reader without `contacts:pii`, who sees protected identifiers masked, gets its own tag (`"3-m"`): If-Match accepts each of them',
  '"3"',
);
const LOCATION = header(
  "The created record's URL: the collection it was posted to, then its id",
  "/contacts/01JKB3Q2W6N7X8Y9Z0A1B2C3D4/",
);
const REPLAYED = header(
  "`true` on a response replayed for a repeated `Idempotency-Key` (the first response's status, headers and body)",
  "true",
);

const IDEMPOTENCY_KEY = {
  name: "Idempotency-Key",
  in: "header" as const,
  required: false,
  description:
    "1-255 printable ASCII characters. The first response to a request with this key is kept 24 hours (per tenant) and replayed for a repeat with the same method, path and body; the same key on another request is 422, a repeat while the first still runs is 409. Requests rejected before they write (validation, auth, 404) keep no key.",
  schema: { type: "string" as const, minLength: 1, maxLength: 255, example: "6f1c2b1e-create-kiran" },
};
const IF_MATCH = {
  name: "If-Match",
  in: "header" as const,
  required: false,
  description:
    "Write only if the record's current ETag is one of these (strong comparison); else 412 with the current `ETag`, nothing written. Without it the write is last-writer-wins.",
  schema: { type: "string" as const, example: '"3"' },
};
const IF_NONE_MATCH = {
  name: "If-None-Match",
  in: "header" as const,
  required: false,
  description: "304 with no body when the record's current ETag is one of these (weak comparison).",
  schema: { type: "string" as const, example: '"3"' },
};

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function isRecordSchema(response: unknown): boolean {
  const content = isObject(response) && "content" in response ? response.content : undefined;
  const json = isObject(content) && "application/json" in content ? content["application/json"] : undefined;
  const schema = isObject(json) && "schema" in json ? json.schema : undefined;
  return schema instanceof z.ZodObject && "version" in schema.shape;
}

/**
 * A route contract with the security requirement, scope check and shared error responses of this API,
 * and what every route of its kind documents by method: writes take `Idempotency-Key` (409, 422, and
 * `Idempotent-Replayed` on their answers), conditional writes `If-Match` (412), reads of one record
 * `If-None-Match` (304), and every single-record answer an `ETag`.
 * Paths are written with their trailing slash; the router serves them without it too.
 */
export function apiRoute<const R extends ApiRouteConfig>(config: R) {
  const { scope, responses, etag, ...rest } = config;
  const method = config.method;
  const write = method === "post" || method === "patch" || method === "put" || method === "delete";
  const conditional =
    method === "patch" ||
    method === "put" ||
    method === "delete" ||
    (method === "post" && /\}\/[^/]+\/$/.test(config.path));
  const success: Record<string, unknown> = {};
  let tagged = false;
  for (const [status, response] of Object.entries(responses)) {
    if (!/^2/.test(status)) continue;
    const hasTag = etag ?? isRecordSchema(response);
    tagged ||= hasTag;
    const headers = {
      ...("headers" in response ? response.headers : undefined),
      ...(hasTag ? { ETag: ETAG } : {}),
      ...(status === "201" ? { Location: LOCATION } : {}),
      ...(write ? { "Idempotent-Replayed": REPLAYED } : {}),
    };
    success[status] = Object.keys(headers).length > 0 ? { ...response, headers } : response;
  }
  const conflict = Object.entries(responses).find(([status]) => status === "409")?.[1];
  const conflictDescription = conflict && "description" in conflict ? conflict.description : undefined;
  const errors = {
    ...commonErrors,
    ...(config.request?.body ? bodyErrors : {}),
    ...(write
      ? {
          ...idempotencyErrors,
          ...(conflictDescription !== undefined
            ? {
                409: {
                  ...conflict,
                  description: `${conflictDescription}; or ${idempotencyErrors[409].description.replace(/^A/, "a")}`,
                },
              }
            : {}),
        }
      : {}),
    ...(conditional ? preconditionErrors : {}),
    ...(method === "get" && tagged
      ? {
          304: {
            description: "Not modified: `If-None-Match` matched the current ETag",
            headers: { ETag: ETAG },
          },
        }
      : {}),
  };
  const parameters = [
    ...(write ? [IDEMPOTENCY_KEY] : []),
    ...(conditional ? [IF_MATCH] : []),
    ...(method === "get" && tagged ? [IF_NONE_MATCH] : []),
  ];
  return createRoute({
    ...rest,
    ...(parameters.length > 0 ? { parameters } : {}),
    security: [{ bearerAuth: [scope] }],
    middleware: [requireScope(scope)] as const,
    "x-scope": scope,
    // The spread loses the literal keys TypeScript needs to check handlers against each status.
    responses: { ...responses, ...success, ...errors } as R["responses"] & ErrorResponses<R>,
  });
}

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { "application/json": { schema } },
});
