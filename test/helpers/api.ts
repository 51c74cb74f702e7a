import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../src/index";
import { assertConforms } from "./conformance";
import { token } from "./tokens";

export type ApiResponse<T = any> = { status: number; headers: Headers; body: T; text: string };

export type RequestOptions = {
  token?: string | null;
  tenant?: string;
  scope?: string;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
  /**
   * Run through the worker's fetch handler with an execution context and wait for its waitUntil work
   * (e.g. the stored response of an Idempotency-Key) before returning.
   */
  settle?: boolean;
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
  const request = new Request(`https://api.test${path}`, { method, headers, body });
  let response: Response;
  if (options.settle) {
    const ctx = createExecutionContext();
    response = await worker.fetch(request, env, ctx);
    await waitOnExecutionContext(ctx);
  } else {
    response = await exports.default.fetch(request);
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  if (text && parsed !== text) await assertConforms(method, path, response, parsed);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/**
 * One request through the worker's fetch handler with some bindings replaced: how tests exercise
 * other deployment configurations (an asymmetric key, a pinned tenant, a failing database).
 */
export async function apiWithEnv(
  overrides: Record<string, unknown>,
  method: string,
  path: string,
  bearer: string | null,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers = new Headers(init.headers);
  if (bearer !== null) headers.set("Authorization", `Bearer ${bearer}`);
  const request = new Request(`https://api.test${path}`, { method, headers, body: init.body });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body, text };
}
