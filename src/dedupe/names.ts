/**
 * Name normalisation, similarity and blocking keys for Indian names.
 *
 * The same person's name reaches us in many spellings: honorifics ("Shri", "Smt."), initials
 * ("R. K. Sharma"), surname-first order, split or joined compounds ("Rama Krishna" / "Ramakrishna")
 * and romanisation variants of one Indic spelling ("Sharma" / "Sarma", "Pooja" / "Puja",
 * "Lakshmi" / "Laxmi"). Similarity folds those; it is only ever supporting evidence in scoring.
 */

/** Titles that say nothing about who the person is; dropped only from the front of a name. */
const HONORIFICS = new Set([
  "mr",
  "mrs",
  "ms",
  "miss",
  "dr",
  "shri",
  "shree",
  "sri",
  "smt",
  "kumari",
  "km",
  "late",
  "messrs",
  "prof",
]);

/** Abbreviations Indian forms use for whole name parts. */
const ABBREVIATIONS: Record<string, string> = {
  md: "mohammed",
  mohd: "mohammed",
  mhd: "mohammed",
  kr: "kumar",
};

/** Legal-form suffixes: "Sharma Traders Pvt. Ltd." and "Sharma Traders" are the same business name. */
const LEGAL_SUFFIXES = new Set([
  "pvt",
  "private",
  "ltd",
  "limited",
  "llp",
  "opc",
  "inc",
  "llc",
  "plc",
  "co",
  "and",
]);

/**
 * Lower-case tokens of a name without punctuation, diacritics or leading honorifics. Initials stay as
 * single letters; a short run of consonants ("RK") is a pair of initials written together.
 */
