import { exports } from "cloudflare:workers";
import { token } from "./tokens";

export type ApiResponse<T = any> = { status: number; headers: Headers; body: T; text: string };

export type RequestOptions = {
  token?: string | null;
  tenant?: string;
  scope?: string;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
};

/** One request through the real worker's fetch handler, signed for tenant "t1" unless told otherwise. */
export async function api<T = any>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers = new Headers(options.headers);
  const bearer =
    options.token === undefined
      ? await token({ tenant: options.tenant, scope: options.scope })
      : options.token;
  if (bearer !== null) headers.set("Authorization", `Bearer ${bearer}`);
  let body: BodyInit | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("Content-Type", "application/json");
  }
  const response = await exports.default.fetch(
    new Request(`https://api.test${path}`, { method, headers, body }),
  );
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}
