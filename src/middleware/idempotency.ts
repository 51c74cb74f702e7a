import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError, apiErrorIn, invalid, problemResponse } from "../lib/errors";
import { logError } from "../lib/log";
import { Scope } from "../lib/scopes";
import { decrypt, encrypt } from "../pii/cipher";
import { keyRing } from "../pii/keyring";
import { IdempotencyKeyTaken, sessionOf } from "./db";

export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";

/** How long a key and its response are kept (API.md: 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** 1-255 printable ASCII characters (space to tilde). */
const KEY = /^[\x20-\x7e]{1,255}$/;

const METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/** The response headers a replay repeats (besides status and body). */
const STORED_HEADERS = ["Content-Type", "Location", "ETag"] as const;

const encoder = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What makes two requests "the same" for a key: method, path (trailing slash ignored) with its query,
 * the body as sent, and whether the caller may see protected identifiers in clear: a stored response
 * read with contacts:pii is never replayed to a token without it (it answers 422 instead).
 */
async function requestHash(c: Context<AppEnv>): Promise<string> {
  const url = new URL(c.req.url);
  const path = url.pathname.replace(/(.)\/$/, "$1") + url.search;
  const pii = c.get("auth").scopes.has(Scope.pii) ? "pii" : "masked";
  const body = await c.req.text();
  return sha256Hex(`${c.req.method}\n${path}\n${pii}\n${body}`);
}

/** Stored bodies may hold protected identifiers in clear: sealed per tenant when PII_KEYS is set. */
const bodyContext = (tenantId: string) => `${tenantId}\u001fidempotency`;

type StoredRow = {
  request_hash: string;
  status: number | null;
  headers: string | null;
  body: string | null;
};

/**
 * Idempotency-Key on POST, PATCH, PUT and DELETE (API.md, Safe retries). The key is claimed by the
 * request's first write, in the same D1 batch (src/middleware/db.ts), so the claim commits exactly when
 * the write does: a request that writes nothing (rejected by validation, auth, a 404, a no-op PATCH)
 * leaves no key behind, also when its write batch ran and its SQL guards let nothing through (the db
 * layer then gives the claim back). A request that reads first looks the key up in the batch of that
 * read. When the claim or the lookup finds the key taken, nothing was written and this middleware reads
 * the key once: another request (method, path or body) is 422, a stored response is replayed with
 * `Idempotent-Replayed: true`, and one still in flight is 409. Once a request has claimed its key, the
 * response it gets (whatever the status) is stored after it is sent (waitUntil), so it costs the
 * request no round trip.
 */
export const idempotency: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!METHODS.has(c.req.method)) return next();
  const key = c.req.header(IDEMPOTENCY_KEY_HEADER);
  if (key === undefined) return next();
  if (!KEY.test(key)) {
    throw invalid([
      {
        path: IDEMPOTENCY_KEY_HEADER,
        code: "invalid_format",
        message: "must be 1-255 printable ASCII characters",
      },
    ]);
  }
  const tenantId = c.get("auth").tenantId;
  const hash = await requestHash(c);
  const now = Date.now();
  const state = c.get("dbSession");
  state.claim = {
    tenantId,
    key,
    hash,
    at: new Date(now).toISOString(),
    expiresAt: new Date(now + IDEMPOTENCY_TTL_MS).toISOString(),
  };
  await next();
  if (apiErrorIn(c.error) instanceof IdempotencyKeyTaken) {
    const answer = await answerForTakenKey(c, tenantId, key, hash);
    if (answer) c.res = answer;
    return;
  }
  if (state.claimed) {
    const stored = storeResponse(c, tenantId, key, hash, c.res.clone()).catch((error) =>
      logError(c.get("requestId") ?? "", "storing an idempotent response failed", error),
    );
    // After the response is sent; a host without an execution context (the Node bench) waits for it.
    const ctx = executionContext(c);
    if (ctx) ctx.waitUntil(stored);
    else await stored;
  }
};

