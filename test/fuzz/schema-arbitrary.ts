import fc from "fast-check";

/**
 * A small JSON-Schema-to-fast-check generator for the subset the OpenAPI document uses: $ref, type
 * (one or a list, "null" included), enum, const, anyOf / oneOf, object (properties, required,
 * additionalProperties), array (items, minItems, maxItems), string (minLength, maxLength, pattern),
 * integer / number (minimum, maximum), boolean. Read-only properties are left out of valid bodies.
 *
 * The document cannot say everything a valid body needs (a namespace that exists, a contact id of the
 * tenant, a name in letters of any script): `hints` give those fields by property name. A hint may
 * return a Ref, resolved when the request is sent (ids of records that exist at that moment).
 */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  readOnly?: boolean;
};

/** A value chosen when the request is sent: the `index`-th record of a pool (modulo its size). */
export class Ref {
  constructor(
    readonly pool: string,
    readonly index: number,
    readonly transform: "same" | "lower" = "same",
  ) {}
}

export type Hints = Record<string, fc.Arbitrary<unknown>>;

export class SchemaArbitraries {
  constructor(
    private readonly components: Record<string, JsonSchema>,
    private readonly hints: Hints,
  ) {}

  deref(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let i = 0; current.$ref && i < 10; i++) {
      const name = current.$ref.replace("#/components/schemas/", "");
      const target = this.components[name];
      if (!target) throw new Error(`unknown $ref ${current.$ref}`);
      current = target;
    }
    return current;
  }

  types(schema: JsonSchema): string[] {
    const s = this.deref(schema);
    if (s.type) return Array.isArray(s.type) ? s.type : [s.type];
    if (s.enum) return [...new Set(s.enum.map((v) => (v === null ? "null" : typeof v)))];
    return [];
  }

  /** Valid values of a schema; `name` is the property it is the value of (for hints). */
  valid(schema: JsonSchema, name?: string): fc.Arbitrary<unknown> {
    if (name && this.hints[name]) return this.hints[name];
    const s = this.deref(schema);
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map((alt) => this.valid(alt, name)));
    const types = this.types(s);
    if (types.length > 1) return fc.oneof(...types.map((type) => this.valid({ ...s, type }, name)));
    switch (types[0]) {
      case "null":
        return fc.constant(null);
      case "boolean":
        return fc.boolean();
      case "integer":
        return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
      case "number":
        return fc.double({
          min: s.minimum ?? -1e6,
          max: s.maximum ?? 1e6,
          noNaN: true,
          noDefaultInfinity: true,
        });
      case "string":
        return this.validString(s);
      case "array":
        return fc.array(this.valid(s.items ?? {}), {
          minLength: s.minItems ?? 0,
          maxLength: Math.min(s.maxItems ?? 5, 5),
        });
      case "object":
        return this.validObject(s);
      default:
        // {}: any JSON value.
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  private validString(s: JsonSchema): fc.Arbitrary<string> {
    if (s.pattern) {
      try {
        const regex = new RegExp(s.pattern, "u");
        return fc
          .stringMatching(regex)
          .filter((v) => v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? 1e9));
      } catch {
        // a pattern fast-check cannot invert: plain text below
      }
    }
    const min = Math.max(s.minLength ?? 0, 1);
    const max = Math.max(min, Math.min(s.maxLength ?? 30, 30));
    return fc.stringMatching(/^[A-Za-z0-9]+$/).filter((v) => v.length >= min && v.length <= max);
  }

  private validObject(s: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
    const properties = Object.entries(s.properties ?? {}).filter(([, p]) => !this.deref(p).readOnly);
    if (!properties.length && s.additionalProperties && s.additionalProperties !== true) {
      return fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), this.valid(s.additionalProperties), {
        maxKeys: 4,
      });
    }
    if (!properties.length)
      return fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, prop] of properties) record[key] = this.valid(prop, key);
    const required = properties.map(([key]) => key).filter((key) => s.required?.includes(key));
    return fc.record(record, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations: what a careless or hostile client sends instead.

export const UNICODE_EDGES = [
  "\ud800", // lone high surrogate
  "\udfff", // lone low surrogate
  "\u202e", // right-to-left override
  "\u202a",
  "\u2066", // isolates
  "\u2069",
  "\u0000",
  "\u0007",
  "\u001b",
  "\u007f",
  "\u0085",
  "\n",
  "\t",
  "\u200d", // ZWJ (valid)
  "\u200c", // ZWNJ (valid)
  "\u200b", // zero-width space
  "\ufeff",
  "\u00ad",
  "\u2028",
  "\u00a0",
  "\u0301", // combining mark
  "\ufffd",
  "\ud83d\ude00", // emoji (a valid pair)
  "\u0930\u093e\u0939\u0941\u0932", // Devanagari
  "\u0645\u062d\u0645\u062f", // Arabic
  "'; DROP TABLE contacts; --",
  "%00",
  "{seq}",
] as const;

export const HUGE_NUMBERS = [
  2 ** 53,
  2 ** 53 - 1,
  2 ** 52,
  -(2 ** 53),
  1e308,
  -1e308,
  5e-324,
  -0,
  0,
  -1,
  0.5,
  1e21,
  2 ** 31,
  2 ** 63,
] as const;

export type Mutation =
  | { kind: "wrong_type"; path: string[]; value: unknown }
  | { kind: "boundary"; path: string[]; length: number }
  | { kind: "unicode"; path: string[]; edge: string; at: "start" | "middle" | "end" | "alone" }
  | { kind: "deep"; path: string[]; depth: number; arrays: boolean }
  | { kind: "huge_number"; path: string[]; value: number }
  | { kind: "extra_field"; path: string[]; key: string }
  | { kind: "remove"; path: string[] }
  | { kind: "read_only"; path: string[]; key: string };

const WRONG_TYPES: unknown[] = [7, -1.5, true, false, null, [], {}, ["x"], { a: 1 }, "3", "", " ", "true"];

/** Mutations of one field each, as data: where (an index into the body's paths, chosen later) and what. */
export const mutationArb: fc.Arbitrary<{ pick: number; make: (path: string[]) => Mutation }> = fc.record({
  pick: fc.nat(),
  make: fc.oneof(
    fc
      .constantFrom(...WRONG_TYPES)
      .map((value) => (path: string[]) => ({ kind: "wrong_type", path, value }) as Mutation),
    fc
      .constantFrom(0, 1, 2, 4, 5, 6, 11, 26, 27, 49, 50, 51, 64, 65, 99, 100, 101, 128, 129, 500, 501, 1025)
      .map((length) => (path: string[]) => ({ kind: "boundary", path, length }) as Mutation),
    fc
      .record({
        edge: fc.constantFrom(...UNICODE_EDGES),
        at: fc.constantFrom("start", "middle", "end", "alone"),
      })
      .map(
        ({ edge, at }) =>
          (path: string[]) =>
            ({ kind: "unicode", path, edge, at }) as Mutation,
      ),
    {
      weight: 2,
      arbitrary: fc
        .record({ depth: fc.constantFrom(30, 31, 32, 33, 64, 1000, 1000, 5000), arrays: fc.boolean() })
        .map(
          ({ depth, arrays }) =>
            (path: string[]) =>
              ({ kind: "deep", path, depth, arrays }) as Mutation,
        ),
    },
    fc
      .constantFrom(...HUGE_NUMBERS)
      .map((value) => (path: string[]) => ({ kind: "huge_number", path, value }) as Mutation),
    fc
      .constantFrom("nope", "Name", "name ", "__proto__", "constructor", "x\u202e", "k\ud800", "", "tenant")
      .map((key) => (path: string[]) => ({ kind: "extra_field", path, key }) as Mutation),
    fc.constant((path: string[]) => ({ kind: "remove", path }) as Mutation),
    fc
      .constantFrom("id", "tenant_id", "created_at", "version", "updated_by", "created_by")
      .map((key) => (path: string[]) => ({ kind: "read_only", path, key }) as Mutation),
  ),
});

/** Every path of a JSON value (objects and arrays, two levels deep at most), the body itself as []. */
export function pathsOf(value: unknown, prefix: string[] = [], depth = 0): string[][] {
  const paths: string[][] = [prefix];
  if (depth >= 3 || value === null || typeof value !== "object") return paths;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, item] of entries) paths.push(...pathsOf(item, [...prefix, key], depth + 1));
  return paths;
}

