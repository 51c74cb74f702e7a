import { expect } from "vitest";
import { type ApiResponse, api } from "./api";

/** Shared setup and assertions of the worker tests. */

let seq = 0;
export const unique = (prefix = "x") => `${prefix}-${Date.now()}-${seq++}`;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type HistoryEntry = {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: { type: "contact" | "address" | "bank" | "relation"; id: string };
  changes: Record<string, [unknown, unknown]>;
  reason: string | null;
};

/** The audit fields every record carries (API.md: Records). */
export type Audit = {
  id: string;
  tenant_id: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string | null;
};

export type Namespace = Audit & {
  name: string;
  contact_counter: number;
  contact_pattern: string | null;
  account_counter: number;
  account_pattern: string | null;
};

/** A namespace with a unique name (unless the body names it); the test fails unless it is created. */
export async function createNamespace(
  body: Record<string, unknown> = {},
  tenant?: string,
): Promise<Namespace> {
  const res = await api("POST", "/namespaces/", { body: { name: unique("ns"), ...body }, tenant });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const namespaces = new Map<string, string>();
/** A namespace of the tenant, created once per test file. */
export async function namespaceOf(tenant = "t1"): Promise<string> {
  const known = namespaces.get(tenant);
  if (known) return known;
  const { name } = await createNamespace({}, tenant);
  namespaces.set(tenant, name);
  return name;
}

/** A valid contact create body in the namespace: an active individual, Ramesh Kumar, no props. */
export const contactBody = (namespace: string, overrides: Record<string, unknown> = {}) => ({
  name: "Ramesh Kumar",
  namespace,
  status: "active",
  type: "individual",
  props: [],
  ...overrides,
});

export async function createContact(
  tenant = "t1",
  name = "Ramesh Kumar",
  type = "individual",
): Promise<string> {
  const res = await api("POST", "/contacts/", {
    body: contactBody(await namespaceOf(tenant), { name, type }),
    tenant,
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

export async function historyOf(id: string, tenant?: string): Promise<HistoryEntry[]> {
  const res = await api("GET", `/contacts/${id}/history/?page_size=100`, { tenant });
  expect(res.status, res.text).toBe(200);
  return res.body.results;
}

export const errorPaths = (res: ApiResponse): string[] =>
  (res.body?.errors ?? []).map((e: { path: string }) => e.path);

/** A 400 validation problem naming exactly these fields (in any order). */
export function expectInvalid(res: ApiResponse, paths: string[]) {
  expectProblem(res, 400, "/problems/validation");
  expect(errorPaths(res).sort(), res.text).toEqual([...paths].sort());
}

/** The ids of a list response's results, in order. */
export const ids = (res: ApiResponse): string[] => res.body.results.map((r: { id: string }) => r.id);

/**
 * The Crego envelope of page `page` of `pages` holding `count` records in all (API.md: Lists): a page
 * past the end still links back to the one before it.
 */
export const pageEnvelope = (count: number, page: number, pages: number) => ({
  count,
  total_pages: pages,
  current_page: page,
  has_previous: page > 1,
  previous_page: page > 1 ? page - 1 : null,
  has_next: page < pages,
  next_page: page < pages ? page + 1 : null,
});

/** Paging parameters every list refuses (API.md: Lists), with the parameter each is refused at. */
export const BAD_PAGE_PARAMS: readonly (readonly [query: string, path: string])[] = [
  ["page=0", "page"],
  ["page=-1", "page"],
  ["page=x", "page"],
  ["page=1.5", "page"],
  ["page=", "page"],
  ["page_size=0", "page_size"],
  ["page_size=-5", "page_size"],
  ["page_size=abc", "page_size"],
  ["page_size=1.5", "page_size"],
];

/**
 * Creates records one after another, a few milliseconds apart, so that their created_at orders them
 * as listed (lists sort by created_at, newest first).
 */
export async function createInOrder<const T extends readonly unknown[]>(
  makers: {
    [K in keyof T]: () => Promise<T[K]>;
  },
): Promise<T> {
  const made: unknown[] = [];
  for (const make of makers as readonly (() => Promise<unknown>)[]) {
    if (made.length) await sleep(3);
    made.push(await make());
  }
  // Cast: one record per maker, in order, so the tuple of the makers' results.
  return made as unknown as T;
}

/** A well-formed id that names no record in any tenant. */
export const UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

/** An RFC 9457 problem of the given status (and type, when given), with the request id of the response. */
export function expectProblem(
  res: { status: number; headers: Headers; body: any; text?: string },
  status: number,
  type?: string,
) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body.status).toBe(status);
  if (type) expect(res.body.type).toBe(type);
  expect(typeof res.body.title).toBe("string");
  expect(typeof res.body.detail).toBe("string");
  expect(res.body.request_id).toBe(res.headers.get("x-request-id"));
}
