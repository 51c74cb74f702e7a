import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { etagOf, expandedEtagOf, readerTag, weakMatch } from "../lib/etag";
import { Scope } from "../lib/scopes";

type Json = (object: unknown, arg?: unknown, headers?: unknown) => Response;

type Versioned = { id: string; version: number };

function isVersioned(value: unknown): value is Versioned {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const id = "id" in value ? value.id : undefined;
  const version = "version" in value ? value.version : undefined;
  return typeof id === "string" && typeof version === "number" && Number.isInteger(version);
}

/** The records a read with `expand` embeds, in the order the body lists them. */
const EMBEDDED = ["addresses", "banks", "relations"] as const;

/**
 * The tag of a single record's API object: one with a string `id` and an integer `version`. A body
 * that embeds records (only a read with `expand` does) is tagged with them too: their writes do not move
 * the record's version.
 */
function tagOf(object: unknown): string | undefined {
  if (!isVersioned(object)) return undefined;
  const record: Record<string, unknown> = object;
  const lists = EMBEDDED.map((key) => record[key]).filter(Array.isArray);
  if (lists.length === 0) return etagOf(object.version);
  return expandedEtagOf(object.version, lists.flat().filter(isVersioned));
}

/**
 * ETag on every single-record response (and Location on a 201), without a line in each handler: the
 * record a handler answers with `c.json(toX(row), status)` carries `id` and `version`, and that is where
 * the tag comes from. A handler whose body has no `version` (a contact's props) sets the header itself.
 * A read with `expand` gets a tag of the record and everything it embeds (expandedEtagOf); a reader
 * without contacts:pii, the masked variant's tag (readerTag).
 * If-None-Match on a GET that matches the tag (weak comparison, RFC 9110) answers 304 with no body.
 */
export const etags: MiddlewareHandler<AppEnv> = async (c, next) => {
  const read = c.req.method === "GET" || c.req.method === "HEAD";
  // Casts: c.json is an overloaded generic; the wrapper passes every argument through unchanged.
  const json = c.json as unknown as Json;
  (c as unknown as { json: Json }).json = (object, arg, headers) => {
    const tag = tagOf(object);
    if (tag) c.header("ETag", readerTag(tag, object, c.get("auth")?.scopes.has(Scope.pii) ?? false));
    // A created record's URL (RFC 9110 §10.2.2): the collection it was posted to, then its id.
    const id = typeof object === "object" && object !== null && "id" in object ? object.id : undefined;
    if (arg === 201 && typeof id === "string")
      c.header("Location", `${c.req.path.replace(/\/?$/, "/")}${id}/`);
    return json(object, arg, headers);
  };
  await next();
  if (c.get("auth")) {
    // What a token reads depends on the token (its tenant, its scopes): no cache may hand it to another
    // token, and a browser's copy is revalidated (by ETag) before use.
    c.res.headers.append("Vary", "Authorization");
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "private, no-cache");
  }
  if (!read) return;
  const condition = c.req.header("if-none-match");
  const tag = c.res.headers.get("ETag");
  if (c.res.status === 200 && condition && tag && weakMatch(condition, tag)) {
    // RFC 9110 §15.4.5: a 304 repeats the validator and caching headers a 200 would have sent (the
    // outer middlewares add theirs, X-Request-Id, X-D1-Bookmark, CORS, to this response as to any).
    const kept = ["ETag", "Vary", "Cache-Control"].flatMap((name) => {
      const value = c.res.headers.get(name);
      return value === null ? [] : [[name, value] as [string, string]];
    });
    c.res = new Response(null, { status: 304, headers: kept });
  }
};
