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
});
