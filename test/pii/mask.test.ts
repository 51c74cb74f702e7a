import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IdentifierKind, normaliseIdentifier } from "../../src/dedupe/identifiers";
import { isMaskOf, last4, looksMasked, mask, maskAadhaar, normaliseMask } from "../../src/pii/mask";

describe("mask", () => {
  it("replaces every character but the last four with X", () => {
    expect(mask("ABCPE1234F")).toBe("XXXXXX234F");
    expect(mask("J1234567")).toBe("XXXX4567");
    expect(mask("123456789012")).toBe("XXXXXXXX9012");
    expect(mask("12345")).toBe("X2345");
    expect(mask("1234")).toBe("XXXX");
    expect(mask("")).toBe("");
  });

  it("keeps Aadhaar as XXXXXXXX and its last four digits", () => {
    expect(maskAadhaar("234123412346")).toBe("XXXXXXXX2346");
  });

  it("keeps length and shows at most four characters (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (v) => {
        const m = mask(v);
        expect(m.length).toBe(v.length);
        expect(m.replace(/^X*/, "").length).toBeLessThanOrEqual(4);
      }),
    );
  });

  it("never yields a valid identifier of the masked kind", () => {
    const samples: [IdentifierKind, string][] = [
      ["pan", "ABCPE1234F"],
      ["aadhaar", "234123412346"],
      ["passport", "J1234567"],
      ["voter_id", "ABC1234567"],
      ["driving_licence", "MH1220110012345"],
    ];
    for (const [kind, value] of samples) {
      expect(normaliseIdentifier(kind, value), kind).toBe(value);
      expect(normaliseIdentifier(kind, mask(value)), kind).toBeNull();
    }
  });
});

describe("isMaskOf", () => {
  it("accepts the mask sent back, also lower-case or spaced", () => {
    expect(isMaskOf("XXXXXX234F", "ABCPE1234F")).toBe(true);
    expect(isMaskOf("xxxxxx234f", "ABCPE1234F")).toBe(true);
    expect(isMaskOf("XXXX XXXX 2346", "234123412346")).toBe(true);
    expect(isMaskOf("XXXX-XXXX-2346", "234123412346")).toBe(true);
  });

  it("refuses other masks and clear values", () => {
    expect(isMaskOf("XXXXXX234G", "ABCPE1234F")).toBe(false);
    expect(isMaskOf("XXXXX234F", "ABCPE1234F")).toBe(false);
    expect(isMaskOf("ABCPE1234F", "ABCPE1234F")).toBe(false);
    expect(isMaskOf("XXXXXXXX2346", "234123412347")).toBe(false);
  });

  it("looksMasked spots the shape", () => {
    expect(looksMasked("XXXXXX234F")).toBe(true);
    expect(looksMasked("xxxx xxxx 1234")).toBe(true);
    expect(looksMasked("ABCPE1234F")).toBe(false);
    expect(normaliseMask(" xx\u200bxx-1234 ")).toBe("XXXX1234");
  });
});

describe("last4", () => {
  it("is the last four digits of an account number", () => {
    expect(last4("123456789012")).toBe("9012");
    expect(last4("1234 5678 9012")).toBe("9012");
    expect(last4("000123")).toBe("0123");
  });
});
