import { describe, expect, it } from "vitest";
import { etagOf, expandedEtagOf, meetsIfMatch, versionsOfIfMatch, weakMatch } from "../../src/lib/etag";

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

  it("If-Match names the versions it accepts: a list of strong tags; * and no header impose none", () => {
    expect(versionsOfIfMatch(undefined)).toBeUndefined();
    expect(versionsOfIfMatch("*")).toBeUndefined();
    expect(versionsOfIfMatch('"3"')).toEqual([3]);
    expect(versionsOfIfMatch('"3", "5" ,"8"')).toEqual([3, 5, 8]);
    // Strong comparison: a weak tag never matches; neither does anything not ours.
    expect(versionsOfIfMatch('W/"3"')).toEqual([]);
    expect(versionsOfIfMatch('"x", W/"4", "4"')).toEqual([4]);
    expect(versionsOfIfMatch('"0"')).toEqual([]);
    // Each version once; a tag read with expand names its record's version.
    expect(versionsOfIfMatch('"3", "3", "3-k2j9x"')).toEqual([3]);
    expect(versionsOfIfMatch('"3-"')).toEqual([]);
    expect(meetsIfMatch(undefined, 9)).toBe(true);
    expect(meetsIfMatch([3, 5], 5)).toBe(true);
    expect(meetsIfMatch([3, 5], 4)).toBe(false);
    expect(meetsIfMatch([], 1)).toBe(false);
  });

  it("a read with expand is tagged by its version and each embedded record's id and version", () => {
    const a = { id: "A", version: 1 };
    const tag = expandedEtagOf(2, [a]);
    expect(tag).toMatch(/^"2-[0-9a-z]+"$/);
    expect(expandedEtagOf(2, [a])).toBe(tag);
    expect(expandedEtagOf(3, [a])).not.toBe(tag);
    expect(expandedEtagOf(2, [{ ...a, version: 2 }])).not.toBe(tag);
    expect(expandedEtagOf(2, [a, { id: "B", version: 1 }])).not.toBe(tag);
    expect(expandedEtagOf(2, [])).not.toBe(tag);
  });
});
