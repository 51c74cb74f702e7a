/**
 * A typed client for the Contact API: openapi-fetch over the types openapi-typescript generated from
 * client/openapi.json (`npm run client:generate`). Paths, parameters, bodies and answers are checked by
 * the compiler; `error` is the RFC 9457 problem body.
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, paths } from "./schema";

export type { components, paths };
export type Contact = components["schemas"]["Contact"];
export type Problem = components["schemas"]["Problem"];

export type ContactClientOptions = Omit<ClientOptions, "baseUrl"> & {
  /** The deployment, e.g. `https://api.acme.example` (no trailing slash needed). */
  baseUrl: string;
  /** A bearer token, or a function returning a fresh one for every request. */
  token: string | (() => string | Promise<string>);
};

export type ContactClient = Client<paths> & {
  /** The X-D1-Bookmark of the latest answer that carried one (sent with every later request). */
  bookmark(): string | undefined;
};

/**
 * A client that signs every request and carries D1 bookmarks: each request sends the bookmark of the
 * latest answer, so a read after a write sees the write whichever replica serves it.
 */
export function createContactClient({ token, ...options }: ContactClientOptions): ContactClient {
  const client = createClient<paths>({ ...options, baseUrl: options.baseUrl.replace(/\/+$/, "") });
  let latest: string | undefined;
  client.use({
    async onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${typeof token === "string" ? token : await token()}`);
      if (latest) request.headers.set("X-D1-Bookmark", latest);
      return request;
    },
    onResponse({ response }) {
      latest = response.headers.get("X-D1-Bookmark") ?? latest;
      return response;
    },
  });
  return Object.assign(client, { bookmark: () => latest });
}
