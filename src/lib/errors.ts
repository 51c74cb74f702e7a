import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";

export type FieldError = { path: string; code: string; message: string };

/** The kinds of problem this API answers with; `type` is `/problems/<kind>`. */
export const PROBLEMS = {
  validation: { status: 400, title: "Invalid request" },
  malformed_json: { status: 400, title: "Malformed JSON" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  duplicate: { status: 409, title: "Duplicate contact" },
  contact_erased: { status: 409, title: "Contact erased" },
  precondition_failed: { status: 412, title: "Precondition failed" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  unprocessable: { status: 422, title: "Unprocessable request" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal: { status: 500, title: "Internal error" },
  unavailable: { status: 503, title: "Service unavailable" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemKind = keyof typeof PROBLEMS;

export function isProblemKind(name: string): name is ProblemKind {
  return Object.hasOwn(PROBLEMS, name);
}

export type ProblemOptions = {
  /** Every invalid field, for 400s. */
  errors?: FieldError[];
  /** More members of the problem body (e.g. the matches of a duplicate). */
  extra?: Record<string, unknown>;
  /** Headers the answer needs (Allow, WWW-Authenticate, ETag ...). */
  headers?: Record<string, string>;
};

/** The one error type handlers and repositories throw; onError turns it into problem+json. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly errors?: FieldError[];
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
  constructor(
    readonly kind: ProblemKind,
    detail: string,
    options: ProblemOptions = {},
  ) {
    super(detail);
    this.status = PROBLEMS[kind].status;
    this.errors = options.errors;
    this.extra = options.extra;
    this.headers = options.headers;
  }
}

export const notFound = (what: string) => new ApiError("not_found", `${what} not found`);

export const invalid = (errors: FieldError[]) =>
  new ApiError(
    "validation",
    errors.length === 1 ? "1 field is invalid" : `${errors.length} fields are invalid`,
    {
      errors,
    },
  );

/** Writes an RFC 9457 problem details response. The only place an error body is built. */
export function problemResponse(c: Context<AppEnv>, error: ApiError): Response {
  const { status, title } = PROBLEMS[error.kind];
  const body = {
    type: `/problems/${error.kind}`,
    title,
    status,
    detail: error.message,
    instance: new URL(c.req.url).pathname,
    request_id: c.get("requestId"),
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extra,
  };
  const headers = new Headers(error.headers);
  headers.set("Content-Type", "application/problem+json");
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * The ApiError an error is or wraps: drizzle wraps what a query throws (the db layer's own ApiErrors,
 * such as a taken idempotency key) in its query error, as `cause`.
 */
export function apiErrorIn(error: unknown): ApiError | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof ApiError) return e;
  return undefined;
}

/** True when D1 refused a write for a UNIQUE index (drizzle wraps D1's error as `cause`). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed/i.test(e.message)) return true;
  }
  return false;
}
