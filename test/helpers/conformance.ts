import { exports } from "cloudflare:workers";
import { type Schema, Validator } from "@cfworker/json-schema";
import { ID_SEGMENT } from "../../src/lib/router";

type Operation = { pattern: RegExp; method: string; id: string; responses: Record<string, any> };
type Document = { paths: Record<string, Record<string, any>>; components: Record<string, unknown> };

let operations: Promise<{ doc: Document; list: Operation[] }> | undefined;
const validators = new Map<string, Validator>();

/** The generated OpenAPI document, read once per test file through the worker itself. */
function loadOperations() {
  operations ??= (async () => {
    const response = await exports.default.fetch(new Request("https://api.test/openapi.json"));
    const doc = (await response.json()) as Document;
    const list: Operation[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      // Path ids are routed only when they start with a digit (as src/lib/router.ts does); every path is
      // served with and without its trailing slash.
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, ID_SEGMENT).replace(/\/$/, "")}/?$`);
      for (const [method, op] of Object.entries(item))
        list.push({ pattern, method: method.toUpperCase(), id: op.operationId, responses: op.responses });
    }
    return { doc, list };
  })();
  return operations;
}

/**
 * Checks a JSON response against its operation's documented response schema in /openapi.json: an
 * undocumented status, an undocumented content type or a body that does not match fails the test.
 * Requests to no documented operation (unknown paths, 405s) have nothing to conform to.
 */
export async function assertConforms(method: string, path: string, response: Response, body: unknown) {
  const { doc, list } = await loadOperations();
  const pathname = new URL(path, "https://api.test").pathname;
  const operation = list.find((o) => o.method === method.toUpperCase() && o.pattern.test(pathname));
  if (!operation) return;
  const status = String(response.status);
  const documented = operation.responses[status];
  if (!documented)
    throw new Error(`${operation.id} answered ${status}, which its contract does not document`);
  if (!documented.content || body === null) return;
  const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  const media = documented.content[type];
  if (!media) throw new Error(`${operation.id} ${status} sent ${type}, which its contract does not document`);
  const key = `${operation.id} ${status} ${type}`;
  let validator = validators.get(key);
  if (!validator) {
    // The operation's schema with the document's components beside it, so its $refs resolve.
    const schema = { ...media.schema, components: doc.components } as Schema;
    validator = new Validator(schema, "2020-12", false);
    validators.set(key, validator);
  }
  const result = validator.validate(body);
  if (!result.valid) {
    const errors = result.errors
      .slice(0, 5)
      .map((e) => `${e.instanceLocation}: ${e.error}`)
      .join("\n  ");
    throw new Error(`${key}: the body does not match the documented schema\n  ${errors}`);
  }
}
