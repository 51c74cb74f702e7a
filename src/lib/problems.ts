import { z } from "@hono/zod-openapi";

/** The problem+json body (RFC 9457) of every error, as documented in the OpenAPI document. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "/problems/validation" }),
    title: z.string().openapi({ example: "Invalid request" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: "1 field is invalid" }),
    instance: z.string().openapi({ example: "/contacts/" }),
    request_id: z.string().openapi({ example: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" }),
    errors: z
      .array(
        z.object({
          path: z.string().openapi({ example: "props.0.type" }),
          code: z.string().openapi({ example: "invalid_enum" }),
          message: z.string().openapi({ example: "must be one of file, number, text, boolean" }),
        }),
      )
      .optional(),
  })
  .openapi("Problem");

/** A documented error response. */
export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** Error responses every authenticated operation may give. */
export const commonErrors = {
  400: problem("Malformed JSON or invalid fields; `errors` lists every invalid field"),
  401: problem("Missing, malformed, expired or wrongly signed bearer token"),
  403: problem(
    "The token lacks the scope this operation needs, or names a tenant this deployment does not serve",
  ),
  429: problem(
    "Over the deployment's rate limit, when it binds one (per tenant and user): `Retry-After` in seconds, `RateLimit: r=0`",
  ),
  500: problem("Unexpected error; the body says nothing internal, `request_id` finds the log line"),
};

/** Error responses of operations that take a body. */
export const bodyErrors = {
  413: problem("Body over 256 KiB"),
  415: problem("Body sent without `Content-Type: application/json`"),
};

/** Error responses of every write (POST, PATCH, PUT, DELETE): the Idempotency-Key answers. */
export const idempotencyErrors = {
  409: problem("A request with the same `Idempotency-Key` is still in flight"),
  422: problem("The `Idempotency-Key` was used for another request (method, path or body differ)"),
};

/** Error responses of conditional writes (PATCH, PUT, DELETE and a record's actions). */
export const preconditionErrors = {
  412: {
    ...problem("`If-Match` does not match the record's current ETag: nothing was written"),
    headers: { ETag: { description: "The record's current ETag", schema: { type: "string" as const } } },
  },
};
