import { describe, expect, it } from "vitest";
import { etagOf, versionOfIfMatch, weakMatch } from "../../src/lib/etag";

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

  it("If-Match names one version; * and no header impose none; anything else matches nothing", () => {
    expect(versionOfIfMatch(undefined)).toBeUndefined();
    expect(versionOfIfMatch("*")).toBeUndefined();
    expect(versionOfIfMatch('"3"')).toBe(3);
    expect(versionOfIfMatch('W/"3"')).toBe(0);
    expect(versionOfIfMatch('"x"')).toBe(0);
  });
});
