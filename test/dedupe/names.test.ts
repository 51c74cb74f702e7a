import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  jaroWinkler,
  nameBlockingKeys,
  nameSimilarity,
  nameTokens,
  phoneticKey,
} from "../../src/dedupe/names";

// Names as they arrive: letters, initials, honorifics, punctuation and the odd accent.
const nameArb = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "Rahul",
        "Sharma",
        "Priya",
        "Venkata",
        "Ramana",
        "D'Souza",
        "Kumar",
        "Mohd.",
        "Smt.",
        "Shri",
      ),
      fc.constantFrom("R.", "K", "M/s", "Pvt.", "Ltd", "HUF", "José", "&", "RK"),
      fc.stringMatching(/^[A-Za-z]{1,10}$/),
    ),
    { minLength: 0, maxLength: 5 },
  )
  .map((parts) => parts.join(" "));

describe("nameTokens", () => {
  it("lower-cases and drops punctuation and diacritics", () => {
    expect(nameTokens("RAHUL  SHARMA")).toEqual(["rahul", "sharma"]);
    expect(nameTokens("Rahul-Kumar Sharma,")).toEqual(["rahul", "kumar", "sharma"]);
    expect(nameTokens("José Ñúñez")).toEqual(["jose", "nunez"]);
    expect(nameTokens("John D'Souza")).toEqual(["john", "dsouza"]);
  });

  it("drops leading honorifics, but not name parts that look like them further on", () => {
    expect(nameTokens("Mr. Rahul Sharma")).toEqual(["rahul", "sharma"]);
    expect(nameTokens("Smt. Sunita Devi")).toEqual(["sunita", "devi"]);
    expect(nameTokens("Late Shri Ram Prasad")).toEqual(["ram", "prasad"]);
    expect(nameTokens("Dr. Mrs. Kavita Rao")).toEqual(["kavita", "rao"]);
    expect(nameTokens("Kumari Priya")).toEqual(["priya"]);
    expect(nameTokens("Priya Kumari")).toEqual(["priya", "kumari"]);
    expect(nameTokens("M/s. Sharma Traders")).toEqual(["sharma", "traders"]);
    expect(nameTokens("Messrs Sharma Traders")).toEqual(["sharma", "traders"]);
    expect(nameTokens("Shri")).toEqual(["shri"]); // a name that is only a title keeps it
  });

  it("keeps initials as single letters, split when written together", () => {
    expect(nameTokens("R. K. Sharma")).toEqual(["r", "k", "sharma"]);
    expect(nameTokens("R.K.Sharma")).toEqual(["r", "k", "sharma"]);
    expect(nameTokens("RK Sharma")).toEqual(["r", "k", "sharma"]);
    expect(nameTokens("A.P.J. Abdul Kalam")).toEqual(["a", "p", "j", "abdul", "kalam"]);
  });

  it("expands the abbreviations forms use for whole name parts", () => {
    expect(nameTokens("Md. Irfan")).toEqual(["mohammed", "irfan"]);
    expect(nameTokens("Mohd Irfan")).toEqual(["mohammed", "irfan"]);
    expect(nameTokens("Rajesh Kr. Singh")).toEqual(["rajesh", "kumar", "singh"]);
  });
});

describe("phoneticKey", () => {
  it("folds common romanisation variants of one Indic spelling together", () => {
    const same: [string, string][] = [
      ["sharma", "sarma"],
      ["pooja", "puja"],
      ["geeta", "gita"],
      ["lakshmi", "laxmi"],
      ["karthik", "kartik"],
      ["bhaskar", "baskar"],
      ["phani", "fani"],
      ["pallavi", "palavi"],
      ["aamir", "amir"],
      ["sanjay", "sanjai"],
      ["gaurav", "gourav"],
      ["krishna", "krishn"],
      ["banerjee", "banerji"],
      ["vikram", "wikram"],
      ["shah", "sha"],
      ["zubair", "jubair"],
      ["qureshi", "kureshi"],
    ];
    for (const [a, b] of same) expect(phoneticKey(a), `${a} / ${b}`).toBe(phoneticKey(b));
  });

  it("keeps different names apart", () => {
    const different: [string, string][] = [
      ["rahul", "rohit"],
      ["sunita", "anita"],
      ["gurpreet", "harpreet"],
      ["ram", "shyam"],
    ];
    for (const [a, b] of different) expect(phoneticKey(a), `${a} / ${b}`).not.toBe(phoneticKey(b));
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{0,14}$/), (token) => {
        const key = phoneticKey(token);
        expect(phoneticKey(key)).toBe(key);
      }),
    );
  });
});

describe("jaroWinkler", () => {
  it("gives textbook values", () => {
    expect(jaroWinkler("martha", "marhta")).toBeCloseTo(0.961, 3);
    expect(jaroWinkler("dwayne", "duane")).toBeCloseTo(0.84, 2);
    expect(jaroWinkler("abc", "abc")).toBe(1);
    expect(jaroWinkler("abc", "xyz")).toBe(0);
    expect(jaroWinkler("", "")).toBe(0);
  });
});

