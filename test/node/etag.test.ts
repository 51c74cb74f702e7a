import { describe, expect, it } from "vitest";
import { etagOf, ifMatchVersions, weakMatch } from "../../src/lib/etag";

describe("entity tags", () => {
  it("are the version, quoted (strong)", () => expect(etagOf(7)).toBe('"7"'));

  it("If-None-Match compares weakly: W/ is ignored, * matches, lists are searched", () => {
    expect(weakMatch('"7"', '"7"')).toBe(true);
    expect(weakMatch('W/"7"', '"7"')).toBe(true);
    expect(weakMatch('"1", "7"', '"7"')).toBe(true);
    expect(weakMatch("*", '"7"')).toBe(true);
    expect(weakMatch('"8"', '"7"')).toBe(false);
    expect(weakMatch("7", '"7"')).toBe(false);
  });

  it("If-Match yields the versions a write may apply to (strong comparison)", () => {
    expect(ifMatchVersions(undefined)).toBeUndefined();
    expect(ifMatchVersions('"3"')).toEqual([3]);
    expect(ifMatchVersions('"3", "4"')).toEqual([3, 4]);
    expect(ifMatchVersions("*")).toBe("*");
    expect(ifMatchVersions('W/"3"')).toEqual([]);
    expect(ifMatchVersions('"x"')).toEqual([]);
    expect(ifMatchVersions('"0"')).toEqual([]);
  });
});
