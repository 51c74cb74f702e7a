import { describe, expect, it } from "vitest";
import { addressPlaces } from "../../src/dedupe/address";
import { identifierRows, scoringFeatures } from "../../src/dedupe/dedupe.repository";
import { type Identifier, type IdentifierKind, panOfGstin } from "../../src/dedupe/identifiers";
import {
  NAME_KEYS_VERSION,
  nameBlockingKeys,
  nameSignals,
  nameSimilarity,
  namesBusiness,
  namesProprietorOf,
} from "../../src/dedupe/names";
import { DEFAULT_THRESHOLD, type DedupeFeatures, scoreMatch } from "../../src/dedupe/scoring";
import { panHalves, readPanSignal, type Signal, signalsOf } from "../../src/dedupe/signals";

const KEY = "signals-test-key";
const prop = (key: string, value: string) => ({ key, value });
const id = (kind: IdentifierKind, value: string, field = `props.${kind}`): Identifier => ({
  kind,
  value,
  field,
});
const place = (value: string, field = "props.address"): Signal => ({ kind: "address", value, field });
const person = (name: string, identifiers: Identifier[] = [], signals: Signal[] = []): DedupeFeatures => ({
  name,
  type: "individual",
  identifiers,
  signals,
});

describe("addressPlaces", () => {
  it("reads the house number at the PIN code, in any of the usual spellings", () => {
    for (const address of [
      "12, MG Road, Bengaluru 560001",
      "No. 12 M.G. Rd., Bangalore - 560 001",
      "12 MG Road Bengaluru Karnataka 560001 India",
      "१२, एमजी रोड, बेंगलुरु ५६०००१", // Devanagari digits
    ]) {
      expect(addressPlaces([prop("address", address)]), address).toEqual([
        { value: "560001/12", field: "props.address" },
      ]);
    }
    expect(addressPlaces([prop("Permanent Address", "B-204, Sector 15, Noida 201301")])).toEqual([
      { value: "201301/B204", field: "props.Permanent Address" },
    ]);
  });

  it("gives nothing without both a PIN code and a house number, nor for other keys", () => {
    expect(addressPlaces([prop("address", "MG Road, Bengaluru 560001")])).toEqual([]);
    expect(addressPlaces([prop("address", "12, MG Road, Bengaluru")])).toEqual([]);
    expect(addressPlaces([prop("address", "12, MG Road, 056000")])).toEqual([]); // no PIN starts with 0
    expect(addressPlaces([prop("occupation", "12, MG Road, Bengaluru 560001")])).toEqual([]);
    expect(addressPlaces([{ key: "address", value: 560001 }])).toEqual([]);
  });

  it("keeps the places of at most three addresses, deduplicated and sorted", () => {
    const props = [
      prop("address", "9, A Street, Pune 411001"),
      prop("current_address", "9 A St, Pune 411001"),
      prop("permanent_address", "3, B Lane, Agra 282001"),
      prop("office_address", "7, C Road, Delhi 110001"),
    ];
    expect(addressPlaces(props).map((p) => p.value)).toEqual(["282001/3", "411001/9"]);
  });
});

