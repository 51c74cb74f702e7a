import { describe, expect, it } from "vitest";
import { api } from "./api";
import { ALL_SCOPES, token } from "./tokens";

export type RouteUnderTest = {
  method: string;
  /** The path to call; a function when it needs a record created first (as tenant "t1"). */
  path: string | (() => Promise<string>);
  body?: unknown | (() => Promise<unknown>);
  /** The scope the route declares in its contract. */
  scope: string;
  /**
   * How another tenant ("t2") sees tenant t1's record through this route: "not_found" (404) for
   * routes on one record, "empty" for lists (no record of another tenant in results). `unchanged` reads t1's record
   * afterwards to prove a refused write changed nothing.
   */
  tenancy?: { expect: "not_found" | "empty"; unchanged?: (path: string) => Promise<unknown> };
};

const resolve = async <T>(value: T | (() => Promise<T>)): Promise<T> =>
  typeof value === "function" ? (value as () => Promise<T>)() : value;

/** The shared auth-and-tenancy cases every route gets (API.md: Authentication and tenancy). */
export function authAndTenancyCases(name: string, route: RouteUnderTest): void {
  describe(`${name}: auth and tenancy`, () => {
    it("401 without a token, with WWW-Authenticate: Bearer", async () => {
      const path = await resolve(route.path);
      const res = await api(route.method, path, { token: null, body: await resolve(route.body) });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    });

    it("401 with an expired or wrongly signed token", async () => {
      const path = await resolve(route.path);
      const body = await resolve(route.body);
      for (const bad of [
        await token({ expiresIn: -3600 }),
        await token({ secret: "another-secret-of-enough-length!!" }),
      ]) {
        const res = await api(route.method, path, { token: bad, body });
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
      }
    });

    it(`403 without the ${route.scope} scope`, async () => {
      const path = await resolve(route.path);
      const others = ALL_SCOPES.split(" ")
        .filter((s) => s !== route.scope)
        .join(" ");
      const res = await api(route.method, path, {
        token: await token({ scope: others }),
        body: await resolve(route.body),
      });
      expect(res.status).toBe(403);
      expect(res.body.type).toBe("/problems/forbidden");
    });

    if (route.tenancy) {
      const tenancy = route.tenancy;
      it(`another tenant's record: ${tenancy.expect === "not_found" ? "404" : "not listed"}, and unchanged`, async () => {
        const path = await resolve(route.path);
        const before = tenancy.unchanged ? await tenancy.unchanged(path) : undefined;
        const res = await api(route.method, path, { tenant: "t2", body: await resolve(route.body) });
        if (tenancy.expect === "not_found") {
          expect(res.status).toBe(404);
          expect(res.body.type).toBe("/problems/not_found");
        } else {
          expect(res.status).toBe(200);
          expect(res.body.results.filter((r: { tenant_id?: string }) => r.tenant_id !== "t2")).toEqual([]);
        }
        if (tenancy.unchanged) expect(await tenancy.unchanged(path)).toEqual(before);
      });
    }
  });
}