export function nameTokens(name: string): string[] {
  const words = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    // "M/s." is the honorific of a firm; name it before the slash goes with the other punctuation.
    .replace(/\bm\s*\/\s*s\b/g, " messrs ")
    // An apostrophe joins ("D'Souza" is one surname); other punctuation separates.
    .replace(/['\u2019`]/g, "")
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  // Titles are dropped only in front: "Kumari" and "Sri" are also name parts further on.
  let start = 0;
  while (start < words.length - 1 && HONORIFICS.has(words[start] as string)) start++;
  const tokens: string[] = [];
  for (const word of words.slice(start)) {
    const token = ABBREVIATIONS[word] ?? word;
    const initialsRun = /^[a-z]{2,3}$/.test(token) && !/[aeiouy]/.test(token) && !LEGAL_SUFFIXES.has(token);
    tokens.push(...(initialsRun ? token.split("") : [token]));
  }
  return tokens;
}

/** Name tokens without legal-form suffixes at the end. */
function coreTokens(name: string): string[] {
  const tokens = nameTokens(name);
  let end = tokens.length;
  while (end > 1 && LEGAL_SUFFIXES.has(tokens[end - 1] as string)) end--;
  return tokens.slice(0, end);
}

// Romanisation variants, applied in order, until nothing changes (which makes the key idempotent).
const FOLDS: [RegExp, string][] = [
  [/[^a-z]/g, ""],
  [/x/g, "ks"],
  [/ph/g, "f"],
  [/([bdgjkt])h/g, "$1"], // aspirates: bh dh gh jh kh th -> plain stop ("Karthik" / "Kartik")
  [/ch/g, "c"],
  [/sh/g, "s"],
  [/ck/g, "k"],
  [/q/g, "k"],
  [/(?:ou|ow|au)/g, "o"], // "Gourav" / "Gaurav", "Chowdhury" / "Choudhary", "Sowmya" / "Soumya"
  [/w/g, "v"],
  [/z/g, "j"],
  [/ee/g, "i"],
  [/oo/g, "u"],
  [/([aeiou])y$/g, "$1i"], // "Sanjay" / "Sanjai"
  [/([a-z])\1+/g, "$1"], // doubled letters: "Pallavi" / "Palavi", "Aamir" / "Amir"
  [/([aeiou])h$/g, "$1"], // trailing h after a vowel: "Shah" / "Sha"
  [/(...)a$/g, "$1"], // the inherent final vowel: "Krishna" / "Krishn", "Rama" / "Ram"
];

/** A transliteration-folded key of one lower-case name token. Idempotent. */
export function phoneticKey(token: string): string {
  // Terminates: every fold shortens the key or removes a letter (x, y, w, z, q) no fold produces.
  let key = token.toLowerCase();
  for (;;) {
    const before = key;
    for (const [pattern, replacement] of FOLDS) key = key.replace(pattern, replacement);
    if (key === before) return key;
  }
}

/** Jaro-Winkler similarity; arguments put in a fixed order so the result is symmetric. */
export function jaroWinkler(x: string, y: string): number {
  const [a, b] = x <= y ? [x, y] : [y, x];
  if (a === b) return a.length ? 1 : 0;
  if (!a.length || !b.length) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(b.length - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (!matches) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / a.length + m / b.length + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

type Token = { raw: string; key: string; initial: boolean };

function toTokens(name: string): Token[] {
  return coreTokens(name).map((raw) => ({ raw, key: phoneticKey(raw), initial: raw.length === 1 }));
}

const INITIAL_WEIGHT = 0.5; // an initial says less than a whole name part
const TOKEN_MATCH_MIN = 0.8; // below this two name parts are different names, not spellings of one

type Pair = { i: number; j: number; credit: number; order: string };

/**
 * Best one-to-one matching of tokens: full tokens by Jaro-Winkler of their phonetic keys, an initial
 * with a full token starting with that letter or the same initial. Returns the credit each side got.
 */
function matchTokens(a: Token[], b: Token[]): { creditA: number; creditB: number } {
  const pairs: Pair[] = [];
  a.forEach((ta, i) => {
    b.forEach((tb, j) => {
      let credit = 0;
      if (!ta.initial && !tb.initial) {
        // Names differing in their first sound are different names ("Gurpreet" / "Harpreet"),
        // however alike their endings: romanisation variants have been folded already.
        const sim = jaroWinkler(ta.key, tb.key) * (ta.key.charAt(0) === tb.key.charAt(0) ? 1 : 0.85);
        credit = sim >= TOKEN_MATCH_MIN ? sim : 0;
      } else if (ta.raw.charAt(0) === tb.raw.charAt(0)) {
        credit = INITIAL_WEIGHT;
      }
      // Ties resolve by the unordered pair of keys so a(x, y) and a(y, x) choose alike.
      const order = ta.key < tb.key ? `${ta.key}|${tb.key}` : `${tb.key}|${ta.key}`;
      if (credit > 0) pairs.push({ i, j, credit, order });
    });
  });
  pairs.sort((p, q) => q.credit - p.credit || (p.order < q.order ? -1 : p.order > q.order ? 1 : 0));
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  let creditA = 0;
  let creditB = 0;
  for (const p of pairs) {
    if (usedA.has(p.i) || usedB.has(p.j)) continue;
    usedA.add(p.i);
    usedB.add(p.j);
    const ta = a[p.i] as Token;
    const tb = b[p.j] as Token;
    // A full token matched only by an initial is credited with the initial's weight.
    creditA += ta.initial || tb.initial ? INITIAL_WEIGHT : p.credit;
    creditB += ta.initial || tb.initial ? INITIAL_WEIGHT : p.credit;
  }
  return { creditA, creditB };
}

const weightOf = (tokens: Token[]) => tokens.reduce((w, t) => w + (t.initial ? INITIAL_WEIGHT : 1), 0);

/**
 * Similarity of two names in [0, 1], symmetric and independent of token order. Half of it is the
 * Dice overlap of the tokens; half is how much of the shorter name the longer one covers, because a
 * dropped middle name or surname ("Rahul Sharma" / "Rahul Kumar Sharma") is the commonest variant.
 */
export function nameSimilarity(a: string, b: string): number {
  const ta = toTokens(a);
  const tb = toTokens(b);
  if (!ta.length || !tb.length) return 0;
  const wa = weightOf(ta);
  const wb = weightOf(tb);
  const { creditA, creditB } = matchTokens(ta, tb);
  const dice = (creditA + creditB) / (wa + wb);
  const coverage = wa < wb ? creditA / wa : wb < wa ? creditB / wb : Math.max(creditA / wa, creditB / wb);
  // A single name part covering another name is weak evidence: "Sharma" is half the country.
  const tokenSim = Math.min(wa, wb) >= 2 ? (dice + coverage) / 2 : dice;
  // Compounds split differently ("Venkata Ramana" / "Venkataramana") agree once joined.
  // Joining only compares like with like: "K. Karthik" must not fold into "Karthik" ("kk" -> "k").
  const raw = (tokens: Token[]) => tokens.map((t) => t.raw).join("");
  const initials = (tokens: Token[]) => tokens.filter((t) => t.initial).length;
  const compactSim =
    raw(ta) === raw(tb) || (initials(ta) === initials(tb) && phoneticKey(raw(ta)) === phoneticKey(raw(tb)))
      ? 1
      : 0;
  return Math.min(1, Math.max(0, tokenSim, compactSim));
}

const MAX_BLOCKING_KEYS = 6;

/**
 * The consonant skeleton of a phonetic key (its first letter kept): vowel spellings vary most in
 * romanised Indian names ("Mohammad" / "Mohammed" / "Muhammad"), so blocking ignores them and the
 * scoring, which sees the whole name, decides.
 */
function skeleton(key: string): string {
  return key.slice(0, 1) + key.slice(1).replace(/[aeiouy]/g, "");
}

/**
 * Keys under which the name is indexed for candidate lookup: every unordered pair of phonetic keys of
 * its full tokens (order-insensitive, robust to a dropped or added name part), or the one key of a
 * single-token name. Capped so a long name does not flood the index.
 */
export function nameBlockingKeys(name: string): string[] {
  const fullKeys = toTokens(name)
    .filter((t) => !t.initial && t.key)
    .map((t) => skeleton(t.key));
  const keys = [...new Set(fullKeys)].sort();
  if (keys.length <= 1) return keys;
  const pairs: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) pairs.push(`${keys[i]}|${keys[j]}`);
  }
  return pairs.slice(0, MAX_BLOCKING_KEYS);
}