describe("signalsOf", () => {
  it("keeps, per PAN (and the PAN a GSTIN embeds), its holder-type letter and two half hashes", async () => {
    const signals = await signalsOf([prop("pan_no", "abcfk 1234 q"), prop("gstin", "27AAPFU0939F1ZV")], KEY);
    const pans = signals.filter((s) => s.kind === "pan_sig");
    expect(pans.map((s) => s.field)).toEqual(["props.pan_no", "props.gstin"]);
    expect(panOfGstin("27AAPFU0939F1ZV").charAt(3)).toBe("F");
    for (const { value } of pans) {
      // The category letter in clear; the halves only as 64-bit keyed hashes, never a part of the PAN.
      expect(value).toMatch(/^F\.[0-9a-f]{16}\.[0-9a-f]{16}$/);
      expect(readPanSignal(value).holder).toBe("F");
      expect(readPanSignal(value).halves).toHaveLength(2);
    }
    for (const part of ["ABCFK", "1234", "AAPFU", "0939"])
      expect(JSON.stringify(signals)).not.toContain(part);
    // The same PAN under two props is kept once.
    const twice = await signalsOf([prop("pan", "AAPFU0939F"), prop("gstin", "27AAPFU0939F1ZV")], KEY);
    expect(twice.filter((s) => s.kind === "pan_sig")).toHaveLength(1);
  });

  it("gives a PAN keyed with one wrong character exactly one half hash in common", async () => {
    const halves = async (pan: string) =>
      new Set(
        (await signalsOf([prop("pan", pan)], KEY))
          .filter((s) => s.kind === "pan_sig")
          .flatMap((s) => readPanSignal(s.value).halves),
      );
    const right = await halves("ABCPK1234F");
    for (const typo of ["ABDPK1234F", "ABCPK1284F", "ABCPK1234G", "BACPK1234F"]) {
      const wrong = await halves(typo);
      expect(
        [...wrong].filter((h) => right.has(h)),
        typo,
      ).toHaveLength(1);
    }
    // Another person's PAN shares neither half.
    const other = await halves("XYZPQ9876R");
    expect([...other].filter((h) => right.has(h))).toHaveLength(0);
    expect(panHalves("ABCPK1234F")).toEqual(["ABCPK*****", "*****1234F"]);
  });

  it("ignores invalid PANs and non-string values", async () => {
    expect(await signalsOf([prop("pan", "ABCXK1234F"), { key: "pan", value: 5 }], KEY)).toEqual([]);
  });

  it("lands in the index rows as written, and in scoring's features, never in the identifiers", async () => {
    const rows = await identifierRows(
      "Prashant Shinde",
      [
        prop("pan", "ABCPS1234F"),
        prop("address", "301, Civil Lines, Ludhiana 141001"),
        prop("dob", "1976-05-15"),
      ],
      KEY,
    );
    const kinds = rows.map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(["pan", "pan_sig", "address", "dob", "name"]));
    expect(rows.find((r) => r.kind === "pan")?.value).not.toBe("ABCPS1234F"); // hashed
    expect(rows.filter((r) => r.kind === "name").map((r) => r.value)).toContain("prcnt#141001/301");
    const features = scoringFeatures("Prashant Shinde", "individual", rows);
    expect(features.identifiers.map((i) => i.kind).sort()).toEqual(["dob", "pan"]);
    expect(features.signals?.map((s) => s.kind).sort()).toEqual(["address", "pan_sig"]);
  });
});

describe("name keys anchored on a place", () => {
  it("came with version 3 of the name keys (the current one is later)", () => {
    expect(NAME_KEYS_VERSION).toBeGreaterThanOrEqual(3);
  });

  it("let a typo'd or reordered name meet its record at the same house, and nowhere else", () => {
    const at = (name: string, p: string) => nameBlockingKeys(name, nameSignals([place(p)]));
    const shares = (a: string[], b: string[]) => a.some((k) => b.includes(k));
    // "Prashant Shide" shares no plain key with "Shinde Prashant" (the typo moves the skeleton).
    expect(shares(nameBlockingKeys("Shinde Prashant"), nameBlockingKeys("Prashant Shide"))).toBe(false);
    expect(shares(at("Shinde Prashant", "141001/301"), at("Prashant Shide", "141001/301"))).toBe(true);
    expect(shares(at("Shinde Prashant", "141001/301"), at("Prashant Shide", "141001/302"))).toBe(false);
  });

  it("let 'S. Kumar' meet only the Kumars of that house, never every Kumar", () => {
    const sKumar = nameBlockingKeys("S. Kumar", nameSignals([place("560001/12")]));
    const atHome = nameBlockingKeys("Suresh Kumar", nameSignals([place("560001/12")]));
    const elsewhere = nameBlockingKeys("Suresh Kumar", nameSignals([place("560001/14")]));
    const unplaced = nameBlockingKeys("Sunil Kumar");
    expect(sKumar.filter((k) => atHome.includes(k))).toEqual(["kmr#560001/12"]);
    expect(sKumar.filter((k) => elsewhere.includes(k) || unplaced.includes(k))).toEqual([]);
    // The plain key of a single-part name is that part: "S. Kumar" is keyed as "Kumar" alone, which
    // no two-part name carries (pairs only), so the Kumars at large never meet it.
    expect(unplaced).not.toContain("kmr");
  });

  it("stay bounded: at most 2 places of 4 name parts each", () => {
    const signals = nameSignals(["1/1", "2/2", "3/3"].map((v) => place(`56000${v}`)));
    const keys = nameBlockingKeys("Anil Bharat Chandra Dev Eshwar", signals);
    expect(keys.filter((k) => k.includes("#"))).toHaveLength(8);
  });
});

