import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareNames, nameBlockingKeys, nameSimilarity } from "../../src/dedupe/names";
import {
  CONSONANTS,
  consonantOf,
  type IndicScript,
  SCRIPT_BLOCKS,
  transliterate,
  VOWEL_SIGNS,
  VOWELS,
} from "../../src/dedupe/transliterate";

const assigned = (cp: number) => !/\p{Cn}/u.test(String.fromCodePoint(cp));
const isLetter = (cp: number) => /\p{Lo}/u.test(String.fromCodePoint(cp));
const isVowelSign = (offset: number) => offset >= 0x3e && offset <= 0x4c && offset !== 0x4d;

describe("transliterate tables", () => {
  it.each(SCRIPT_BLOCKS.map(([script, base]) => [script, base] as const))(
    "every consonant and vowel (letter or sign) of %s maps to Latin letters",
    (script, base) => {
      for (let offset = 0x05; offset <= 0x39; offset++) {
        const cp = base + offset;
        if (!assigned(cp)) continue;
        const ch = String.fromCodePoint(cp);
        if (isLetter(cp)) {
          const latin = consonantOf(script as IndicScript, offset) ?? VOWELS[offset];
          expect(latin, `${script} ${ch} U+${cp.toString(16)}`).toMatch(/^[a-z]+$/);
          expect(transliterate(ch)).toMatch(/^[a-z]+$/);
        }
      }
      for (let offset = 0x3e; offset <= 0x4c; offset++) {
        const cp = base + offset;
        if (!assigned(cp) || !isVowelSign(offset)) continue;
        expect(VOWEL_SIGNS[offset], `${script} sign U+${cp.toString(16)}`).toBeDefined();
        // A consonant with the sign: the sign's vowel replaces the inherent "a".
        const ka = String.fromCodePoint(base + 0x15);
        expect(transliterate(`${ka}${String.fromCodePoint(cp)}`)).toBe(`k${VOWEL_SIGNS[offset]}`);
      }
    },
  );

  it("shares one table across the nine scripts: ka, ma, ra at the same offsets", () => {
    for (const [, base] of SCRIPT_BLOCKS) {
      expect(CONSONANTS[0x15]).toBe("k");
      expect(transliterate(String.fromCodePoint(base + 0x2e, base + 0x3e))).toBe("maa");
    }
  });

  it("romanises real names as they are commonly spelt", () => {
    const cases: [string, string][] = [
      ["राहुल शर्मा", "raahul sharmaa"],
      ["संजय", "sanjay"],
      ["चंपा", "champaa"],
      ["ज़ैनब", "zainab"],
      ["कृष्ण", "krishna"],
      ["তাপস সেন", "taapas sen"],
      ["ਹਰਪ੍ਰੀਤ ਕੌਰ", "harapreet kaur"],
      ["મહેશ પટેલ", "mahesh patel"],
      ["ସୁରେଶ ମହାନ୍ତି", "suresh mahaanti"],
      ["முருகன்", "murugan"],
      ["சுந்தரம்", "sundaram"],
      ["వెంకటేష్ రెడ్డి", "venkatesh reddi"],
      ["ಮಹೇಶ್ ಗೌಡ", "mahesh gauda"],
      ["ലക്ഷ്മി നായർ", "lakshmi naayar"],
      // A nasal sign before h: "ng" in the north, "m" in the south.
      ["सिंह", "singh"],
      ["নরসিংহ", "narasingh"],
      ["నరసింహ", "narasimha"],
      ["ನರಸಿಂಹ", "narasimha"],
    ];
    for (const [script, latin] of cases) expect(transliterate(script)).toBe(latin);
  });

  it("leaves Latin text alone", () => {
    fc.assert(fc.property(fc.string(), (s) => (!/[\u0900-\u0d7f]/.test(s) ? transliterate(s) === s : true)));
  });

  it("always returns a string without Indic letters", () => {
    const indic = fc
      .array(fc.integer({ min: 0x0900, max: 0x0d7f }), { maxLength: 20 })
      .map((cps) => String.fromCodePoint(...cps));
    fc.assert(fc.property(indic, (s) => !/[\u0900-\u0d7f]/.test(transliterate(s))));
  });
});

