/**
 * Indic scripts to Latin letters, for name matching (not for display).
 *
 * The nine major Brahmic scripts of India (Devanagari, Bengali, Gurmukhi, Gujarati, Odia, Tamil,
 * Telugu, Kannada, Malayalam) inherit ISCII's layout in Unicode: each has a 128-code-point block in
 * which the same offset is the same letter ("ka" is block + 0x15 in every one of them). So one
 * table by offset, plus a few per-script exceptions, romanises all nine: a few hundred bytes instead
 * of a transliteration library. The output follows how Indian names are commonly romanised
 * ("sh" for both sibilants, "ee"/"oo" for long i/u, no diacritics), so that the romanisation folds of
 * names.ts then bring "राहुल शर्मा" and "Rahul Sharma" to the same keys.
 */

export type IndicScript =
  | "devanagari"
  | "bengali"
  | "gurmukhi"
  | "gujarati"
  | "odia"
  | "tamil"
  | "telugu"
  | "kannada"
  | "malayalam";

/** First code point of each script's block, in Unicode order. */
export const SCRIPT_BLOCKS: readonly (readonly [IndicScript, number])[] = [
  ["devanagari", 0x0900],
  ["bengali", 0x0980],
  ["gurmukhi", 0x0a00],
  ["gujarati", 0x0a80],
  ["odia", 0x0b00],
  ["tamil", 0x0b80],
  ["telugu", 0x0c00],
  ["kannada", 0x0c80],
  ["malayalam", 0x0d00],
];

const FIRST = 0x0900;
const LAST = 0x0d7f;

/** Consonants by offset (0x15-0x39, and the nukta forms 0x58-0x5f). */
export const CONSONANTS: Readonly<Record<number, string>> = {
  21: "k",
  22: "kh",
  23: "g",
  24: "gh",
  25: "n",
  26: "ch",
  27: "chh",
  28: "j",
  29: "jh",
  30: "n",
  31: "t",
  32: "th",
  33: "d",
  34: "dh",
  35: "n",
  36: "t",
  37: "th",
  38: "d",
  39: "dh",
  40: "n",
  41: "n",
  42: "p",
  43: "ph",
  44: "b",
  45: "bh",
  46: "m",
  47: "y",
  48: "r",
  49: "r",
  50: "l",
  51: "l",
  52: "zh",
  53: "v",
  54: "sh",
  55: "sh",
  56: "s",
  57: "h",
  88: "q",
  89: "kh",
  90: "gh",
  91: "z",
  92: "r",
  93: "rh",
  94: "f",
  95: "y",
};

/** Independent vowels by offset. */
export const VOWELS: Readonly<Record<number, string>> = {
  4: "a",
  5: "a",
  6: "aa",
  7: "i",
  8: "ee",
  9: "u",
  10: "oo",
  11: "ri",
  12: "li",
  13: "e",
  14: "e",
  15: "e",
  16: "ai",
  17: "o",
  18: "o",
  19: "o",
  20: "au",
  96: "ri",
  97: "li",
};

/** Dependent vowel signs by offset (what follows a consonant instead of its inherent "a"). */
export const VOWEL_SIGNS: Readonly<Record<number, string>> = {
  62: "aa",
  63: "i",
  64: "ee",
  65: "u",
  66: "oo",
  67: "ri",
  68: "ri",
  69: "e",
  70: "e",
  71: "e",
  72: "ai",
  73: "o",
  74: "o",
  75: "o",
  76: "au",
  79: "o",
  85: "",
  86: "ai",
  87: "",
  98: "li",
  99: "li",
};

const VIRAMA = 0x4d;
const NUKTA = 0x3c;
/** Candrabindu, anusvara, Gurmukhi tippi: a nasal, written as the following sound needs. */
const NASALS = new Set([0x01, 0x02, 0x70]);
const VISARGA = 0x03;
const GURMUKHI_ADDAK = 0x71;

