import fc from "fast-check";
import { identifierKindOfKey } from "../../src/dedupe/identifiers";
import { sortedKeys } from "../../src/lib/fields";
import { type ApiResponse, api } from "../helpers/api";
import { tenantSnapshot } from "../helpers/snapshot";
import { token } from "../helpers/tokens";
import {
  applyMutation,
  type Hints,
  type JsonSchema,
  type Mutation,
  mutationArb,
  pathsOf,
  Ref,
  SchemaArbitraries,
  UNICODE_EDGES,
} from "./schema-arbitrary";

// ---------------------------------------------------------------------------------------------
// Operations, read from the generated OpenAPI document

type Parameter = { name: string; in: "path" | "query"; required?: boolean; schema: JsonSchema };
export type Operation = {
  id: string;
  method: string;
  path: string;
  scope: string;
  parameters: Parameter[];
  body?: JsonSchema;
};

export async function loadOperations(): Promise<{
  operations: Operation[];
  components: Record<string, JsonSchema>;
}> {
  const res = await api("GET", "/openapi.json", { token: null });
  const doc = res.body as {
    paths: Record<string, Record<string, any>>;
    components: { schemas: Record<string, JsonSchema> };
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op["x-scope"]) continue; // the public service routes
      operations.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        scope: op["x-scope"],
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.["application/json"]?.schema,
      });
    }
  }
  return { operations, components: doc.components.schemas };
}

// ---------------------------------------------------------------------------------------------
// Pools: the records of the fuzz tenant that exist right now, so generated ids mostly hit something

const POOL_OF_PARAM: Record<string, string> = {
  namespace_id: "namespaces",
  contact_id: "contacts",
  address_id: "addresses",
  bank_id: "banks",
  contact_relation_id: "relations",
};
const POOL_OF_CREATE: Record<string, string> = {
  "namespaces.create": "namespaces",
  "contacts.create": "contacts",
  "addresses.create": "addresses",
  "banks.create": "banks",
  "relations.create": "relations",
};

type Pools = Record<string, string[]> & {
  namespaces: string[];
  namespaceNames: string[];
  contacts: string[];
  addresses: string[];
  banks: string[];
  relations: string[];
};

