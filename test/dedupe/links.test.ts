import { describe, expect, it } from "vitest";
import type { Identifier, IdentifierKind } from "../../src/dedupe/identifiers";
import { classifyPair, DEFAULT_THRESHOLD, type DedupeFeatures, scoreMatch } from "../../src/dedupe/scoring";

const id = (kind: IdentifierKind, value: string, field = `props.${kind}`): Identifier => ({
  kind,
  value,
  field,
});
const contact = (
  name: string | null,
  type: DedupeFeatures["type"],
  ...identifiers: Identifier[]
): DedupeFeatures => ({ name, type, identifiers });

const MOBILE = id("mobile", "+919876543210");
const DOB = id("dob", "1980-05-17");

describe("classifyPair", () => {
  it("a shared mobile between two people whose names disagree is a link, with the shared rule", () => {
    const result = classifyPair(
      contact("Rahul Sharma", "individual", MOBILE),
      contact("Sunita Sharma", "individual", id("mobile", "+919876543210", "props.phone")),
    );
    expect(result.kind).toBe("link");
    expect(result.score).toBeLessThan(DEFAULT_THRESHOLD);
    expect(result.shared).toEqual([{ rule: "mobile", field: "props.phone" }]);
  });

  it("a shared mobile with agreeing names is a duplicate", () => {
    const result = classifyPair(
      contact("Rahul Sharma", "individual", MOBILE),
      contact("Mr. Rahul Sharma", "individual", MOBILE),
    );
    expect(result.kind).toBe("duplicate");
  });

  it("a guarantor's phone on another applicant with another PAN is a link", () => {
    const result = classifyPair(
      contact("Rahul Sharma", "individual", MOBILE, id("pan", "ABCPS1234F")),
      contact("Rahul Sharma", "individual", MOBILE, id("pan", "XYZPS9876K")),
    );
    expect(result.kind).toBe("link");
    expect(result.shared.map((s) => s.rule)).toEqual(["mobile"]);
  });

  it("lists every shared contact point and never an identifier value", () => {
    const bank = id("bank_account", "SBIN0001234:123456789012", "banks.account_number");
    const email = id("email", "home@example.com");
    const result = classifyPair(
      contact("Rahul Sharma", "individual", MOBILE, email, bank),
      contact("Priya Verma", "individual", MOBILE, email, bank),
    );
    expect(result.kind).toBe("link");
    expect(result.shared.map((s) => s.rule).sort()).toEqual(["bank_account", "email", "mobile"]);
    expect(JSON.stringify(result)).not.toContain("9876543210");
  });

  it("a pair sharing nothing is neither", () => {
    expect(
      classifyPair(contact("Rahul Sharma", "individual"), contact("Priya Verma", "individual")).kind,
    ).toBe("none");
  });

  it("a duplicate follows the caller's threshold; a link is a link at any threshold", () => {
    const probe = contact("Rahul Sharma", "individual", MOBILE);
    const candidate = contact("Mr. Rahul Sharma", "individual", MOBILE);
    expect(classifyPair(probe, candidate, 0.5).kind).toBe("duplicate");
    expect(classifyPair(probe, candidate, 1).kind).toBe("none");
    const spouse = contact("Priya Sharma", "individual", MOBILE);
    for (const threshold of [0, 0.5, 1]) expect(classifyPair(probe, spouse, threshold).kind).toBe("link");
  });

  it("a shared contact point is at least 0.9 when names agree, also beside a different email", () => {
    const probe = contact("Rahul Sharma", "individual", MOBILE, id("email", "rahul@example.com"));
    const candidate = contact("Rahul Sharma", "individual", MOBILE, id("email", "r.sharma@example.org"));
    const result = classifyPair(probe, candidate);
    expect(result.kind).toBe("duplicate");
    expect(result.score).toBeGreaterThanOrEqual(0.9);
    expect(result.reasons).toContainEqual({ rule: "email", field: "props.email", match: "different" });
  });
});

describe("firms against people", () => {
  it("a company's PAN against a natural person's documents is a conflict: their shared mobile is a link", () => {
    const company = contact("Sharma Infotech Pvt Ltd", "corporate", MOBILE, id("pan", "AAACS1234F"));
    const director = contact("Rahul Sharma", "individual", MOBILE, DOB);
    const result = classifyPair(company, director);
    expect(result.kind).toBe("link");
    expect(result.reasons).toContainEqual({ rule: "pan", field: "props.pan", match: "different" });
    expect(classifyPair(director, company).kind).toBe("link");
  });

  it("a proprietorship (no PAN of its own) sharing the proprietor's mobile stays at 0.9 (API.md)", () => {
    const firm = contact("Sharma Traders", "corporate", MOBILE);
    const proprietor = contact("Rahul Sharma", "individual", MOBILE, DOB, id("pan", "ABCPS1234F"));
    expect(scoreMatch(firm, proprietor).score).toBeGreaterThanOrEqual(0.9);
  });
});

describe("initials in scoring", () => {
  it("'T. Sen' is 'Tapas Sen' with the same date of birth, not without", () => {
    const a = contact("T. Sen", "individual", DOB);
    const b = contact("Tapas Sen", "individual", DOB);
    expect(scoreMatch(a, b).score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(
      scoreMatch(contact("T. Sen", "individual"), contact("Tapas Sen", "individual")).score,
    ).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it("two different S. Kumars (different dates of birth) are not duplicates", () => {
    const a = contact("S. Kumar", "individual", DOB);
    const b = contact("S. Kumar", "individual", id("dob", "1991-02-03"));
    expect(scoreMatch(a, b).score).toBeLessThan(DEFAULT_THRESHOLD);
    expect(scoreMatch(a, contact("Suresh Kumar", "individual", id("dob", "1991-02-03"))).score).toBeLessThan(
      DEFAULT_THRESHOLD,
    );
  });

  it("an initial that does not fit the given name stays apart, even on the same date of birth", () => {
    expect(
      scoreMatch(contact("R. Kumar", "individual", DOB), contact("Suresh Kumar", "individual", DOB)).score,
    ).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it("siblings at one address on one phone, on the same date of birth (twins), are a link", () => {
    const a = contact("Rahul Sharma", "individual", MOBILE, DOB);
    const b = contact("Rohit Sharma", "individual", MOBILE, DOB);
    expect(classifyPair(a, b).kind).toBe("link");
  });

  it("a name in an Indic script with its Latin spelling and the same date of birth is a duplicate", () => {
    expect(
      scoreMatch(contact("राहुल शर्मा", "individual", DOB), contact("Rahul Sharma", "individual", DOB)).score,
    ).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
  });
});

describe("firms by name", () => {
  it("a company, partnership, trust or HUF named as such is not the person sharing its phone", () => {
    const person = contact("Vivek Gupta", "individual", MOBILE);
    for (const name of [
      "Vivek Industries Limited",
      "Gupta & Sons",
      "Gupta Brothers",
      "Vivek Gupta HUF",
      "Sai Seva Trust",
    ])
      expect(classifyPair(contact(name, "corporate", MOBILE), person).kind).toBe("link");
  });

  it("a proprietorship's trade name is not a legal entity of its own", () => {
    expect(
      classifyPair(
        contact("Gupta Traders", "corporate", MOBILE),
        contact("Vivek Gupta", "individual", MOBILE),
      ).kind,
    ).toBe("duplicate");
  });
});
