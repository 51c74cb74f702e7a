/**
 * Name normalisation, similarity and blocking keys for Indian names.
 *
 * The same person's name reaches us in many spellings: honorifics ("Shri", "Smt."), initials
 * ("R. K. Sharma"), surname-first order, split or joined compounds ("Rama Krishna" / "Ramakrishna")
 * and romanisation variants of one Indic spelling ("Sharma" / "Sarma", "Pooja" / "Puja",
 * "Lakshmi" / "Laxmi"), and names written in an Indic script ("राहुल शर्मा", "முருகன்"), which are
 * romanised first (transliterate.ts) so that they meet their Latin spellings. Similarity folds those;
 * it is only ever supporting evidence in scoring.
 */

import { hasIndic, transliterate } from "./transliterate";

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
  // NFC first: Indic vowel signs must stay composed ("ொ", not "ெ" + "ா") for the romanisation.
  const words = transliterate(name.normalize("NFC"))
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
  while (start < words.length - 1 && HONORIFICS.has(words[start] ?? "")) start++;
  const tokens: string[] = [];
  for (const word of words.slice(start)) {
    const token = ABBREVIATIONS[word] ?? word;
    const initialsRun = /^[a-z]{2,3}$/.test(token) && !/[aeiouy]/.test(token) && !LEGAL_SUFFIXES.has(token);
    tokens.push(...(initialsRun ? token.split("") : [token]));
  }
  return tokens;
}

/**
 * Words that make a name a legal person other than an individual: a company ("Pvt. Ltd.", "Limited",
 * "LLP"), a partnership ("& Sons", "Brothers", "Associates"), a trust or an HUF. A proprietorship's
 * trade name ("Sharma Traders") has none of them: it is its proprietor under another name.
 */
const LEGAL_ENTITY_WORDS = new Set([
  "ltd",
  "limited",
  "llp",
  "opc",
  "inc",
  "llc",
  "plc",
  "trust",
  "huf",
  "sons",
  "brothers",
  "associates",
]);

/** Whether the name says its holder is a company, partnership, trust or HUF (never an individual). */
export function namesLegalEntity(name: string): boolean {
  return nameTokens(name).some((t) => LEGAL_ENTITY_WORDS.has(t));
}

/**
 * Words of Indian trade names ("Sharma Traders", "Sri Balaji Medical Stores", "M/s Imran Jewellers"):
 * a name with one is a business's, even on a record whose type was left out. Singular and plural.
 */
const TRADE_WORDS = new Set(
  (
    "trader traders trading enterprise enterprises store stores agency agencies industry industries " +
    "textile textiles steel steels hardware hardwares electrical electricals electronics jeweller " +
    "jewellers jewelers motor motors auto autos food foods construction constructions builder builders " +
    "medical medicals pharma pharmacy chemist chemists chemical chemicals export exports import imports " +
    "supplier suppliers service services solution solutions works mill mills udyog bhandar emporium " +
    "corporation ventures garments garment furniture furnitures provision provisions kirana dairy " +
    "transport transports logistics travels tours hotel hotels restaurant sweets bakery infra " +
    "developers distributors distributor wholesale retail marketing mart bazaar sales"
  ).split(" "),
);

/** Words that say a name is a business's ("M/s", a legal form, a trade word): never a person's name. */
export function namesBusiness(name: string): boolean {
  const words = transliterate(name.normalize("NFC")).toLowerCase();
  if (/\bm\s*\/\s*s\b|\bmessrs\b/.test(words)) return true;
  const tokens = nameTokens(name);
  // "New Balaji Stores", "New India Traders": no one is named "New".
  if (tokens.length > 1 && tokens[0] === "new") return true;
  return tokens.some((t) => LEGAL_ENTITY_WORDS.has(t) || isTradeWord(t));
}

const LONG_TRADE_WORDS = [...TRADE_WORDS].filter((w) => w.length >= 6);

/** A trade word, or a long one keyed with one error ("Harrdware", "Stheels"). */
function isTradeWord(token: string): boolean {
  return TRADE_WORDS.has(token) || (token.length >= 6 && LONG_TRADE_WORDS.some((w) => isTypo(token, w)));
}

/**
 * Whether a business name is made of a person's given name and trade words ("Imran Jewellers",
 * "New Imran Traders", "Sri Imran Stores" for Imran Mirza): how a proprietorship is named after its
 * owner. Only the given name (the first of at least two whole name parts): a firm named after a
 * surname ("Mirza Motors") is any of the family's, who share a house and a phone.
 */