function nest(depth: number, arrays: boolean): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
}

/** The body with one mutation applied (a deep copy; the original is untouched). */
export function applyMutation(body: unknown, mutation: Mutation): unknown {
  const copy = body === undefined ? undefined : structuredClone(body);
  const { path } = mutation;
  const container = path.slice(0, -1).reduce<any>((node, key) => node?.[key], copy);
  const last = path[path.length - 1];
  const current = last === undefined ? copy : container?.[last];
  const set = (value: unknown) => {
    if (last === undefined) return value;
    if (container !== null && typeof container === "object") container[last] = value;
    return copy;
  };
  switch (mutation.kind) {
    case "wrong_type":
      return set(mutation.value);
    case "boundary": {
      const base = typeof current === "string" && current.trim() ? current.trim() : "a";
      return set(base.repeat(Math.ceil(mutation.length / base.length)).slice(0, mutation.length));
    }
    case "unicode": {
      const text = typeof current === "string" ? current : "abc";
      const mid = Math.floor(text.length / 2);
      const value =
        mutation.at === "alone"
          ? mutation.edge
          : mutation.at === "start"
            ? mutation.edge + text
            : mutation.at === "end"
              ? text + mutation.edge
              : text.slice(0, mid) + mutation.edge + text.slice(mid);
      return set(value);
    }
    case "deep":
      return set(nest(mutation.depth, mutation.arrays));
    case "huge_number":
      return set(mutation.value);
    case "extra_field":
    case "read_only": {
      const target =
        current !== null && typeof current === "object" && !Array.isArray(current) ? current : null;
      const value = mutation.kind === "read_only" ? "01ARZ3NDEKTSV4RRFFQ69G5FAV" : "x";
      // defineProperty: an own "__proto__" key, as JSON.parse makes it on the server.
      const define = (o: object) =>
        Object.defineProperty(o, mutation.key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      if (!target) return set(define({}));
      define(target);
      return copy;
    }
    case "remove":
      if (last === undefined) return undefined;
      if (Array.isArray(container)) container.splice(Number(last), 1);
      else if (container && typeof container === "object") delete container[last];
      return copy;
  }
}
