import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError, type FieldError, invalid } from "../lib/errors";
import { BodyTooDeep, bodyStringErrors, deferBodyErrors } from "../lib/validation";

export const MAX_BODY_BYTES = 256 * 1024;

const ACTION_PATH = /^\/contacts\/[^/]+\/(active|inactive|approve|reject)\/?$/;

const tooLarge = () => new ApiError("payload_too_large", `The body is over ${MAX_BODY_BYTES} bytes`);

function isJson(contentType: string): boolean {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

// Fatal: bytes that are not UTF-8 are refused, never silently replaced by U+FFFD. Stateless between
// whole-buffer decodes, so one serves every request.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * The body's bytes: in one read when Content-Length (already checked against the limit) bounds them,
 * else streamed up to MAX_BODY_BYTES + 1 bytes, so an oversized chunked body is refused without
 * buffering it.
 */
async function readLimited(request: Request, declared: boolean): Promise<Uint8Array> {
  if (declared) {
    // A body longer than its declared length (possible from a service binding) is still refused.
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge();
    return bytes;
  }
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function readText(request: Request, declared: boolean): Promise<string> {
  const bytes = await readLimited(request, declared);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ApiError("malformed_json", "The body is not valid UTF-8");
  }
}

/**
 * Size, media type, encoding and JSON syntax of a request body, checked before any route parses it:
 * 413 over 256 KiB, 415 without a JSON content type, 400 for malformed JSON or bytes that are not
 * UTF-8, and the rules every string of every body follows (depth, surrogates, bidi and control
 * characters; see bodyStringErrors). An empty body is no body, whatever its Content-Type.
 */
export const bodyGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const method = c.req.method;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
  const length = c.req.header("content-length");
  if (length !== undefined && Number(length) > MAX_BODY_BYTES) throw tooLarge();
  const contentType = c.req.header("content-type");
  // An action (PUT .../active/ etc.) takes {"reason": ...} with or without Content-Type: application/json
  // (API.md): whatever type a client's tool sends (curl -d says form-urlencoded), the body is read as JSON.
  const declaredJson = contentType !== undefined && isJson(contentType);
  const actionWithoutType = !declaredJson && method === "PUT" && ACTION_PATH.test(c.req.path);
  const json = declaredJson || actionWithoutType;
  // Cast: Hono types bodyCache with body values but caches (and reads back) their promises.
  const cache = c.req.bodyCache as { text?: Promise<string>; json?: Promise<unknown> };
  const unsupported = () =>
    new ApiError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
  if (length !== undefined && Number(length) > 0 && !json) throw unsupported();
  const text = length === "0" || !c.req.raw.body ? "" : await readText(c.req.raw, length !== undefined);
  if (text === "") {
    // No body, or an empty one, with or without Content-Type: application/json, is read as no fields
    // at all (an action then has no reason; a create misses its required fields).
    if (json) cache.json = Promise.resolve({});
    return next();
  }
  if (!json) throw unsupported();
  if (actionWithoutType) {
    // Read as the JSON it is: the route's validator looks for the media type.
    const headers = new Headers(c.req.raw.headers);
    headers.set("content-type", "application/json");
    c.req.raw = new Request(c.req.raw.url, { method, headers, body: text });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError("malformed_json", "The body is not valid JSON");
  }
  let errors: FieldError[];
  try {
    errors = bodyStringErrors(parsed);
  } catch (error) {
    if (error instanceof BodyTooDeep) throw invalid([error.error]);
    throw error;
  }
  // Reported together with the route's own field errors by the validation hook; a route that
  // reads no body (DELETE) still refuses them.
  if (errors.length && method === "DELETE") throw invalid(errors);
  deferBodyErrors(c.req.raw, errors);
  // Routes read the body through Hono's cache, since this middleware consumed the stream.
  cache.text = Promise.resolve(text);
  cache.json = Promise.resolve(parsed);
  await next();
};
