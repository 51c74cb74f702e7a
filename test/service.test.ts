import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";

describe("service routes", () => {
  it("GET /health answers ok without a token, with and without the trailing slash", async () => {
    for (const path of ["/health", "/health/"]) {
      const res = await api("GET", path, { token: null });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: "ok" });
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9A-Z]{26}$/);
    }
  });

  it("GET /openapi.json is public, with and without the trailing slash", async () => {
    for (const path of ["/openapi.json", "/openapi.json/"]) {
      const res = await api("GET", path, { token: null });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.body.openapi).toBe("3.1.0");
      expect(Object.keys(res.body.paths)).toContain("/contacts/{contact_id}/");
    }
  });

  it("GET /docs is a public page that loads its script and stylesheet from this worker, not a CDN", async () => {
    for (const path of ["/docs", "/docs/"]) {
      const res = await api("GET", path, { token: null });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      const sources = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(sources).toEqual([
        "/docs/assets/swagger-ui.css",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/init.js",
      ]);
      const init = await api("GET", "/docs/init.js", { token: null });
      expect(init.text).toContain('url: "/openapi.json"');
    }
  });

  it("other methods on the service routes need a token first, then are 405", async () => {
    expect((await api("POST", "/health", { token: null })).status).toBe(401);
    const res = await api("POST", "/health");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("GET");
  });
});