const NAME = fc.oneof(
  fc.stringMatching(/^[A-Z][a-z]{1,12}( [A-Z][a-z]{1,12}){0,2}$/),
  fc.constantFrom(
    "\u0930\u093e\u0939\u0941\u0932 \u0936\u0930\u094d\u092e\u093e",
    "\u0915\u094d\u200d\u0937\u093e",
    "O'Brien & Sons (India)",
    "Ramesh Kumar",
  ),
);
const ALNUM = (max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{1,${max}}$`));
const IDENTIFIER_LIKE = /pan|gst|aadha|uid|mobile|phone|email|passport|voter|epic|licen|dl_|dob|birth/i;

const propArb = fc.oneof(
  fc.record({ key: fc.stringMatching(/^[a-z][a-z_]{1,12}$/), value: ALNUM(20), type: fc.constant("text") }),
  fc.record({
    key: fc.stringMatching(/^[a-z][a-z_]{1,12}$/),
    value: fc.integer().map(String),
    type: fc.constant("number"),
  }),
  fc.record({
    key: fc.stringMatching(/^[a-z][a-z_]{1,12}$/),
    value: fc.constantFrom("true", "false"),
    type: fc.constant("boolean"),
  }),
  fc.record({
    key: fc.stringMatching(/^[a-z][a-z_]{1,12}$/),
    value: fc.constantFrom(
      "https://files.example/kyc/a%20b.pdf",
      "s3-bucket/kyc/123.pdf",
      "https://x.example/?q=1#f",
    ),
    type: fc.constant("file"),
  }),
);
const propsArb = fc
  .uniqueArray(propArb, { maxLength: 4, selector: (p) => p.key })
  .map((props) => props.filter((p) => !IDENTIFIER_LIKE.test(p.key)));
const ref = (pool: string) =>
  fc
    .record({ i: fc.nat(), lower: fc.boolean() })
    .map(({ i, lower }) => new Ref(pool, i, lower ? "lower" : "same"));

/** Fields the document cannot make valid on its own (see SchemaArbitraries). */
export const HINTS: Hints = {
  name: NAME,
  account_holder_name: NAME,
  namespace: ref("namespaceNames"),
  contact_id: ref("contacts"),
  contact: ref("contacts"),
  related_contact: fc.oneof(ref("contacts"), fc.constant(null), fc.constant("")),
  props: propsArb,
  tags: fc.uniqueArray(ALNUM(12), { maxLength: 3 }),
  refs: fc.oneof(fc.constant(null), fc.dictionary(ALNUM(8), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
  address_line: fc.stringMatching(/^[1-9][0-9]{0,2}, [A-Z][a-z]{2,10} Road$/),
  city: fc.stringMatching(/^[A-Z][a-z]{2,15}$/),
  state: fc.stringMatching(/^[A-Z][a-z]{2,15}( [A-Z][a-z]{2,8})?$/),
  country: fc.constantFrom("India", "Nepal", "\u092d\u093e\u0930\u0924"),
  codes: fc.oneof(
    fc.constant(null),
    fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), ALNUM(10), { maxKeys: 3 }),
  ),
  bank_name: fc.oneof(ALNUM(20), fc.constant(""), fc.constant(null)),
  branch_name: fc.oneof(fc.stringMatching(/^[A-Z][a-z]{2,10}, [A-Z][a-z]{2,10}$/), fc.constant(null)),
  contact_pattern: fc.constantFrom("C-{seq}", "CUST-{yyyy}-{seq:6}", "X{seq:3}", null, ""),
  account_pattern: fc.constantFrom("LN/{yy}{mm}/{seq:5}", "A{seq}", null),
  ref_id: fc.oneof(fc.stringMatching(/^[A-Z]{2}-[0-9]{1,9}$/), fc.constant(null), fc.constant("")),
  rm_id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), fc.constant(null), fc.constant("")),
  branch_id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), fc.constant(null), fc.constant("")),
  ifsc: fc.constantFrom("HDFC0001234", "sbin0000691", " ICIC0000001 "),
  contact_counter: fc.integer({ min: 1, max: 10_000 }),
  account_counter: fc.integer({ min: 1, max: 10_000 }),
  reason: fc.oneof(ALNUM(40), fc.constant(""), fc.constant(null)),
};

/** Query parameters the document types loosely (strings that must be dates, ids, lists ...). */
const QUERY_HINTS: Hints = {
  page: fc.integer({ min: 1, max: 3 }).map(String),
  page_size: fc.integer({ min: 1, max: 120 }).map(String),
  cursor: fc.constant(""),
  created_at_after: fc.constantFrom("2025-05-12", "2020-01-01T00:00:00Z", "2030-01-01"),
  created_at_before: fc.constantFrom("2025-05-12", "2099-12-31T23:59:59.999Z"),
  contact: ref("contacts"),
  related_contact: ref("contacts"),
  namespace: ref("namespaceNames"),
  tags: fc.constantFrom("vip", "a,b"),
  expand: fc.constantFrom("addresses", "banks,relations", "props", "addresses,banks,relations"),
  key: fc.oneof(fc.stringMatching(/^[a-z_]{1,10}$/), fc.constant("")),
  search: fc.oneof(ALNUM(10), fc.constant("\u0930\u093e")),
  ifsc: fc.constantFrom("HDFC0001234", "hdfc0001234"),
  dedupe: fc.constantFrom("block", "off"),
};

const PATH_EDGES = [
  "01ARZ3NDEKTSV4RRFFQ69G5FAV",
  "0",
  "0".repeat(27),
  `0${"A".repeat(300)}`,
  "0%00",
  "0%E2%80%AE",
  "0%ED%A0%80",
  "0'%20OR%201=1",
  "00000000000000000000000000",
  "7ZZZZZZZZZZZZZZZZZZZZZZZZZ",
  "8ZZZZZZZZZZZZZZZZZZZZZZZZZ",
];
const QUERY_EDGES = [
  ...UNICODE_EDGES,
  "-1",
  "0",
  "1e3",
  "9007199254740993",
  "1.5",
  "",
  "%",
  "a".repeat(2000),
  "2025-13-45",
  "not-a-cursor",
];

// ---------------------------------------------------------------------------------------------
// Cases

type Target = "body" | "query" | "path";
export type Case = {
  op: number;
  scopes: string[];
  body: unknown;
  query: Record<string, unknown>;
  pathPick: Record<string, Ref>;
  mutation: null | { target: Target; pick: number; make: (path: string[]) => Mutation; edge: string };
  raw: null | "invalid_utf8" | "malformed" | "empty" | "text_plain" | "no_content_type";
};

/** null `nullWeight` times in `nullWeight + weight`. */
const withNull = <T>(
  weight: number,
  arbitrary: fc.Arbitrary<T>,
  nullWeight: number,
): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: nullWeight, arbitrary: fc.constant(null) }, { weight, arbitrary });

/** Cross-field rules the document does not express, so that most unmutated bodies are valid. */
function validBody(operation: Operation, body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const b = { ...(body as Record<string, unknown>) };
  // The owning contact cannot change: a PATCH names none.
  if (operation.method === "PATCH") {
    delete b.contact_id;
    delete b.contact;
  }
  // Dedupe: a stored contact or a candidate, not both.
  if (operation.id === "contacts.dedupe" && b.contact_id !== undefined) {
    for (const key of ["name", "type", "namespace", "props"]) delete b[key];
  }
  return b;
}

export function caseArbitrary(
  operations: Operation[],
  components: Record<string, JsonSchema>,
  only?: number,
): fc.Arbitrary<Case> {
  // Every scope an operation of the document declares: tokens get all of them or any subset.
  const ALL = [...new Set(operations.map((o) => o.scope))].sort();
  const bodies = new SchemaArbitraries(components, HINTS);
  const namespaceBodies = new SchemaArbitraries(components, {
    ...HINTS,
    name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,30}[A-Za-z0-9]$/),
  });
  const queries = new SchemaArbitraries(components, QUERY_HINTS);
  const pick = only === undefined ? fc.nat({ max: operations.length - 1 }) : fc.constant(only);
  return pick.chain((op) => {
    const operation = operations[op] as Operation;
    const query: Record<string, fc.Arbitrary<unknown>> = {};
    const pathPick: Record<string, fc.Arbitrary<Ref>> = {};
    for (const p of operation.parameters) {
      if (p.in === "path") pathPick[p.name] = ref(POOL_OF_PARAM[p.name] ?? "contacts");
      // Header parameters (Idempotency-Key, If-Match, If-None-Match) are not query parameters.
      else if (p.in === "query")
        query[p.name] = queries.valid(p.schema, p.name).map((v) => (v instanceof Ref ? v : String(v)));
    }
    const targets: Target[] = [
      ...(operation.body ? (["body", "body", "body"] as const) : []),
      ...(Object.keys(query).length ? (["query"] as const) : []),
      ...(Object.keys(pathPick).length ? (["path"] as const) : []),
    ];
    return fc.record({
      op: fc.constant(op),
      scopes: fc.oneof(
        { weight: 4, arbitrary: fc.constant(ALL) },
        { weight: 1, arbitrary: fc.subarray(ALL) },
      ),
      body: operation.body
        ? (operation.id.startsWith("namespaces.") ? namespaceBodies : bodies)
            .valid(operation.body)
            .map((body) => validBody(operation, body))
        : fc.constant(undefined),
      // Page mode or cursor mode, not both (that is a 400 of its own, tried by the mutations).
      query: fc.record(query, { requiredKeys: [] }).map((q) => {
        if ("page" in q && "cursor" in q) delete q.cursor;
        return q;
      }),
      pathPick: fc.record(pathPick),
      mutation: targets.length
        ? withNull(
            3,
            fc.record({
              target: fc.constantFrom(...targets),
              pick: mutationArb.map((m) => m.pick),
              make: mutationArb.map((m) => m.make),
              edge: fc.constantFrom(
                ...(Object.keys(pathPick).length ? PATH_EDGES : QUERY_EDGES),
                ...QUERY_EDGES,
              ),
            }),
            2,
          )
        : fc.constant(null),
      raw: operation.body
        ? withNull(
            1,
            fc.constantFrom("invalid_utf8", "malformed", "empty", "text_plain", "no_content_type"),
            12,
          )
        : fc.constant(null),
    }) as fc.Arbitrary<Case>;
  });
}

// ---------------------------------------------------------------------------------------------
// Running a case

export type Finding = { kind: string; op: string; request: string; response: string; note?: string };

export class Stats {
  requests = 0;
  fiveHundreds = 0;
  rejectedWrites = 0;
  rejectedWithChanges = 0;
  readBacks = 0;
  perOperation: Record<string, { requests: number; ok: number; rejected: number }> = {};
  statuses: Record<string, number> = {};
  findings: Finding[] = [];
}

function resolveRefs(value: unknown, pools: Pools): unknown {
  if (value instanceof Ref) {
    const pool = pools[value.pool] ?? [];
    if (!pool.length) return "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    const picked = pool[value.index % pool.length] as string;
    return value.transform === "lower" ? picked.toLowerCase() : picked;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, pools));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, pools)]));
  }
  return value;
}

const tokens = new Map<string, Promise<string>>();
function tokenFor(tenant: string, scopes: string[]): Promise<string> {
  const key = `${tenant} ${scopes.join(" ")}`;
  let t = tokens.get(key);
  if (!t) {
    t = token({ tenant, sub: "fuzzer", scope: scopes.join(" ") });
    tokens.set(key, t);
  }
  return t;
}

const READ_ONLY = new Set([
  "id",
  "tenant_id",
  "version",
  "created_at",
  "created_by",
  "updated_at",
  "updated_by",
  "approval_status",
  "namespace_id",
  "addresses",
  "banks",
  "relations",
]);

/**
 * The string rules of every body (API.md, Conventions), as an oracle independent of the server's code:
 * why this body must be refused whatever the route, or null.
 */
export function forbiddenInBody(value: unknown, depth = 1, inRefs = false): string | null {
  if (depth > 32) return "nested deeper than 32 levels";
  const bad = (s: string, controlAllowed: boolean) =>
    /\p{Cs}/u.test(s) ||
    /[\u202A-\u202E\u2066-\u2069]/.test(s) ||
    (!controlAllowed && /\p{Cc}/u.test(s.trim()));
  if (typeof value === "string") return bad(value, inRefs) ? `string ${JSON.stringify(value)}` : null;
  if (value === null || typeof value !== "object") return null;
  for (const [key, item] of Object.entries(value)) {
    if (!Array.isArray(value) && bad(key, false)) return `key ${JSON.stringify(key)}`;
    const found = forbiddenInBody(item, depth + 1, inRefs || (depth === 1 && key === "refs"));
    if (found) return found;
  }
  return null;
}

const SCHEMA_CODES = new Set([
  "required",
  "invalid_type",
  "too_small",
  "too_big",
  "invalid_format",
  "invalid_enum",
  "invalid_value",
  "unknown_field",
  "invalid_characters",
  "invalid_key",
  "too_deep",
]);

const ACTIONS = new Set(["contacts.active", "contacts.inactive", "contacts.approve", "contacts.reject"]);

const isUlid = (v: unknown) => typeof v === "string" && /^[0-9A-Za-z]{26}$/.test(v);

/** The documented normalisation of a sent value: trimmed, blank is null, ids and IFSC upper-case. */
function normalised(field: string, value: unknown): unknown {
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (trimmed === "") return null;
    if (field === "ifsc" || isUlid(trimmed)) return trimmed.toUpperCase();
    return trimmed;
  }
  if (field === "tags" && Array.isArray(value))
    return value.map((t) => (typeof t === "string" ? t.trim() : t));
  return JSON.parse(JSON.stringify(value));
}

/** Differences between what was sent and what reads back, after the documented normalisation. */
function readBackDiff(opId: string, sent: unknown, read: Record<string, unknown>): string[] {
  const diffs: string[] = [];
  if (opId === "contacts.putProps") {
    const props = Array.isArray(sent) ? sent : (sent as { props: unknown[] }).props;
    for (const p of props as { key: string; value: string; type: string }[]) {
      if (identifierKindOfKey(p.key)) continue;
      const found = (read.props as { key: string; value: string; type: string }[]).find(
        (r) => r.key === p.key.trim(),
      );
      if (!found || found.value !== p.value.trim() || found.type !== p.type)
        diffs.push(`props.${p.key}: sent ${JSON.stringify(p)}, read ${JSON.stringify(found)}`);
    }
    return diffs;
  }
  if (opId.startsWith("contacts.") && ["active", "inactive", "approve", "reject"].includes(opId.slice(9))) {
    const action = opId.slice(9);
    if (action === "active" || action === "inactive") {
      if (read.status !== action) diffs.push(`status: ${String(read.status)}`);
    } else if (read.approval_status !== (action === "approve" ? "approved" : "rejected"))
      diffs.push(`approval_status: ${String(read.approval_status)}`);
    return diffs;
  }
  if (sent === null || typeof sent !== "object" || Array.isArray(sent)) return diffs;
  for (const [field, value] of Object.entries(sent)) {
    if (READ_ONLY.has(field) || !(field in read)) continue;
    const got = read[field];
    if (field === "ref_id" && (value === null || (typeof value === "string" && !value.trim()))) continue;
    if (field === "namespace") {
      if (String(got).toLowerCase() !== String(value).trim().toLowerCase())
        diffs.push(`namespace: ${String(got)}`);
      continue;
    }
    if (field === "props") {
      const sentProps = (value as { key: string; value: string; type: string }[]).filter(
        (p) => !identifierKindOfKey(p.key),
      );
      const readProps = (got as { key: string; value: string; type: string }[]).filter(
        (p) => !identifierKindOfKey(p.key),
      );
      const a = sentProps.map((p) => `${p.key.trim()}=${p.value.trim()}:${p.type}`).sort();
      const b = readProps.map((p) => `${p.key}=${p.value}:${p.type}`).sort();
      if (JSON.stringify(a) !== JSON.stringify(b))
        diffs.push(`props: sent ${JSON.stringify(a)}, read ${JSON.stringify(b)}`);
      continue;
    }
    const expected = normalised(field, value);
    // JSON objects are unordered (refs, codes come back with their keys sorted).
    if (JSON.stringify(sortedKeys(expected)) !== JSON.stringify(sortedKeys(got)))
      diffs.push(`${field}: sent ${JSON.stringify(value)}, read ${JSON.stringify(got)}`);
  }
  return diffs;
}

/** Whether an operation's body has a `refs` field (free-form JSON). */
function refsIn(op: Operation): boolean {
  return /^contacts\.(create|update)$/.test(op.id);
}

function readPathOf(op: Operation, path: string, response: ApiResponse): string | null {
  const id = response.body?.id;
  switch (op.id) {
    case "namespaces.create":
      return `/namespaces/${id}/`;
    case "contacts.create":
      return `/contacts/${id}/`;
    case "addresses.create":
      return `/contacts/addresses/${id}/`;
    case "banks.create":
      return `/contacts/banks/${id}/`;
    case "relations.create":
      return `/contacts/relations/${id}/`;
    case "contacts.putProps":
    case "namespaces.update":
    case "contacts.update":
    case "addresses.update":
    case "banks.update":
    case "relations.update":
    case "contacts.active":
    case "contacts.inactive":
    case "contacts.approve":
    case "contacts.reject":
      return path.replace(/(active|inactive|approve|reject)\/$/, "");
    default:
      return null;
  }
}

function related(errorPath: string, fieldPath: string): boolean {
  if (errorPath === "body" || fieldPath === "body") return true;
  return errorPath.split(".")[0] === fieldPath.split(".")[0];
}

const describeRequest = (method: string, path: string, body: string | undefined, note: string) =>
  `${method} ${path}${note ? ` [${note}]` : ""}${body === undefined ? "" : ` ${body.length > 600 ? `${body.slice(0, 600)}...` : body}`}`;

export class Fuzzer {
  private pools = new Map<string, Pools>();
  private snapshot = new Map<string, unknown>();

  constructor(
    readonly operations: Operation[],
    readonly stats: Stats,
  ) {}

  /** A tenant with a few records of every kind, made once. */
  async poolsOf(tenant: string): Promise<Pools> {
    const known = this.pools.get(tenant);
    if (known) return known;
    const pools: Pools = {
      namespaces: [],
      namespaceNames: [],
      contacts: [],
      addresses: [],
      banks: [],
      relations: [],
    };
    const must = async (method: string, path: string, body: unknown) => {
      const res = await api(method, path, { tenant, body });
      if (res.status !== 201) throw new Error(`fixture ${path}: ${res.status} ${res.text}`);
      return res.body;
    };
    for (const [name, pattern] of [
      ["Fuzz Alpha", "C-{seq}"],
      ["fuzz-beta", null],
    ] as const) {
      const ns = await must("POST", "/namespaces/", { name, contact_pattern: pattern });
      pools.namespaces.push(ns.id);
      pools.namespaceNames.push(ns.name);
    }
    for (const [i, name] of ["Ramesh Kumar", "Sita Devi", "Acme Traders"].entries()) {
      const c = await must("POST", "/contacts/", {
        name,
        namespace: pools.namespaceNames[i % 2],
        status: "active",
        type: i === 2 ? "corporate" : "individual",
        props: [{ key: "segment", value: "retail", type: "text" }],
      });
      pools.contacts.push(c.id);
    }
    const [c0, c1] = pools.contacts as [string, string];
    pools.addresses.push(
      (
        await must("POST", "/contacts/addresses/", {
          contact_id: c0,
          address_line: "12, MG Road",
          city: "Bengaluru",
          state: "Karnataka",
          pincode: "560001",
          country: "India",
        })
      ).id,
    );
    pools.banks.push(
      (
        await must("POST", "/contacts/banks/", {
          contact_id: c0,
          account_number: "50100012345678",
          ifsc: "HDFC0001234",
          account_holder_name: "Ramesh Kumar",
        })
      ).id,
    );
    pools.relations.push(
      (await must("POST", "/contacts/relations/", { contact: c0, type: "guarantor", related_contact: c1 }))
        .id,
    );
    this.pools.set(tenant, pools);
    return pools;
  }

  async run(tenant: string, c: Case): Promise<void> {
    const op = this.operations[c.op] as Operation;
    const pools = await this.poolsOf(tenant);
    const stats = this.stats;

    // Path and query, then the body, with the mutation (if any) applied where it targets.
    let path = op.path;
    const pathParams = op.parameters.filter((p) => p.in === "path").map((p) => p.name);
    for (const name of pathParams)
      path = path.replace(`{${name}}`, String(resolveRefs(c.pathPick[name], pools)));
    const query = resolveRefs(c.query, pools) as Record<string, string>;
    let body = resolveRefs(c.body, pools);
    // A relation is between two different contacts (known only once ids are resolved).
    const rel = body as { contact?: unknown; related_contact?: unknown } | undefined;
    if (
      typeof rel?.related_contact === "string" &&
      String(rel.contact).toUpperCase() === rel.related_contact.toUpperCase()
    )
      rel.related_contact = null;
    let mutated: Mutation | null = null;
    let note = "";
    if (c.mutation?.target === "path" && pathParams.length) {
      const name = pathParams[c.mutation.pick % pathParams.length] as string;
      path = op.path.replace(`{${name}}`, c.mutation.edge);
      for (const other of pathParams)
        path = path.replace(`{${other}}`, String(resolveRefs(c.pathPick[other], pools)));
      note = `path ${name}`;
    } else if (c.mutation?.target === "query") {
      const names = op.parameters.filter((p) => p.in === "query").map((p) => p.name);
      const name = names[c.mutation.pick % names.length] as string;
      query[name] = c.mutation.edge;
      note = `query ${name}`;
    } else if (c.mutation?.target === "body") {
      const paths = pathsOf(body);
      mutated = c.mutation.make(paths[c.mutation.pick % paths.length] as string[]);
      // Nesting matters most where any JSON is accepted: half the deep mutations go to `refs`.
      const takesRefs =
        body !== null && typeof body === "object" && !Array.isArray(body) && Boolean(refsIn(op));
      if (mutated.kind === "deep" && c.mutation.pick % 2 === 0 && takesRefs)
        mutated = { ...mutated, path: ["refs"] };
      body = applyMutation(body, mutated);
      note = `${mutated.kind} ${mutated.path.join(".") || "body"}`;
    }
    const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    const url = search ? `${path}?${search}` : path;

    // The raw form of the body.
    let rawBody: BodyInit | undefined;
    let bodyText: string | undefined;
    const headers: Record<string, string> = {};
    if (body !== undefined && op.body) {
      bodyText = JSON.stringify(body);
      rawBody = bodyText;
      headers["content-type"] = "application/json";
    }
    if (op.body && c.raw) {
      note += ` raw ${c.raw}`;
      const text = bodyText ?? "{}";
      if (c.raw === "invalid_utf8") {
        const bytes = new TextEncoder().encode(text);
        rawBody = new Uint8Array([
          ...bytes.slice(0, Math.max(1, bytes.length - 2)),
          0xff,
          ...bytes.slice(-2),
        ]);
      } else if (c.raw === "malformed") rawBody = text.slice(0, -1);
      else if (c.raw === "empty") rawBody = new Uint8Array(0);
      else if (c.raw === "text_plain") headers["content-type"] = "text/plain";
      else if (c.raw === "no_content_type") {
        rawBody = new TextEncoder().encode(text);
        delete headers["content-type"];
      }
    }

    const isWrite = op.method !== "GET" && op.id !== "contacts.dedupe";
    if (isWrite && !this.snapshot.has(tenant))
      this.snapshot.set(tenant, JSON.stringify(await tenantSnapshot(tenant)));

    const res = await api(op.method, url, { token: await tokenFor(tenant, c.scopes), rawBody, headers });
    stats.requests++;
    const per = stats.perOperation[op.id] ?? { requests: 0, ok: 0, rejected: 0 };
    stats.perOperation[op.id] = per;
    per.requests++;
    stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
    const request = describeRequest(op.method, url, typeof rawBody === "string" ? rawBody : bodyText, note);
    const finding = (kind: string, extra?: string) =>
      stats.findings.push({
        kind,
        op: op.id,
        request,
        response: `${res.status} ${res.text.slice(0, 800)}`,
        note: extra,
      });

    if (
      (globalThis as { FUZZ_DEBUG?: boolean }).FUZZ_DEBUG &&
      res.status >= 400 &&
      (res.status === 415 || !c.mutation)
    )
      console.log("DEBUG", request.slice(0, 300), res.status, res.text.slice(0, 300));
    if (res.status >= 500) {
      stats.fiveHundreds++;
      finding("5xx");
    }

    if (res.status >= 400) {
      per.rejected++;
      // Every error is problem+json with the request id; a validation error names the fields.
      if (res.headers.get("content-type") !== "application/problem+json") finding("not_problem_json");
      const b = res.body ?? {};
      if (
        typeof b.type !== "string" ||
        b.status !== res.status ||
        typeof b.title !== "string" ||
        typeof b.detail !== "string" ||
        b.request_id !== res.headers.get("x-request-id")
      )
        finding("bad_problem_body");
      if (b.type === "/problems/validation") {
        const errors = (b.errors ?? []) as { path?: unknown; code?: unknown; message?: unknown }[];
        if (
          !errors.length ||
          errors.some(
            (e) => typeof e.path !== "string" || typeof e.code !== "string" || typeof e.message !== "string",
          )
        )
          finding("validation_without_fields");
        // Read-only fields sent back are ignored, never refused (API.md, Conventions).
        if (
          mutated?.kind === "read_only" &&
          !mutated.path.length &&
          !c.raw &&
          errors.some((e) => String(e.path).split(".").pop() === mutated.key)
        )
          finding("read_only_field_refused", mutated.key);
        // A schema error elsewhere but none on the mutated field: the error names the wrong field.
        // (Errors of later, semantic checks mean the schema took the mutated value, e.g. trimmed it.)
        const schemaLevel = errors.some((e) => SCHEMA_CODES.has(String(e.code)));
        if (mutated && !c.raw && mutated.kind !== "read_only" && mutated.kind !== "remove" && schemaLevel) {
          const field =
            mutated.kind === "extra_field"
              ? [...mutated.path, mutated.key].join(".")
              : mutated.path.join(".") || "body";
          if (!errors.some((e) => related(String(e.path), field))) finding("field_not_named", field);
        }
      }
      // Without the scope: 403, unless the request never reached the route (404, 405) or its body was
      // refused by the body guard, which runs for every route before the route's own checks.
      const bodyGuard =
        res.status === 413 ||
        res.status === 415 ||
        b.type === "/problems/malformed_json" ||
        (b.errors ?? []).some((e: { code?: string }) => e.code === "too_deep");
      if (!c.scopes.includes(op.scope) && ![403, 404, 405].includes(res.status) && !bodyGuard)
        finding("scope_not_checked_first");
      // An action takes no body, an empty body or {reason}, with or without Content-Type.
      if (
        ACTIONS.has(op.id) &&
        (c.raw === "empty" || (c.raw === "no_content_type" && !mutated)) &&
        (res.status === 400 || res.status === 415)
      )
        finding("action_body_refused");
      if (isWrite) {
        stats.rejectedWrites++;
        const after = JSON.stringify(await tenantSnapshot(tenant));
        if (after !== this.snapshot.get(tenant)) {
          stats.rejectedWithChanges++;
          finding("rejected_but_changed");
          this.snapshot.set(tenant, after);
        }
      }
      return;
    }

    per.ok++;
    if (!c.scopes.includes(op.scope)) finding("accepted_without_scope");
    const forbidden = op.body && !c.raw ? forbiddenInBody(body) : null;
    if (forbidden) finding("accepted_forbidden_characters", forbidden);
    if (isWrite) this.snapshot.delete(tenant);

    // Pools follow what exists (and what namespaces are called).
    if (op.id === "namespaces.update" && res.status === 200) {
      const at = pools.namespaces.indexOf(String(res.body.id));
      if (at >= 0) pools.namespaceNames[at] = res.body.name;
    }
    const created = POOL_OF_CREATE[op.id];
    if (created && res.status === 201 && typeof res.body?.id === "string") {
      pools[created]?.push(res.body.id);
      if (created === "namespaces") pools.namespaceNames.push(res.body.name);
    }
    if (op.method === "DELETE" && res.status === 204 && !op.id.endsWith("deleteProps")) {
      const pool = pools[POOL_OF_PARAM[pathParams[0] as string] as string];
      const id = path.split("/").filter(Boolean).pop()?.toUpperCase();
      if (pool && id) {
        const at = pool.indexOf(id);
        if (at >= 0) pool.splice(at, 1);
        if (pool === pools.namespaces && at >= 0) pools.namespaceNames.splice(at, 1);
      }
    }

    // An accepted body reads back as sent, after the documented normalisation.
    const readPath = readPathOf(op, path, res);
    if (readPath && body !== undefined && !c.raw) {
      const read = await api("GET", readPath, { tenant });
      if (read.status !== 200)
        finding("accepted_but_unreadable", `${read.status} ${read.text.slice(0, 200)}`);
      else {
        stats.readBacks++;
        const diffs = readBackDiff(op.id, body, read.body);
        if (diffs.length) finding("read_back_differs", diffs.join("; "));
      }
    }
  }
}
