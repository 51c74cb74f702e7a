import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { etagOf, weakMatch } from "../lib/etag";

type Json = (object: unknown, arg?: unknown, headers?: unknown) => Response;

/** The tag of a single record's API object: one with a string `id` and an integer `version`. */
function tagOf(object: unknown): string | undefined {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return undefined;
  const id = "id" in object ? object.id : undefined;
  const version = "version" in object ? object.version : undefined;
  return typeof id === "string" && typeof version === "number" && Number.isInteger(version)
    ? etagOf(version)
    : undefined;
}

/**
 * ETag on every single-record response, without a line in each handler: the record a handler answers
 * with `c.json(toX(row), status)` carries `id` and `version`, and that is where the tag comes from. A
 * handler whose body has no `version` (a contact's props) sets the header itself. A read with `expand`
 * gets no tag: it embeds other records, whose changes do not move the contact's version.
 * If-None-Match on a GET that matches the tag (weak comparison, RFC 9110) answers 304 with no body.
 */
export const etags: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expanded = c.req.method === "GET" && c.req.query("expand");
  if (!expanded) {
    // Casts: c.json is an overloaded generic; the wrapper passes every argument through unchanged.
    const json = c.json as unknown as Json;
    (c as unknown as { json: Json }).json = (object, arg, headers) => {
      const tag = tagOf(object);
      if (tag) c.header("ETag", tag);
      return json(object, arg, headers);
    };
  }
  await next();
  if (c.req.method !== "GET" && c.req.method !== "HEAD") return;
  const condition = c.req.header("if-none-match");
  const tag = c.res.headers.get("ETag");
  if (c.res.status === 200 && condition && tag && weakMatch(condition, tag)) {
    c.res = new Response(null, { status: 304 });
  }
};