describe("names: typos, businesses, proprietors", () => {
  it("reads one keying error in a long name part as the same name", () => {
    expect(nameSimilarity("Mary Pereira", "Mary Peeira")).toBeGreaterThanOrEqual(0.9);
    expect(nameSimilarity("Anil Kapoor", "Anil Kaphor")).toBeGreaterThanOrEqual(0.9);
    expect(nameSimilarity("Krishna Raju", "Krishna Rauj")).toBeGreaterThanOrEqual(0.9); // a swap
    // Not a different first letter.
    expect(nameSimilarity("Ramesh Gupta", "Dinesh Gupta")).toBeLessThan(0.7);
  });

  it("knows a business by M/s, a legal form or a trade word", () => {
    for (const name of [
      "New Verma Steels",
      "M/s Sharma",
      "Sri Balaji Medical Stores",
      "Gupta & Sons",
      "ABC Pvt Ltd",
    ])
      expect(namesBusiness(name), name).toBe(true);
    // "New" leads no one's name; a trade word keyed with one error is still one.
    expect(namesBusiness("New Verma Stheels")).toBe(true);
    expect(namesBusiness("Sri Shiv Harrdware")).toBe(true);
    for (const name of ["Ravi Verma", "Steelman Kumar", "Sri Lakshmi", "Messi Roy", "New"])
      expect(namesBusiness(name), name).toBe(false);
  });

  it("knows a firm named after its owner's given name, not after a family name", () => {
    expect(namesProprietorOf("Imran Jewellers", "Imran Mirza")).toBe(true);
    expect(namesProprietorOf("M/s New Imran Traders", "Imran Mirza")).toBe(true);
    expect(namesProprietorOf("Mirza Motors", "Imran Mirza")).toBe(false); // any Mirza of the house
    expect(namesProprietorOf("Imran Mirza Traders", "Imran Mirza")).toBe(false);
    expect(namesProprietorOf("Imran Jewellers", "Imran")).toBe(false); // one part: given or family?
    expect(namesProprietorOf("Imran Jewellers", "I. Mirza")).toBe(false);
    // "Mohammed" leads many names of one family: the given name is the next part.
    expect(namesProprietorOf("Md. Steels", "Mohammed Rashid Siddiqui")).toBe(false);
    expect(namesProprietorOf("Rashid Steels", "Mohammed Rashid Siddiqui")).toBe(true);
  });
});

