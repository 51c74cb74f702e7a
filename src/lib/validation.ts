import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "../env";
import { type FieldError, invalid } from "./errors";

function issuePath(base: PropertyKey[], extra?: PropertyKey): string {
  const parts = extra === undefined ? base : [...base, extra];
  return parts.length ? parts.map(String).join(".") : "body";
}

/** The value at `path` in the input (undefined: absent). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * `input` is what was validated: Zod 4 leaves an issue's own `input` out unless asked to report it, so
 * whether a field of the wrong type was sent at all is read from there.
 */
function describe(issue: z.core.$ZodIssue, input: unknown): FieldError[] {
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: issuePath(issue.path, key),
        code: "unknown_field",
        message: "is not a known field",
      }));
    case "invalid_type": {
      const missing = issue.input === undefined && valueAt(input, issue.path) === undefined;
      return [
        {
          path: issuePath(issue.path),
          code: missing ? "required" : "invalid_type",
          message: missing ? "is required" : `must be ${article(issue.expected)}`,
        },
      ];
    }
    case "invalid_value":
      // An enum names its values whether the field is wrong or absent: absent is required.
      if (issue.input === undefined && valueAt(input, issue.path) === undefined)
        return [{ path: issuePath(issue.path), code: "required", message: "is required" }];
      return [
        {
          path: issuePath(issue.path),
          code: issue.values.length > 1 ? "invalid_enum" : "invalid_value",
          message: `must be ${issue.values.length > 1 ? "one of " : ""}${issue.values.map(String).join(", ")}`,
        },
      ];
    case "too_small":
    case "too_big":
      return [{ path: issuePath(issue.path), code: issue.code, message: sizeMessage(issue) }];
    case "invalid_format":
      return [
        {
          path: issuePath(issue.path),
          code: "invalid_format",
          message: customOr(issue, "has an invalid format"),
        },
      ];
    default: {
      // A custom issue may name its own code (e.g. invalid_identifier).
      const code =
        issue.code === "custom" && typeof issue.params?.code === "string" ? issue.params.code : "invalid";
      return [{ path: issuePath(issue.path), code, message: customOr(issue, "is invalid") }];
    }
  }
}

function article(expected: string): string {
  if (expected === "array" || expected === "object" || expected === "integer") return `an ${expected}`;
  return `a ${expected}`;
}

function customOr(issue: z.core.$ZodIssue, fallback: string): string {
  return issue.message && !issue.message.startsWith("Invalid") ? issue.message : fallback;
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  if (!issue.message.startsWith("Too ")) return issue.message;
  const small = issue.code === "too_small";
  const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
  const unit =
    issue.origin === "string"
      ? " characters"
      : issue.origin === "array" || issue.origin === "set"
        ? " items"
        : "";
  return `must be at ${small ? "least" : "most"} ${String(bound)}${unit}`;
}

/** Turns Zod issues on `input` into the API's field errors: every invalid field, no raw Zod output. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], input: unknown): FieldError[] {
  const all = issues.flatMap((issue) => describe(issue, input));
  // One error per field: the first rule it broke.
  const seen = new Set<string>();
  return all.filter((e) => !seen.has(e.path) && seen.add(e.path));
}

/** The validation hook shared by every router: a failed request schema becomes a 400 problem. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  const fromBody = result.target === "json" ? (deferred.get(c.req.raw) ?? []) : [];
  if (result.target === "json") deferred.delete(c.req.raw);
  if (result.success && !fromBody.length) return;
  // Cast: @hono/zod-validator passes the validated input as `data` on failure too; its Hook type omits it.
  const input = (result as { data?: unknown }).data;
  const all = [...fromBody, ...(result.success ? [] : fieldErrors(result.error.issues, input))];
  const seen = new Set<string>();
  throw invalid(all.filter((e) => !seen.has(e.path) && seen.add(e.path)));
};

/** The deepest a JSON body may nest: the body itself is level 1 (API.md, Conventions). */
export const MAX_BODY_DEPTH = 32;

const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const CONTROL = /\p{Cc}/u;

function isWellFormed(s: string): boolean {
  // Lone UTF-16 surrogates: a JSON body may carry them as "\ud800" escapes.
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return false;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return false;
  }
  return true;
}

/** Why a string of a body is refused whatever field it is in, or null. Control characters are allowed in `refs` values only. */
function stringProblem(s: string, controlAllowed: boolean): string | null {
  if (!isWellFormed(s)) return "must not contain lone UTF-16 surrogates";
  if (BIDI_CONTROL.test(s))
    return "must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)";
  // Text fields are trimmed before they are checked, so surrounding newlines are not refused here.
  if (!controlAllowed && CONTROL.test(s.trim())) return "must not contain control characters";
  return null;
}

export class BodyTooDeep extends Error {
  constructor(readonly error: FieldError) {
    super(error.message);
  }
}

/**
 * The rules every string of a JSON body follows, keys and values, whatever the route (API.md,
 * Conventions): no lone surrogates, no bidi overrides, embeddings or isolates, no control characters
 * (except in `refs` values), no number JSON.parse could not keep exactly (an integer past 2^53-1, or
 * one too large to be finite), and no nesting deeper than MAX_BODY_DEPTH. Returns the field errors;
 * throws BodyTooDeep for nesting, since nothing below that level is worth reading.
 */
export function bodyStringErrors(body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const walk = (value: unknown, path: string[], depth: number, inRefs: boolean): void => {
    if (depth > MAX_BODY_DEPTH) {
      throw new BodyTooDeep({
        path: issuePath(path),
        code: "too_deep",
        message: `is nested deeper than ${MAX_BODY_DEPTH} levels`,
      });
    }
    if (typeof value === "number") {
      // JSON.parse has already rounded it (12345678901234567890) or made it Infinity (1e400, stored as
      // null): 400, never a silent replacement.
      if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)))
        errors.push({
          path: issuePath(path),
          code: "invalid_number",
          message: "is a number beyond what is kept exactly (integers up to 2^53-1, finite)",
        });
      return;
    }
    if (typeof value === "string") {
      const problem = stringProblem(value, inRefs);
      if (problem) errors.push({ path: issuePath(path), code: "invalid_characters", message: problem });
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) walk(value[i], [...path, String(i)], depth + 1, inRefs);
      return;
    }
    if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        const problem =
          key === "__proto__"
            ? // A JavaScript object cannot hold it as data: it would vanish unseen, never a silent loss.
              "is __proto__, which is reserved"
            : stringProblem(key, false);
        if (problem)
          errors.push({ path: issuePath(path), code: "invalid_key", message: `has a key that ${problem}` });
        walk(item, [...path, key], depth + 1, inRefs || (path.length === 0 && key === "refs"));
      }
    }
  };
  walk(body, [], 1, false);
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(e.path) && seen.add(e.path));
}

/** String errors of a request's body found by the body guard, reported with the route's schema errors. */
const deferred = new WeakMap<Request, FieldError[]>();

export function deferBodyErrors(request: Request, errors: FieldError[]): void {
  if (errors.length) deferred.set(request, errors);
}
