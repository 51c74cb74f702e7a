import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  extractIdentifiers,
  type Identifier,
  type IdentifierKind,
  STRONG_KINDS,
} from "../../src/dedupe/identifiers";
import { DEFAULT_LIMIT, DEFAULT_THRESHOLD, type DedupeFeatures, scoreMatch } from "../../src/dedupe/scoring";

const id = (kind: IdentifierKind, value: string, field = `props.${kind}`): Identifier => ({
  kind,
  value,
  field,
});
const person = (name: string | null, ...identifiers: Identifier[]): DedupeFeatures => ({
  name,
  type: "individual",
  identifiers,
});

// One sample value per kind, and a second, different one.
const SAMPLE: Record<IdentifierKind, [string, string]> = {
  pan: ["ABCPS1234F", "XYZPS9876K"],
  gstin: ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4"],
  aadhaar: ["a".repeat(64), "b".repeat(64)],
  mobile: ["+919876543210", "+918765432109"],
  email: ["rahul@example.com", "priya@example.com"],
  passport: ["J1234567", "K7654321"],
  voter_id: ["ABC1234567", "XYZ7654321"],
  driving_licence: ["MH1220110012345", "DL0420110149646"],
  dob: ["1985-03-12", "1990-07-01"],
  bank_account: ["SBIN0001234:123456789012", "HDFC0000001:99887766"],
};