/** Per-script consonants that differ from the shared table (or exist in one script only). */
const SCRIPT_CONSONANTS: Partial<Record<IndicScript, Readonly<Record<number, string>>>> = {
  bengali: { 112: "r", 113: "w" },
  odia: { 113: "w" },
  telugu: { 88: "ts", 89: "dz", 90: "r" },
  kannada: { 94: "l" },
  tamil: { 52: "l" },
};
/** Consonants with no vowel of their own: Malayalam chillus, Bengali khanda ta, Malayalam dot reph. */
const DEAD_CONSONANTS: Partial<Record<IndicScript, Readonly<Record<number, string>>>> = {
  bengali: { 78: "t" },
  malayalam: {
    78: "r",
    84: "m",
    85: "y",
    86: "l",
    122: "n",
    123: "n",
    124: "r",
    125: "l",
    126: "l",
    127: "k",
  },
};
/** Vowel bearers: Gurmukhi writes initial vowels on them ("ਉ" is "ੳ" + "ੁ"). */
const BEARERS: Partial<Record<IndicScript, ReadonlySet<number>>> = {
  gurmukhi: new Set([0x72, 0x73]),
};

/** Scripts whose word-final consonant is pronounced without its inherent "a" ("राहुल" is "Rahul"). */
const FINAL_SCHWA_SILENT = new Set<IndicScript>(["devanagari", "bengali", "gurmukhi", "gujarati", "odia"]);

/** Nukta forms of a consonant: "ज़" is "z", "फ़" is "f", "ड़" is "r". */
const NUKTA_FORMS: readonly (readonly [string, string])[] = [
  ["ph", "f"],
  ["dh", "rh"],
  ["k", "q"],
  ["j", "z"],
  ["d", "r"],
];

const LABIALS = new Set(["p", "ph", "b", "bh", "m"]);

/**
 * A nasal sign before "h" is "ng" in the north ("सिंह" is "Singh") and "m" in the south ("సింహ" is
 * "Simha", "Narasimha").
 */
const NG_BEFORE_H = new Set<IndicScript>(["devanagari", "bengali", "gurmukhi", "gujarati", "odia"]);

/** The script of a code point, or null outside the nine blocks. */
export function scriptOf(cp: number): IndicScript | null {
  if (cp < FIRST || cp > LAST) return null;
  return SCRIPT_BLOCKS[(cp - FIRST) >> 7]?.[0] ?? null;
}

/** Whether a string has any character of the nine scripts (a cheap test before transliterating). */
export const hasIndic = (s: string): boolean => /[\u0900-\u0d7f]/.test(s);

/** Whether the text has Tamil letters: Tamil writes k/g, t/d, p/b with one letter each. */
export const hasTamil = (s: string): boolean => /[\u0b80-\u0bff]/.test(s);

/** The consonant at an offset of a script, or undefined. */
export function consonantOf(script: IndicScript, offset: number): string | undefined {
  return SCRIPT_CONSONANTS[script]?.[offset] ?? CONSONANTS[offset];
}

/**
 * The Latin romanisation of a text: runs of the nine Indic scripts are romanised, everything else is
 * copied. Latin-only input is returned as it is.
 */
