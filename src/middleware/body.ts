import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";

export const MAX_BODY_BYTES = 256 * 1024;

const tooLarge = () => new ApiError("payload_too_large", `The body is over ${MAX_BODY_BYTES} bytes`);

function isJson(contentType: string): boolean {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/** Reads at most MAX_BODY_BYTES + 1 bytes, so an oversized chunked body is refused without buffering it. */
async function readLimited(request: Request): Promise<string> {
  if (!request.body) return "";
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
  return new TextDecoder().decode(bytes);
}

/**
 * Size, media type and JSON syntax of a request body, checked before any route parses it:
 * 413 over 256 KiB, 415 without a JSON content type, 400 for malformed JSON.
 */
export const bodyGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const method = c.req.method;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
  const length = c.req.header("content-length");
  if (length !== undefined && Number(length) > MAX_BODY_BYTES) throw tooLarge();
  const hasBody =
    (length !== undefined && Number(length) > 0) || c.req.header("transfer-encoding") !== undefined;
  if (!hasBody) return next();
  const contentType = c.req.header("content-type");
  if (!contentType || !isJson(contentType)) {
    throw new ApiError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
  }
  const text = await readLimited(c.req.raw);
  try {
    JSON.parse(text);
  } catch {
    throw new ApiError("malformed_json", "The body is not valid JSON");
  }
  // Routes read the body through Hono's cache, since this middleware consumed the stream.
  (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
  await next();
};