describe("nameSimilarity", () => {
  it("scores spellings of one name as the same", () => {
    const same: [string, string][] = [
      ["Rahul Sharma", "RAHUL SARMA"],
      ["Mr. Rahul Sharma", "Sharma, Rahul"],
      ["Pooja Gupta", "Smt. Puja Gupta"],
      ["Mohammed Irfan Khan", "Md. Irfan Khan"],
      ["Venkata Ramana Murthy", "Venkataramana Murthy"],
      ["Sharma Traders Pvt. Ltd.", "M/s Sharma Traders"],
      ["Sharma Traders Private Limited", "Sharma Traders"],
      ["John D'Souza", "John D Souza"],
    ];
    for (const [a, b] of same) expect(nameSimilarity(a, b), `${a} / ${b}`).toBe(1);
  });

  it("scores near spellings, dropped middle names and initials highly", () => {
    expect(nameSimilarity("Rahul Sharma", "Rahul Shrama")).toBeGreaterThan(0.9);
    expect(nameSimilarity("Rahul Sharma", "Rahul Kumar Sharma")).toBeGreaterThanOrEqual(0.85);
    expect(nameSimilarity("R. K. Sharma", "Rajesh Kumar Sharma")).toBeGreaterThanOrEqual(0.85);
    expect(nameSimilarity("Lakshmi Narayanan", "Laxmi Narayan")).toBeGreaterThan(0.9);
  });

  it("weighs an initial less than a whole name", () => {
    expect(nameSimilarity("R. Sharma", "Rahul Sharma")).toBeLessThan(
      nameSimilarity("Rahul Sharma", "Rahul Sharma"),
    );
    expect(nameSimilarity("R. Sharma", "Rahul Sharma")).toBeGreaterThan(
      nameSimilarity("S. Sharma", "Rahul Sharma"),
    );
  });

  it("keeps family members and namesakes of the surname apart", () => {
    const different: [string, string][] = [
      ["Rahul Sharma", "Rohit Sharma"],
      ["Gurpreet Singh", "Harpreet Singh"],
      ["Sunita Devi", "Anita Devi"],
      ["Sandeep Kumar", "Pradeep Kumar"],
      ["Priya Patel", "Rahul Shah"],
    ];
    for (const [a, b] of different) expect(nameSimilarity(a, b), `${a} / ${b}`).toBeLessThanOrEqual(0.5);
  });

  it("is 0 when either name has no tokens", () => {
    expect(nameSimilarity("", "Rahul")).toBe(0);
    expect(nameSimilarity("Mr.", "")).toBe(0);
    expect(nameSimilarity("...", "!!!")).toBe(0);
  });

  it("is symmetric and in [0, 1]", () => {
    fc.assert(
      fc.property(nameArb, nameArb, (a, b) => {
        const ab = nameSimilarity(a, b);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(1);
        expect(nameSimilarity(b, a)).toBe(ab);
      }),
      { numRuns: 500 },
    );
  });

  it("is 1 for a name against itself", () => {
    fc.assert(
      fc.property(nameArb, (a) => {
        fc.pre(nameTokens(a).length > 0);
        expect(nameSimilarity(a, a)).toBe(1);
      }),
    );
  });

  it("does not depend on the order of name parts", () => {
    const parts = fc.array(
      fc.constantFrom("Rahul", "Sharma", "Priya", "Venkata", "Irfan", "Khan", "R.", "K"),
      {
        minLength: 1,
        maxLength: 4,
      },
    );
    fc.assert(
      fc.property(parts, (p) => {
        fc.pre(p.some((w) => w.length > 2));
        expect(nameSimilarity(p.join(" "), [...p].reverse().join(" "))).toBe(1);
      }),
    );
  });
});

describe("nameBlockingKeys", () => {
  it("indexes sorted pairs of consonant skeletons of the full name parts", () => {
    // Skeletons fold voicing, b/v, ch/j/s and k/g/h (letters the Indic scripts do not all tell apart).
    expect(nameBlockingKeys("Rahul Kumar Sharma")).toEqual(["crm|kmr", "crm|rkl", "kmr|rkl"]);
    expect(nameBlockingKeys("Rahul Sharma")).toEqual(["crm|rkl"]);
  });

  it("puts keys anchored on the date of birth first", () => {
    expect(nameBlockingKeys("Rahul Sharma", { dob: ["1980-02-03"] })).toEqual([
      "^cr@1980-02-03",
      "crm@1980-02-03",
      "rkl@1980-02-03",
      "crm|rkl",
    ]);
  });

  it("meets vowel spelling variants ('Mohammad' / 'Mohammed' / 'Muhammad')", () => {
    const key = nameBlockingKeys("Mohammed Salim");
    for (const variant of ["Mohammad Salim", "Muhammad Saleem", "MOHAMED SALIM"]) {
      expect(nameBlockingKeys(variant), variant).toEqual(key);
    }
  });

  it("uses the single key of a one-part name, ignoring initials", () => {
    expect(nameBlockingKeys("Lalremruata")).toEqual(["llrmrt"]);
    expect(nameBlockingKeys("K. Karthik")).toEqual(["krtk"]);
    expect(nameBlockingKeys("")).toEqual([]);
  });

  it("meets the same person through order, case, honorifics, suffixes and spelling", () => {
    const key = nameBlockingKeys("Rahul Sharma")[0];
    for (const variant of ["SHARMA RAHUL", "Mr. Rahul Sarma", "Shri Rahul Kumar Sharma", "R. Rahul Sharma"]) {
      expect(nameBlockingKeys(variant), variant).toContain(key);
    }
    expect(nameBlockingKeys("M/s Sharma Traders Pvt Ltd")).toEqual(nameBlockingKeys("Sharma Traders"));
  });

  it("yields at most 6 keys", () => {
    expect(nameBlockingKeys("Anil Bharat Chandra Dev Eshwar Farhan Gopal")).toHaveLength(6);
    fc.assert(
      fc.property(nameArb, (name) => {
        expect(nameBlockingKeys(name).length).toBeLessThanOrEqual(6);
      }),
    );
  });
});
