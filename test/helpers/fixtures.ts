import { expect } from "vitest";
import { type ApiResponse, api } from "./api";

/** Shared setup and assertions of the sub-resource test files. */

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

const namespaces = new Map<string, string>();
/** A namespace of the tenant, created once per test file. */
export async function namespaceOf(tenant = "t1"): Promise<string> {
  const known = namespaces.get(tenant);
  if (known) return known;
  const res = await api("POST", "/namespaces/", { body: { name: unique("ns") }, tenant });
  expect(res.status, res.text).toBe(201);
  namespaces.set(tenant, res.body.name);
  return res.body.name;
}

export async function createContact(
  tenant = "t1",
  name = "Ramesh Kumar",
  type = "individual",
): Promise<string> {
  const res = await api("POST", "/contacts/", {
    body: { name, namespace: await namespaceOf(tenant), status: "active", type, props: [] },
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