export function transliterate(text: string): string {
  if (!hasIndic(text)) return text;
  let out = "";
  let pending: IndicScript | null = null; // a consonant whose inherent vowel is not yet written
  let clustered = false; // the pending consonant closes a cluster ("ष्ण" in "कृष्ण")
  let joinNext = false; // a virama was written: the next consonant joins a cluster
  let dead = ""; // the consonant a virama silenced, for Tamil's voicing after a nasal
  let afterVowel = false;
  let afterNasalSign = false;
  let doubleNext = false; // Gurmukhi addak: the next consonant is doubled
  let lastConsonant = "";

  const flush = (wordEnd: boolean) => {
    if (pending) {
      const silent = wordEnd && FINAL_SCHWA_SILENT.has(pending) && !clustered;
      if (!silent) out += "a";
      afterVowel = !silent;
    }
    pending = null;
    clustered = false;
  };

  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? "";
    const cp = ch.codePointAt(0) ?? 0;
    const script = scriptOf(cp);
    if (!script) {
      flush(true);
      out += ch;
      afterVowel = afterNasalSign = joinNext = false;
      dead = "";
      continue;
    }
    const offset = cp & 0x7f;
    if (offset === NUKTA) {
      const form = NUKTA_FORMS.find(([from]) => out.endsWith(from));
      if (form) out = out.slice(0, out.length - form[0].length) + form[1];
      continue;
    }
    if (offset === VIRAMA) {
      if (pending) {
        dead = lastConsonant;
        pending = null;
        clustered = false;
        joinNext = true;
      }
      afterVowel = false;
      continue;
    }
    if (script === "gurmukhi" && offset === GURMUKHI_ADDAK) {
      flush(false);
      doubleNext = true;
      continue;
    }
    const deadLetter = DEAD_CONSONANTS[script]?.[offset];
    const consonant = deadLetter ?? consonantOf(script, offset);
    if (consonant !== undefined) {
      flush(false);
      let letter = consonant;
      if (script === "tamil")
        letter = tamilVoicing(offset, letter, afterVowel, afterNasalSign || /^[nm]$/.test(dead));
      if (doubleNext) letter = letter.charAt(0) + letter;
      out += letter;
      lastConsonant = consonant;
      pending = deadLetter === undefined ? script : null;
      clustered = joinNext;
      joinNext = doubleNext = afterVowel = afterNasalSign = false;
      dead = deadLetter ?? "";
      continue;
    }
    joinNext = false;
    dead = "";
    const sign = VOWEL_SIGNS[offset];
    if (sign !== undefined) {
      out += sign;
      pending = null;
      clustered = false;
      afterVowel = sign !== "";
      afterNasalSign = false;
      continue;
    }
    const vowel = VOWELS[offset] ?? (BEARERS[script]?.has(offset) ? "" : undefined);
    if (vowel !== undefined) {
      flush(false);
      out += vowel;
      afterVowel = vowel !== "";
      afterNasalSign = false;
      continue;
    }
    if (NASALS.has(offset)) {
      flush(false);
      const next = chars[i + 1]?.codePointAt(0);
      const nextScript = next === undefined ? null : scriptOf(next);
      const nextLetter = nextScript && next !== undefined ? consonantOf(nextScript, next & 0x7f) : undefined;
      if (nextLetter === "h") out += NG_BEFORE_H.has(script) ? "ng" : "m";
      else out += nextLetter && LABIALS.has(nextLetter) ? "m" : "n";
      afterVowel = false;
      afterNasalSign = true;
      continue;
    }
    if (offset === VISARGA) {
      flush(false);
      out += "h";
      afterVowel = afterNasalSign = false;
      continue;
    }
    // Digits read as digits; dandas, length marks and other signs separate or vanish.
    flush(true);
    if (offset >= 0x66 && offset <= 0x6f) out += String(offset - 0x66);
    else if (offset === 0x64 || offset === 0x65) out += " ";
    afterVowel = afterNasalSign = false;
  }
  flush(true);
  return out;
}

/**
 * Tamil has one letter for k/g, ch/j/s, ṭ/ḍ, t/d and p/b: romanised names voice them after a nasal
 * ("Sundar", "Pandian"), write k as g and ṭ as d between vowels ("Murugan", "Nadu"), t as "th"
 * ("Geetha") and ch as "s" at the start and between vowels ("Senthil", "Vasanth").
 */
const TAMIL_AFTER_NASAL: Readonly<Record<number, string>> = { 21: "g", 26: "j", 31: "d", 36: "d", 42: "b" };
const TAMIL_AFTER_VOWEL: Readonly<Record<number, string>> = { 21: "g", 26: "s", 31: "d", 36: "th" };

function tamilVoicing(offset: number, c: string, afterVowel: boolean, afterNasal: boolean): string {
  if (afterNasal) return TAMIL_AFTER_NASAL[offset] ?? c;
  if (afterVowel) return TAMIL_AFTER_VOWEL[offset] ?? c;
  if (offset === 0x1a) return "s";
  return c;
}