describe("scoreMatch", () => {
  it("gives an exact strong identifier of every kind at least 0.9, on its own", () => {
    for (const kind of STRONG_KINDS) {
      const value = SAMPLE[kind][0];
      const { score, reasons } = scoreMatch(
        { name: null, type: null, identifiers: [id(kind, value)] },
        { name: null, type: null, identifiers: [id(kind, value, "props.other_key")] },
      );
      expect(score, kind).toBeGreaterThanOrEqual(0.9);
      expect(reasons, kind).toEqual([{ rule: kind, field: "props.other_key", match: "exact" }]);
    }
  });

  it("reports every rule that fired, identifiers first, with the candidate's fields", () => {
    const probe = person("Rahul Sharma", id("pan", SAMPLE.pan[0]), id("dob", SAMPLE.dob[0]));
    const candidate = person(
      "Mr. Rahul Sarma",
      id("pan", SAMPLE.pan[0], "props.pan_no"),
      id("mobile", SAMPLE.mobile[0]),
      id("dob", SAMPLE.dob[0], "props.date_of_birth"),
    );
    const { score, reasons } = scoreMatch(probe, candidate);
    expect(score).toBe(1);
    expect(reasons).toEqual([
      { rule: "pan", field: "props.pan_no", match: "exact" },
      { rule: "name", field: "name", match: "exact" },
      { rule: "dob", field: "props.date_of_birth", match: "exact" },
      { rule: "type", field: "type", match: "exact" },
    ]);
  });

  it("does not let a name alone reach the threshold, but a name with a date of birth does", () => {
    const nameOnly = scoreMatch(person("Rahul Sharma"), person("Rahul Sharma"));
    expect(nameOnly.score).toBeLessThan(DEFAULT_THRESHOLD);
    const withDob = scoreMatch(
      person("Rahul Sharma", id("dob", SAMPLE.dob[0])),
      person("RAHUL SHARMA", id("dob", SAMPLE.dob[0])),
    );
    expect(withDob.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    const otherDob = scoreMatch(
      person("Rahul Sharma", id("dob", SAMPLE.dob[0])),
      person("Rahul Sharma", id("dob", SAMPLE.dob[1])),
    );
    expect(otherDob.score).toBe(nameOnly.score); // a different dob adds nothing, takes nothing
  });

  it("lowers a shared mobile below the threshold when the PANs differ (a household)", () => {
    const shared = id("mobile", SAMPLE.mobile[0]);
    const husband = person("Rahul Sharma", shared, id("pan", SAMPLE.pan[0]));
    const wife = person("Priya Sharma", shared, id("pan", SAMPLE.pan[1]));
    const { score, reasons } = scoreMatch(husband, wife);
    expect(score).toBeLessThan(DEFAULT_THRESHOLD);
    expect(reasons).toContainEqual({ rule: "pan", field: "props.pan", match: "different" });
    expect(reasons).toContainEqual({ rule: "mobile", field: "props.mobile", match: "exact" });
    // Without PANs, a shared mobile between two differently named people is still a household...
    expect(scoreMatch(husband, { ...wife, identifiers: [shared] }).score).toBeLessThan(DEFAULT_THRESHOLD);
    // ...while the same name, or a probe that gives no name, makes the shared mobile decisive.
    expect(scoreMatch(husband, { ...husband, name: "Rahul K Sharma" }).score).toBeGreaterThanOrEqual(0.9);
    expect(scoreMatch({ name: null, type: null, identifiers: [shared] }, wife).score).toBeGreaterThanOrEqual(
      0.9,
    );
    // A firm and its proprietor differ in name by nature: a shared mobile still links them.
    const firm = { name: "Sharma Traders", type: "corporate" as const, identifiers: [shared] };
    expect(scoreMatch(firm, { ...husband, identifiers: [shared] }).score).toBeGreaterThanOrEqual(0.9);
  });

  it("lowers a shared mobile when the emails differ, unless the names agree", () => {
    const shared = id("mobile", SAMPLE.mobile[0]);
    const a = person("Rahul Sharma", shared, id("email", SAMPLE.email[0]));
    const b = person("Priya Sharma", shared, id("email", SAMPLE.email[1]));
    expect(scoreMatch(a, b).score).toBeLessThan(DEFAULT_THRESHOLD);
    expect(scoreMatch(a, { ...b, name: "Rahul Sharma" }).score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
  });

  it("keeps an exact identity document at 0.9 or more despite another conflicting", () => {
    const a = person("Rahul Sharma", id("pan", SAMPLE.pan[0]), id("passport", SAMPLE.passport[0]));
    const b = person("Rahul Sharma", id("pan", SAMPLE.pan[0]), id("passport", SAMPLE.passport[1]));
    const withConflict = scoreMatch(a, b);
    const without = scoreMatch(a, { ...b, identifiers: [id("pan", SAMPLE.pan[0])] });
    expect(withConflict.score).toBeGreaterThanOrEqual(0.9);
    expect(withConflict.score).toBeLessThan(without.score);
    expect(withConflict.reasons).toContainEqual({
      rule: "passport",
      field: "props.passport",
      match: "different",
    });
  });

  it("calls a document number one keystroke away similar, not different", () => {
    const a = person("Rahul Sharma", id("pan", "ABCPS1234F"), id("dob", SAMPLE.dob[0]));
    const b = person("Rahul Sharma", id("pan", "ABCPS1243F"), id("dob", SAMPLE.dob[0]));
    const { score, reasons } = scoreMatch(a, b);
    expect(reasons[0]).toEqual({ rule: "pan", field: "props.pan", match: "similar" });
    expect(score).toBeGreaterThan(scoreMatch({ ...a, identifiers: [a.identifiers[1]!] }, b).score);
  });

  it("links a proprietorship's GSTIN to its proprietor's PAN", async () => {
    const firm = await extractIdentifiers([{ key: "gstin", value: "27AAPFU0939F1ZV" }], [], "k");
    const owner = await extractIdentifiers([{ key: "pan_no", value: "aapfu0939f" }], [], "k");
    const { score, reasons } = scoreMatch(
      { name: "Sharma Traders", type: "corporate", identifiers: firm },
      { name: "Rahul Sharma", type: "individual", identifiers: owner },
    );
    expect(score).toBeGreaterThanOrEqual(0.9);
    expect(reasons).toEqual([{ rule: "pan", field: "props.pan_no", match: "exact" }]);
  });

  it("exports the API defaults", () => {
    expect(DEFAULT_THRESHOLD).toBe(0.5);
    expect(DEFAULT_LIMIT).toBe(10);
  });
});

// Features drawn from a small pool so that exact, similar and conflicting identifiers all occur.
const POOL: Identifier[] = [
  ...(Object.entries(SAMPLE) as [IdentifierKind, [string, string]][]).flatMap(([kind, values]) =>
    values.map((v) => id(kind, v)),
  ),
  id("pan", "ABCPS1234G"), // one keystroke from the first sample PAN
  id("email", "rahul@example.co"),
];
const featuresArb: fc.Arbitrary<DedupeFeatures> = fc.record({
  name: fc.option(
    fc.constantFrom("Rahul Sharma", "Rahul Sarma", "Priya Sharma", "R. Sharma", "Sharma Traders"),
  ),
  type: fc.option(fc.constantFrom("individual" as const, "corporate" as const)),
  identifiers: fc.uniqueArray(fc.constantFrom(...POOL), { maxLength: 6 }),
});

describe("scoreMatch properties", () => {
  it("scores in [0, 1], rounded to 2 decimals, the same both ways round", () => {
    fc.assert(
      fc.property(featuresArb, featuresArb, (a, b) => {
        const { score } = scoreMatch(a, b);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
        expect(Math.round(score * 100) / 100).toBe(score);
        expect(scoreMatch(b, a).score).toBe(score);
      }),
      { numRuns: 500 },
    );
  });

  it("never puts an identifier value into a reason", () => {
    fc.assert(
      fc.property(featuresArb, featuresArb, (a, b) => {
        const text = JSON.stringify(scoreMatch(a, b).reasons);
        for (const identifier of [...a.identifiers, ...b.identifiers]) {
          expect(text).not.toContain(identifier.value);
          // Not even partly: no 4-character run of a value either.
          for (let i = 0; i + 4 <= identifier.value.length; i++) {
            const run = identifier.value.slice(i, i + 4);
            if (/[0-9]/.test(run)) expect(text).not.toContain(run);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("an exact strong identifier with nothing conflicting scores at least 0.9", () => {
    fc.assert(
      fc.property(featuresArb, fc.constantFrom(...POOL.filter((i) => i.kind !== "dob")), (b, shared) => {
        const a: DedupeFeatures = { name: null, type: null, identifiers: [shared] };
        const candidate = {
          ...b,
          identifiers: [...b.identifiers.filter((i) => i.kind !== shared.kind), shared],
        };
        expect(scoreMatch(a, candidate).score).toBeGreaterThanOrEqual(0.9);
      }),
    );
  });

  it("name, type and date of birth only ever add weight (except a disagreeing name on a contact-point-only match)", () => {
    const CONTACT_POINTS = ["mobile", "email", "bank_account"];
    const restsOnContactPoint = (a: DedupeFeatures, b: DedupeFeatures) =>
      a.identifiers.some(
        (x) =>
          CONTACT_POINTS.includes(x.kind) &&
          b.identifiers.some((y) => y.kind === x.kind && y.value === x.value),
      );
    fc.assert(
      fc.property(featuresArb, featuresArb, fc.constantFrom(...SAMPLE.dob), (a, b, dob) => {
        fc.pre(!restsOnContactPoint(a, b));
        const bare = (f: DedupeFeatures): DedupeFeatures => ({
          name: null,
          type: null,
          identifiers: f.identifiers.filter((i) => i.kind !== "dob"),
        });
        const base = scoreMatch(bare(a), bare(b)).score;
        const withName = scoreMatch({ ...bare(a), name: a.name }, { ...bare(b), name: b.name }).score;
        const withType = scoreMatch({ ...bare(a), type: a.type }, { ...bare(b), type: b.type }).score;
        const withDob = scoreMatch(
          { ...bare(a), identifiers: [...bare(a).identifiers, id("dob", dob)] },
          { ...bare(b), identifiers: [...bare(b).identifiers, id("dob", SAMPLE.dob[0])] },
        ).score;
        expect(withName).toBeGreaterThanOrEqual(base);
        expect(withType).toBeGreaterThanOrEqual(base);
        expect(withDob).toBeGreaterThanOrEqual(base);
      }),
      { numRuns: 500 },
    );
  });

  it("a conflicting identity document never raises the score", () => {
    const identityKinds: IdentifierKind[] = ["pan", "aadhaar", "passport", "voter_id", "driving_licence"];
    fc.assert(
      fc.property(featuresArb, featuresArb, fc.constantFrom(...identityKinds), (a, b, kind) => {
        const strip = (f: DedupeFeatures) => ({
          ...f,
          identifiers: f.identifiers.filter((i) => i.kind !== kind),
        });
        const base = scoreMatch(strip(a), strip(b)).score;
        const conflicting = scoreMatch(
          { ...strip(a), identifiers: [...strip(a).identifiers, id(kind, SAMPLE[kind][0])] },
          { ...strip(b), identifiers: [...strip(b).identifiers, id(kind, SAMPLE[kind][1])] },
        ).score;
        expect(conflicting).toBeLessThanOrEqual(base);
      }),
      { numRuns: 500 },
    );
  });
});
