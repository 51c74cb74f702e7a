import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newId, parseId } from "../src/lib/ids";

describe("ids", () => {
  it("are well-formed ULIDs, strictly increasing within one millisecond", () => {
    const at = Date.now();
    const ids = Array.from({ length: 1000 }, () => newId(at));
    for (const id of ids) expect(parseId(id)).toBe(id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("random parts use the whole alphabet (the pooled generator is not biased to a few characters)", () => {
    const chars = new Set(
      Array.from({ length: 500 }, (_, i) => newId(i))
        .map((id) => id.slice(10))
        .join(""),
    );
    expect(chars.size).toBe(32);
  });

  it("parseId accepts either case and refuses anything else", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const parsed = parseId(s);
        if (parsed !== null) expect(parsed).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
      }),
    );
    const id = newId();
    expect(parseId(id.toLowerCase())).toBe(id);
  });
});