function executionContext(c: Context<AppEnv>): { waitUntil(promise: Promise<unknown>): void } | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/** The headers stored with a response: a JSON object of header values, as storeResponse writes them. */
function storedHeaders(json: string): [string, string][] {
  const value: unknown = JSON.parse(json);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).map(([name, v]) => [name, String(v)]);
}

/** Replay, 422, or nothing (the 409 already answered stands). */
async function answerForTakenKey(
  c: Context<AppEnv>,
  tenantId: string,
  key: string,
  hash: string,
): Promise<Response | undefined> {
  // On the request's session, so the answer carries its bookmark like any other.
  const row = await sessionOf(c.get("dbSession"))
    .prepare(
      "select request_hash, status, headers, body from idempotency_keys where tenant_id = ? and key = ?",
    )
    .bind(tenantId, key)
    .first<StoredRow>();
  if (!row) return undefined;
  if (row.request_hash !== hash) {
    const error = new ApiError(
      "unprocessable",
      "This Idempotency-Key was used for another request (method, path or body differ)",
    );
    return problemResponse(c, error);
  }
  if (row.status === null) return undefined;
  const headers = new Headers(storedHeaders(row.headers ?? "{}"));
  headers.set(REPLAYED_HEADER, "true");
  let body = row.body ?? "";
  if (c.env.PII_KEYS !== undefined && body !== "") {
    body = await decrypt(await keyRing(c.env.PII_KEYS), body, { context: bodyContext(tenantId) });
  }
  // A replayed problem names this request, so its request_id matches this response's X-Request-Id.
  if (headers.get("Content-Type")?.startsWith("application/problem+json") && body !== "") {
    body = JSON.stringify({ ...JSON.parse(body), request_id: c.get("requestId") });
  } else if (
    body !== "" &&
    c.req.path.startsWith("/contacts") &&
    (await namesErasedContact(c, tenantId, body))
  ) {
    // Erasure wins over the 24 hours of a stored response (API.md, Personal data): what a contact's
    // erasure removed is never handed back, as any later write to it is answered.
    return problemResponse(
      c,
      new ApiError("contact_erased", "The contact this response is about was erased"),
    );
  }
  return new Response(body === "" ? null : body, { status: row.status, headers });
}

/** Where a stored answer names contacts: a contact's own id, a record's contact and related contact. */
const CONTACT_FIELDS = ["id", "contact_id", "contact", "related_contact"] as const;

/**
 * Whether a stored JSON answer is about a contact erased since, read in one query on the replay path
 * only. An erased contact's own answer (an erase, `erased_at` set) holds nothing erasure removed.
 */
async function namesErasedContact(c: Context<AppEnv>, tenantId: string, body: string): Promise<boolean> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return false;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (typeof record.erased_at === "string") return false;
  const ids = CONTACT_FIELDS.map((f) => record[f]).filter((v): v is string => typeof v === "string");
  if (ids.length === 0) return false;
  const erased = await sessionOf(c.get("dbSession"))
    .prepare(
      `select 1 from contacts where tenant_id = ? and id in (${ids.map(() => "?").join(", ")}) and erased_at is not null limit 1`,
    )
    .bind(tenantId, ...ids)
    .first();
  return erased !== null;
}

async function storeResponse(
  c: Context<AppEnv>,
  tenantId: string,
  key: string,
  hash: string,
  response: Response,
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  let body = await response.text();
  if (c.env.PII_KEYS !== undefined && body !== "") {
    body = await encrypt(await keyRing(c.env.PII_KEYS), body, { context: bodyContext(tenantId) });
  }
  await c.env.DB.prepare(
    "update idempotency_keys set status = ?, headers = ?, body = ? where tenant_id = ? and key = ? and request_hash = ?",
  )
    .bind(response.status, JSON.stringify(headers), body, tenantId, key, hash)
    .run();
}
