import { describe, expect, it } from "vitest";
import { app } from "../../src/app";

describe("GET /openapi.json: patterns", () => {
  it("every pattern is a JSON Schema regex (ECMA-262, unicode), with no regex flags written into it", async () => {
    const doc = await (await app.request("/openapi.json", {}, { DB: {} })).json();
    const patterns: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === "object") {
        for (const [key, value] of Object.entries(node)) {
          if (key === "pattern" && typeof value === "string") patterns.push(value);
          else walk(value);
        }
      }
    };
    walk(doc);
    expect(patterns.length).toBeGreaterThan(3);
    for (const pattern of patterns) {
      expect(() => new RegExp(pattern, "u"), pattern).not.toThrow();
      expect(pattern, pattern).not.toMatch(/\$\/[a-z]+$/);
    }
    expect(patterns).toContain("^[^\\p{Cc}\\p{Cf}\\p{Cs}]+$");
  });
});