export function namesProprietorOf(business: string, person: string): boolean {
  let owner = toTokens(person);
  // "Mohammed Rashid Siddiqui" is called Rashid: a devotional first part names half a household.
  while (owner.length > 2 && DEVOTIONAL_PREFIXES.has(owner[0]?.raw ?? "")) owner = owner.slice(1);
  const given = owner[0];
  if (!given || given.initial || owner.filter((t) => !t.initial).length < 2) return false;
  const surname = owner[owner.length - 1];
  if (surname && surname.key === given.key) return false;
  const rest = toTokens(business).filter(
    (t) => !isTradeWord(t.raw) && !FIRM_PREFIXES.has(t.raw) && !LEGAL_SUFFIXES.has(t.raw),
  );
  return rest.length === 1 && rest[0]?.key === given.key;
}

/** First name parts that many in a family carry before their own given name. */
const DEVOTIONAL_PREFIXES = new Set([
  "mohammed",
  "muhammad",
  "mohammad",
  "syed",
  "sayyed",
  "sheikh",
  "abdul",
]);

/** Words in front of a trade name that are not the owner's name: "New", "Sri" (a deity's honorific). */
const FIRM_PREFIXES = new Set(["new", "sri", "shri", "shree", "messrs", "the"]);

/** Name tokens without legal-form suffixes at the end. */
function coreTokens(name: string): string[] {
  const tokens = nameTokens(name);
  let end = tokens.length;
  while (end > 1 && LEGAL_SUFFIXES.has(tokens[end - 1] ?? "")) end--;
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
  [/y$/g, "i"], // "Sanjay" / "Sanjai", "Mohanty" / "Mahanti", "Murthy" / "Murthi"
  [/(?:ao|avu)$/g, "av"], // "Rao" / "राव" (raav) / "రావు" (raavu), "Jadhao" / "Jadhav"
  [/^ai/g, "i"], // "Aiyar" / "Iyer"
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

/** Whether two strings differ by at most one substitution, insertion, deletion or adjacent swap. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * A phonetic key with voicing and b/v folded: Tamil writes k/g, t/d, p/b with one letter each and
 * Bengali and Odia have no v, so a name romanised from them ("kanesh" from "கணேஷ்", "bibek" from
 * "বিবেক") differs from its Latin spelling ("Ganesh", "Vivek") in exactly these letters; Tamil's one
 * letter for ch, j and s ("சவந்" is "Chavan", "செந்தில்" is "Senthil") folds those three too.
 */
export function looseKey(key: string): string {
  return key
    .replace(/[gkq]/g, "k")
    .replace(/[dt]/g, "t")
    .replace(/[bpvf]/g, "p")
    .replace(/[cjzs]/g, "c");
}

type Token = { raw: string; key: string; loose: string; initial: boolean };

// A dedupe compares one probe name with up to 250 candidates: its tokens are computed once. Bounded,
// and a cache of a pure function's results, so nothing observable depends on it.
const TOKEN_CACHE = new Map<string, Token[]>();
const TOKEN_CACHE_SIZE = 512;

function toTokens(name: string): Token[] {
  let tokens = TOKEN_CACHE.get(name);
  if (!tokens) {
    if (TOKEN_CACHE.size >= TOKEN_CACHE_SIZE) TOKEN_CACHE.clear();
    tokens = computeTokens(name);
    TOKEN_CACHE.set(name, tokens);
  }
  return tokens;
}

function computeTokens(name: string): Token[] {
  return coreTokens(name).map((raw) => {
    const key = phoneticKey(raw);
    return { raw, key, loose: looseKey(key), initial: raw.length === 1 };
  });
}

const INITIAL_WEIGHT = 0.5; // an initial says less than a whole name part
const TYPO_SIMILARITY = 0.9; // a name part with one keying error
const TYPO_MIN_LENGTH = 5;

/** One keying error between two name parts: any edit in long ones, a swap of two letters in any. */
function isTypo(a: string, b: string): boolean {
  if (a === b || a.charAt(0) !== b.charAt(0) || !withinOneEdit(a, b)) return false;
  if (Math.min(a.length, b.length) >= TYPO_MIN_LENGTH) return true;
  return a.length === b.length && a.length >= 4 && [...a].sort().join("") === [...b].sort().join("");
}

const TOKEN_MATCH_MIN = 0.8; // below this two name parts are different names, not spellings of one

type Pair = { i: number; j: number; credit: number; order: string };

/**
 * Best one-to-one matching of tokens: full tokens by Jaro-Winkler of their phonetic keys, an initial
 * with a full token starting with that letter or the same initial. Returns the credit each side got.
 */
function matchTokens(
  a: Token[],
  b: Token[],
  loose: boolean,
): { creditA: number; creditB: number; fullMatches: number } {
  const pairs: Pair[] = [];
  a.forEach((ta, i) => {
    b.forEach((tb, j) => {
      let credit = 0;
      if (!ta.initial && !tb.initial) {
        // Names differing in their first sound are different names ("Gurpreet" / "Harpreet"),
        // however alike their endings: romanisation variants have been folded already.
        // Across scripts, letters the script does not tell apart compare equal (see looseKey).
        const [ka, kb] = loose ? [ta.loose, tb.loose] : [ta.key, tb.key];
        let sim = jaroWinkler(ka, kb) * (ka.charAt(0) === kb.charAt(0) ? 1 : 0.85);
        // One keying error in a long name part ("Pereira" / "Peeira", "Kapoor" / "Kaphor") is a typo,
        // however it moves the phonetic key; short parts that differ by one letter are often other
        // names ("Raja" / "Raju"), so for them only two letters swapped counts ("Raju" / "Rauj").
        if (sim < TYPO_SIMILARITY && isTypo(ta.raw, tb.raw)) sim = TYPO_SIMILARITY;
        credit = sim >= TOKEN_MATCH_MIN ? sim : 0;
      } else if (
        ta.raw.charAt(0) === tb.raw.charAt(0) ||
        (loose && ta.loose.charAt(0) === tb.loose.charAt(0))
      ) {
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
  let fullMatches = 0;
  for (const p of pairs) {
    if (usedA.has(p.i) || usedB.has(p.j)) continue;
    usedA.add(p.i);
    usedB.add(p.j);
    const ta = a[p.i];
    const tb = b[p.j];
    if (ta === undefined || tb === undefined) continue; // pairs index a and b: never taken
    // A full token matched only by an initial is credited with the initial's weight.
    creditA += ta.initial || tb.initial ? INITIAL_WEIGHT : p.credit;
    creditB += ta.initial || tb.initial ? INITIAL_WEIGHT : p.credit;
    if (!ta.initial && !tb.initial) fullMatches++;
  }
  return { creditA, creditB, fullMatches };
}

const weightOf = (tokens: Token[]) => tokens.reduce((w, t) => w + (t.initial ? INITIAL_WEIGHT : 1), 0);

/**
 * How two names compare: `similarity` in [0, 1], symmetric and independent of token order (see
 * nameSimilarity), and `initials`: the names agree once initials are read as the name parts they cut
 * ("T. Sen" / "Tapas Sen", "E. Padma" / "Padma"): the lighter name is wholly covered, by at least one
 * whole name part, and an initial is involved. An initial agreeing is weak alone ("S. Kumar" is any
 * of thousands); scoring counts it only with another signal (a date of birth, a contact point).
 */
export function compareNames(a: string, b: string): { similarity: number; initials: boolean } {
  const ta = toTokens(a);
  const tb = toTokens(b);
  if (!ta.length || !tb.length) return { similarity: 0, initials: false };
  const wa = weightOf(ta);
  const wb = weightOf(tb);
  const { creditA, creditB, fullMatches } = matchTokens(ta, tb, hasIndic(a) || hasIndic(b));
  const dice = (creditA + creditB) / (wa + wb);
  const coverage = wa < wb ? creditA / wa : wb < wa ? creditB / wb : Math.max(creditA / wa, creditB / wb);
  // A single name part covering another name is weak evidence: "Sharma" is half the country.
  const tokenSim = Math.min(wa, wb) >= 2 ? (dice + coverage) / 2 : dice;
  // Compounds split differently ("Venkata Ramana" / "Venkataramana") agree once joined.
  // Joining only compares like with like: "K. Karthik" must not fold into "Karthik" ("kk" -> "k").
  const raw = (tokens: Token[]) => tokens.map((t) => t.raw).join("");
  const initialCount = (tokens: Token[]) => tokens.filter((t) => t.initial).length;
  const compactSim =
    raw(ta) === raw(tb) ||
    (initialCount(ta) === initialCount(tb) && phoneticKey(raw(ta)) === phoneticKey(raw(tb)))
      ? 1
      : 0;
  const similarity = Math.min(1, Math.max(0, tokenSim, compactSim));
  const initials = initialCount(ta) + initialCount(tb) > 0 && fullMatches > 0 && coverage >= 0.9;
  return { similarity, initials };
}

/**
 * Similarity of two names in [0, 1], symmetric and independent of token order. Half of it is the
 * Dice overlap of the tokens; half is how much of the shorter name the longer one covers, because a
 * dropped middle name or surname ("Rahul Sharma" / "Rahul Kumar Sharma") is the commonest variant.
 */
export function nameSimilarity(a: string, b: string): number {
  return compareNames(a, b).similarity;
}

/**
 * The version of nameBlockingKeys' output. Stored `name` rows of the identifier index were computed by
 * the version current at their write: when it changes, every contact's rows must be recomputed
 * (identifierRows + replaceContactRows, in bounded batches) or lookups miss contacts indexed before.
 * 1: pairs of skeletons. 2: scripts romanised, loose skeletons, keys anchored on the date of birth.
 * 3: keys anchored on a place (house number and PIN code of an address).
 * 4: a nasal sign before h romanised as "ng" in northern scripts ("सिंह" is "Singh"), "m" in southern;
 *    "Rao" / "raav" / "raavu" and "Aiyar" / "Iyer" folded; h with k and g in skeletons (Tamil).
 */
export const NAME_KEYS_VERSION = 4;

const MAX_PAIR_KEYS = 6;
const MAX_ANCHORED_TOKENS = 4;
const MAX_DOBS = 2;
const MAX_PLACES = 2;

/**
 * The consonant skeleton of a phonetic key (its first letter kept), voicing folded: vowel spellings
 * vary most in romanised Indian names ("Mohammad" / "Mohammed" / "Muhammad") and Tamil does not write
 * voicing, so blocking ignores both and the scoring, which sees the whole name, decides. h goes with k
 * and g here only: Tamil writes all three with one letter ("ராகுல்" is "Rahul", "மோகன்" is "Mohan"),
 * while Gurpreet and Harpreet are two names, which the scoring keeps apart.
 */
function skeleton(key: string): string {
  const loose = looseKey(key).replace(/h/g, "k");
  return loose.slice(0, 1) + loose.slice(1).replace(/[aeiouy]/g, "");
}

/**
 * What else is known of the contact that anchors name keys; values as the identifier index holds them:
 * dates of birth, and places (a house number at a PIN code, `560001/12`: address.ts).
 */
export type NameSignals = { dob?: readonly string[]; place?: readonly string[] };

/** The anchors of a contact's index rows: its dates of birth and its places. */
export function nameSignals(rows: readonly { kind: string; value: string }[]): NameSignals {
  return {
    dob: rows.filter((id) => id.kind === "dob").map((id) => id.value),
    place: rows.filter((id) => id.kind === "address").map((id) => id.value),
  };
}

/**
 * Keys under which the name is indexed for candidate lookup, most selective first (the lookup stops
 * at MAX_NAME_CANDIDATES contacts, in key order):
 *
 *  1. with a date of birth, keys anchored on it, which survive what the plain keys do not:
 *     - `^<initials>@<dob>`: the sorted first letters of every name part, so an initial for a given
 *       name ("T. Sen" / "Tapas Sen") and a typo anywhere but in a first letter ("Sanjeev Rajput" /
 *       "Sanjeev Rajut") keep the key;
 *     - `<skeleton>@<dob>` for each full name part, so a dropped or added part or an edited first
 *       letter still leaves a shared key.
 *     A date of birth is shared by about one person in 20,000, so these keys stay small in any tenant:
 *     "S. Kumar" meets only the Kumars, S-names and S. Kumars born that day, never every Kumar.
 *  2. with a place (a house number at a PIN code: a household, a few people), `<skeleton>#<place>` for
 *     each full name part: "S. Kumar" meets the Kumars of that house, "Prashant Shide" the Prashants
 *     ("Shinde Prashant"). A bare PIN code anchors nothing: tens of thousands live in one, so a key on
 *     it would be as wide as the name alone.
 *  3. every unordered pair of skeletons of the full name parts (order-insensitive, robust to a dropped
 *     or added name part), or the one skeleton of a single-part name.
 *
 * Initials alone never make a plain key. Skeletons fold romanisation, script and voicing, so a name in
 * an Indic script and its Latin transliteration share their keys.
 */
export function nameBlockingKeys(name: string, signals: NameSignals = {}): string[] {
  const tokens = toTokens(name).filter((t) => t.key);
  const fullKeys = [...new Set(tokens.filter((t) => !t.initial).map((t) => skeleton(t.key)))].sort();
  const anchored: string[] = [];
  const dobs = [...new Set(signals.dob ?? [])].sort().slice(0, MAX_DOBS);
  for (const dob of dobs) {
    const initials = tokens.map((t) => looseKey(t.key).charAt(0)).sort();
    if (initials.length > 1) anchored.push(`^${initials.join("")}@${dob}`);
    for (const key of fullKeys.slice(0, MAX_ANCHORED_TOKENS)) anchored.push(`${key}@${dob}`);
  }
  const places = [...new Set(signals.place ?? [])].sort().slice(0, MAX_PLACES);
  for (const place of places) {
    for (const key of fullKeys.slice(0, MAX_ANCHORED_TOKENS)) anchored.push(`${key}#${place}`);
  }
  if (fullKeys.length <= 1) return [...anchored, ...fullKeys];
  const pairs: string[] = [];
  for (let i = 0; i < fullKeys.length; i++) {
    for (let j = i + 1; j < fullKeys.length; j++) pairs.push(`${fullKeys[i]}|${fullKeys[j]}`);
  }
  return [...anchored, ...pairs.slice(0, MAX_PAIR_KEYS)];
}