describe("scoreMatch with signals", () => {
  const home = place("141001/301");
  const dob = id("dob", "1976-05-15");

  it("counts a shared place for one name, however spelt, ordered or titled: a duplicate", () => {
    const { score, reasons } = scoreMatch(
      person("Shinde Prashant", [], [home]),
      person("Shri PRASANT SHINDE", [], [place("141001/301", "props.current_address")]),
    );
    expect(score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    // It weighs without a reason of its own (API.md's rule names have no address).
    expect(reasons.map((r) => r.rule)).toEqual(["name", "type"]);
    // Without the place, the same names are not enough.
    expect(scoreMatch(person("Shinde Prashant"), person("Shri PRASANT SHINDE")).score).toBeLessThan(
      DEFAULT_THRESHOLD,
    );
    // A name a letter off at the house is not counted: it could be a brother (below).
    const typo = scoreMatch(person("Shinde Prashant", [], [home]), person("Prashant Shide", [], [home]));
    expect(typo.score).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it("never counts a place for a household: other given names, an initial, other dates of birth", () => {
    for (const [a, b] of [
      ["Sunita Deshpande", "Rajesh Deshpande"],
      ["Ramesh Kumar", "Suresh Kumar"],
      ["Rajesh Sharma", "Rakesh Sharma"], // brothers a letter apart, as alike as a typo
      ["S. Kumar", "Suresh Kumar"], // an initial is read as a name with a dob or a contact point only
      ["N Hussain", "Nazia Hussain"],
    ] as const) {
      const { score } = scoreMatch(person(a, [], [home]), person(b, [], [home]));
      expect(score, `${a} / ${b}`).toBeLessThan(DEFAULT_THRESHOLD);
    }
    // Twins or namesakes in a house, born on different days.
    const { score } = scoreMatch(
      person("Prashant Shinde", [dob], [home]),
      person("Prashant Shinde", [id("dob", "1990-01-01")], [home]),
    );
    expect(score).toBeLessThan(DEFAULT_THRESHOLD);
    // With the date of birth agreeing, "S. Kumar" is read as Suresh (as before).
    expect(
      scoreMatch(person("S. Kumar", [dob], [home]), person("Suresh Kumar", [dob], [home])).score,
    ).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
  });

  it("only ever adds weight for a place", () => {
    for (const [a, b] of [
      ["Prashant Shinde", "Prashant Shinde"],
      ["Ramesh Kumar", "Suresh Kumar"],
      ["Rajesh Sharma", "Rakesh Sharma"], // brothers a letter apart, as alike as a typo
      ["Imran Mirza", "Imran Jewellers"],
    ] as const) {
      const without = scoreMatch(person(a, [dob]), person(b)).score;
      const withPlace = scoreMatch(person(a, [dob], [home]), person(b, [], [home])).score;
      expect(withPlace).toBeGreaterThanOrEqual(without);
    }
  });

  it("reads a firm named after its owner, at the owner's house, as the owner", () => {
    const firm = (signals: Signal[]): DedupeFeatures => ({
      name: "Imran Jewellers",
      type: "corporate",
      identifiers: [],
      signals,
    });
    const owner = person("Imran Mirza", [dob], [home]);
    expect(scoreMatch(owner, firm([home])).score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(scoreMatch(firm([home]), owner).score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(scoreMatch(owner, firm([])).score).toBeLessThan(DEFAULT_THRESHOLD); // the name alone: no
    // A firm named after the family ("Mirza Jewellers") is any Mirza's of the house.
    expect(scoreMatch(owner, { ...firm([home]), name: "Mirza Jewellers" }).score).toBeLessThan(
      DEFAULT_THRESHOLD,
    );
  });

  it("reads the holder type of a hashed PAN from its pan_sig signal", () => {
    const mobile = id("mobile", "+919876543210");
    // The director's record shows no PAN, the firm's does: its holder type alone tells them apart.
    const director = person("Rakesh Gupta", [mobile, id("dob", "1970-01-01")]);
    const firm: DedupeFeatures = {
      name: "Ganesh Traders",
      type: "corporate",
      identifiers: [mobile, id("pan", "b".repeat(64))],
      signals: [{ kind: "pan_sig", value: "F.1111111111111111.2222222222222222", field: "props.pan" }],
    };
    const { score, reasons } = scoreMatch(director, firm);
    expect(score).toBeLessThan(DEFAULT_THRESHOLD);
    expect(reasons).toContainEqual({ rule: "pan", field: "props.pan", match: "different" });
    // Without the signal the hashes tell nothing of the holder: the shared mobile decides.
    const blind = scoreMatch({ ...director, signals: [] }, { ...firm, signals: [] });
    expect(blind.score).toBeGreaterThanOrEqual(0.9);
  });

  it("reads a shared half-PAN hash as one keying error: similar, not a conflicting PAN", () => {
    const mobile = id("mobile", "+919876543210");
    const sig = (h1: string, h2: string): Signal => ({
      kind: "pan_sig",
      value: `P.${h1.repeat(16)}.${h2.repeat(16)}`,
      field: "props.pan",
    });
    const a = person("Sana Hussain", [mobile, dob, id("pan", "a".repeat(64))], [sig("1", "2")]);
    const b = person("Sana Hussain", [mobile, dob, id("pan", "b".repeat(64))], [sig("1", "3")]);
    const { score, reasons } = scoreMatch(a, b);
    expect(score).toBeGreaterThanOrEqual(0.9);
    expect(reasons).toContainEqual({ rule: "pan", field: "props.pan", match: "similar" });
    const other = person("Sana Hussain", [mobile, dob, id("pan", "c".repeat(64))], [sig("4", "5")]);
    expect(scoreMatch(a, other).reasons).toContainEqual({
      rule: "pan",
      field: "props.pan",
      match: "different",
    });
    expect(scoreMatch(a, other).score).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it("reads an untyped record with a business name as a business's", () => {
    const mobile = id("mobile", "+919876543210");
    const owner = person("Ravi Verma", [mobile]);
    const untyped = (name: string): DedupeFeatures => ({ name, type: null, identifiers: [mobile] });
    // A person and a firm sharing a phone: the firm is its owner's (API.md: types differ).
    expect(scoreMatch(owner, untyped("New Verma Steels")).score).toBeGreaterThanOrEqual(0.9);
    expect(scoreMatch(owner, untyped("NEW VERMA STHEELS")).score).toBeGreaterThanOrEqual(0.9);
    // A firm named after its owner on the owner's phone, the owner's record untyped.
    const firm: DedupeFeatures = { name: "Shabana Medical Stores", type: "corporate", identifiers: [mobile] };
    expect(scoreMatch(firm, untyped("Shabana Ansari")).score).toBeGreaterThanOrEqual(0.9);
    // Two people sharing a phone with names disagreeing: a household, as before.
    expect(scoreMatch(owner, person("Sunita Verma", [mobile])).score).toBeLessThan(DEFAULT_THRESHOLD);
    // Without a type, and a name that does not say one, the pair is not known to be of the same type:
    // API.md's exception does not apply and the shared contact point keeps its floor.
    expect(scoreMatch(owner, untyped("Sunita Verma")).score).toBeGreaterThanOrEqual(0.9);
    expect(scoreMatch(untyped("Sunita Verma"), owner).score).toBeGreaterThanOrEqual(0.9);
  });
});
