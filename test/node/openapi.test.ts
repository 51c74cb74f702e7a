import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";

// The document needs no database: a stand-in binding is enough.
const ENV = { DB: {} };

// Runs in Node: the validator compiles JSON Schemas with `new Function`, which workerd forbids.
describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const res = await app.request("/openapi.json", {}, ENV);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("documents the bearer scheme, the problem schema and each operation's scope and errors", async () => {
    const doc = (await (await app.request("/openapi.json/", {}, ENV)).json()) as any;
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.schemas.Problem).toBeDefined();
    const operations = Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
      Object.entries(item).map(([method, op]: [string, any]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(1);
    const ids = new Set<string>();
    for (const { path, method, op } of operations) {
      expect(path.endsWith("/"), path).toBe(true);
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      if (path === "/health/") continue;
      expect(op.security, op.operationId).toHaveLength(1);
      expect(op["x-scope"], op.operationId).toMatch(/^(contacts|namespaces):(read|write|approve|erase)$/);
      for (const status of ["400", "401", "403", "500"]) {
        expect(
          op.responses[status]?.content?.["application/problem+json"],
          `${op.operationId} ${status}`,
        ).toBeDefined();
      }
    }
  });

  it("gives every field of every schema and every parameter an example (or a referenced schema that has them)", async () => {
    const doc = (await (await app.request("/openapi.json", {}, ENV)).json()) as any;
    const missing: string[] = [];
    const documented = (def: any) =>
      def.example !== undefined ||
      def.examples !== undefined ||
      def.$ref ||
      def.readOnly ||
      def.type === "array" ||
      def.anyOf?.some((a: any) => a.$ref) ||
      def.allOf;
    for (const [name, schema] of Object.entries<any>(doc.components.schemas)) {
      for (const [prop, def] of Object.entries<any>(schema.properties ?? {})) {
        if (!documented(def)) missing.push(`${name}.${prop}`);
      }
    }
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        for (const p of op.parameters ?? [])
          if (p.example === undefined && !documented(p.schema ?? {}))
            missing.push(`${method} ${path} ${p.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
