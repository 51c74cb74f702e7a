import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "../env";
import { type FieldError, invalid } from "./errors";

function issuePath(base: PropertyKey[], extra?: PropertyKey): string {
  const parts = extra === undefined ? base : [...base, extra];
  return parts.length ? parts.map(String).join(".") : "body";
}

function describe(issue: z.core.$ZodIssue): FieldError[] {
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: issuePath(issue.path, key),
        code: "unknown_field",
        message: "is not a known field",
      }));
    case "invalid_type":
      return [
        {
          path: issuePath(issue.path),
          code: issue.input === undefined ? "required" : "invalid_type",
          message: issue.input === undefined ? "is required" : `must be ${article(issue.expected)}`,
        },
      ];
    case "invalid_value":
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
    default:
      return [{ path: issuePath(issue.path), code: "invalid", message: customOr(issue, "is invalid") }];
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
  const bound = small
    ? (issue as z.core.$ZodIssueTooSmall).minimum
    : (issue as z.core.$ZodIssueTooBig).maximum;
  const unit =
    issue.origin === "string"
      ? " characters"
      : issue.origin === "array" || issue.origin === "set"
        ? " items"
        : "";
  return `must be at ${small ? "least" : "most"} ${String(bound)}${unit}`;
}

/** Turns Zod issues into the API's field errors: every invalid field, no raw Zod output. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): FieldError[] {
  const all = issues.flatMap((issue) =>
    describe({ ...issue, path: [...prefix, ...issue.path] } as z.core.$ZodIssue),
  );
  // One error per field: the first rule it broke.
  const seen = new Set<string>();
  return all.filter((e) => !seen.has(e.path) && seen.add(e.path));
}

/** The validation hook shared by every router: a failed request schema becomes a 400 problem. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (!result.success) throw invalid(fieldErrors(result.error.issues));
};