describe("names across scripts", () => {
  const pairs: [string, string][] = [
    ["राहुल शर्मा", "Rahul Sharma"],
    ["তাপস সেন", "Tapas Sen"],
    ["ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "Gurpreet Singh"],
    ["મહેશ પટેલ", "Mahesh Patel"],
    ["ସୁରେଶ ମହାନ୍ତି", "Suresh Mohanty"],
    ["செந்தில் குமார்", "Senthil Kumar"],
    ["கணேஷ்", "Ganesh"],
    ["వెంకటేష్ రెడ్డి", "Venkatesh Reddy"],
    ["ಮಹೇಶ್ ಗೌಡ", "Mahesh Gowda"],
    ["ലക്ഷ്മി നായർ", "Lakshmi Nair"],
    ["বিবেক বন্দ্যোপাধ্যায়", "Vivek Bandyopadhyay"],
    ["गुरप्रीत सिंह", "Gurpreet Singh"],
    ["नरेंद्र सिंह", "Narendra Singh"],
    ["లక్ష్మీ నరసింహ", "Lakshmi Narasimha"],
    // Tamil writes h with the letter of k and g; Telugu ends Rao in "-vu"; Hindi writes it with v.
    ["ராகுல் சர்மா", "Rahul Sharma"],
    ["மோகன் குமார்", "Mohan Kumar"],
    ["கிருஷ்ணா ஐயர்", "Krishna Iyer"],
    ["వెంకటేష్ రావు", "Venkatesh Rao"],
    ["वेंकटेश राव", "Venkatesh Rao"],
  ];
  it.each(pairs)("%s and %s share a blocking key and a high similarity", (indic, latin) => {
    const shared = nameBlockingKeys(indic).filter((k) => nameBlockingKeys(latin).includes(k));
    expect(shared.length).toBeGreaterThan(0);
    expect(nameSimilarity(indic, latin)).toBeGreaterThanOrEqual(0.85);
    const dob = { dob: ["1980-01-02"] };
    expect(
      nameBlockingKeys(indic, dob).filter((k) => nameBlockingKeys(latin, dob).includes(k)).length,
    ).toBeGreaterThan(1);
  });

  it("keeps different names apart across scripts", () => {
    expect(nameSimilarity("राहुल शर्मा", "Rohit Verma")).toBeLessThan(0.7);
    expect(nameSimilarity("ਗੁਰਪ੍ਰੀਤ", "Harpreet")).toBeLessThan(0.8);
  });
});

describe("initials and typo keys", () => {
  const dob = { dob: ["1975-06-30"] };
  const keysOf = (name: string) => nameBlockingKeys(name, dob);
  const meet = (a: string, b: string) => keysOf(a).some((k) => keysOf(b).includes(k));

  it("an initial for the given name meets the full name on the same date of birth only", () => {
    expect(meet("T. Sen", "Tapas Sen")).toBe(true);
    expect(meet("M Patel", "Mahesh Patel")).toBe(true);
    expect(nameBlockingKeys("T. Sen").some((k) => nameBlockingKeys("Tapas Sen").includes(k))).toBe(false);
    const otherDay = nameBlockingKeys("Tapas Sen", { dob: ["1975-06-29"] });
    expect(keysOf("T. Sen").some((k) => otherDay.includes(k))).toBe(false);
  });

  it("initials agree only when the lighter name is covered", () => {
    expect(compareNames("T. Sen", "Tapas Sen").initials).toBe(true);
    expect(compareNames("S. Kumar", "Suresh Kumar").initials).toBe(true);
    expect(compareNames("S. Kumar", "Rahul Kumar").initials).toBe(false);
    expect(compareNames("S. Kumar", "Suresh Sharma").initials).toBe(false);
    expect(compareNames("Rahul Sharma", "Rahul Sharma").initials).toBe(false);
  });

  it("a one-letter surname typo keeps a key anchored on the date of birth", () => {
    expect(meet("Sanjeev Rajput", "Sanjeev Rajut")).toBe(true);
    const word = fc.stringMatching(/^[a-z]{5,10}$/);
    fc.assert(
      fc.property(word, word, fc.nat(), fc.nat(25), (first, surname, at, letter) => {
        // Any edit after the first letter: substitution, deletion or insertion.
        const i = 1 + (at % (surname.length - 1));
        const c = String.fromCharCode(97 + letter);
        const typos = [
          surname.slice(0, i) + c + surname.slice(i + 1),
          surname.slice(0, i) + surname.slice(i + 1),
          surname.slice(0, i) + c + surname.slice(i),
        ];
        return typos.every((typo) => meet(`${first} ${surname}`, `${first} ${typo}`));
      }),
    );
  });

  it("stays bounded: a name gives at most a dozen keys", () => {
    const name = fc.array(fc.stringMatching(/^[A-Za-z]{1,8}$/), { maxLength: 8 }).map((w) => w.join(" "));
    fc.assert(
      fc.property(
        name,
        (n) => nameBlockingKeys(n, { dob: ["2000-01-01", "2000-01-02", "2000-01-03"] }).length <= 16,
      ),
    );
  });
});
