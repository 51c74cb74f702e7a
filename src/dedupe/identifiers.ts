import type { FieldError } from "../lib/errors";

/**
 * The identifier registry: for each kind of Indian KYC identifier, the prop keys it is found under,
 * its validator and its normaliser. Pure functions; the only I/O is WebCrypto for the Aadhaar HMAC.
 *
 * Every value is first folded (NFKC, format characters removed, digits of any script as ASCII; see
 * `foldIdentifierText`), then held to its kind's ASCII rules, so look-alikes (a Cyrillic letter in a PAN)
 * are refused rather than mistaken for another identity. Normalisers return one canonical string per
 * real-world identifier (so formatting variants compare equal) or null when the value is not a valid
 * identifier of that kind. They are idempotent: the canonical form normalises to itself, which lets the
 * index store it and re-normalise safely.
 */

export type IdentifierKind =
  | "pan"
  | "gstin"
  | "aadhaar"
  | "mobile"
  | "email"
  | "passport"
  | "voter_id"
  | "driving_licence"
  | "dob"
  | "bank_account";

/** Kinds that identify one person or entity on their own; a date of birth is shared by many people. */
export const STRONG_KINDS: readonly IdentifierKind[] = [
  "pan",
  "gstin",
  "aadhaar",
  "mobile",
  "email",
  "passport",
  "voter_id",
  "driving_licence",
  "bank_account",
];

export type Identifier = { kind: IdentifierKind; value: string; field: string };

// ---------------------------------------------------------------------------------------------
// The registry: prop-key aliases and how each kind is protected at rest (see API.md "Personal data")

/**
 * How a kind is kept at rest: `encrypted` (AES-GCM envelope, clear for `contacts:pii` readers, masked
 * for others), `masked` (only the mask is stored; dedupe compares a keyed hash: Aadhaar), `plain`.
 */
export type Protection = "encrypted" | "masked" | "plain";

type KindSpec = { aliases: readonly string[]; protection: Protection; label: string };

/**
 * One entry per kind. Aliases are compared after `propKeyForm` (lower-case, spaces, dashes and dots read
 * as `_`). Only names that cannot mean anything else: `uid` alone is UIDAI's own name for the Aadhaar
 * number, but `id`, `number` or `card` are not aliases of anything.
 */
export const IDENTIFIER_KINDS: Readonly<Record<IdentifierKind, KindSpec>> = {
  pan: {
    label: "a PAN",
    protection: "encrypted",
    aliases: ["pan", "pan_no", "pan_number", "pan_card", "pan_card_no", "pan_card_number", "pan_id"],
  },
  gstin: {
    label: "a GSTIN",
    protection: "plain",
    aliases: ["gstin", "gst", "gst_no", "gst_number", "gstin_no", "gstin_number", "gst_in"],
  },
  aadhaar: {
    label: "an Aadhaar number",
    protection: "masked",
    aliases: [
      "aadhaar",
      "aadhaar_no",
      "aadhaar_number",
      "aadhaar_card",
      "aadhaar_card_no",
      "aadhaar_card_number",
      "aadhar",
      "aadhar_no",
      "aadhar_number",
      "aadhar_card",
      "aadhar_card_no",
      "aadhar_card_number",
      "adhaar",
      "adhaar_no",
      "adhar",
      "adhar_no",
      "uid",
      "uid_no",
      "uid_number",
      "uidai",
      "uidai_no",
    ],
  },
  mobile: {
    label: "a mobile number",
    protection: "plain",
    aliases: [
      "mobile",
      "mobile_no",
      "mobile_number",
      "mobile_phone",
      "phone",
      "phone_no",
      "phone_number",
      "mob_no",
      "cell_no",
      "cell_number",
      "whatsapp",
      "whatsapp_no",
      "whatsapp_number",
    ],
  },
  email: {
    label: "an email address",
    protection: "plain",
    aliases: ["email", "email_id", "email_address", "e_mail", "e_mail_id", "e_mail_address", "mail_id"],
  },
  passport: {
    label: "a passport number",
    protection: "encrypted",
    aliases: ["passport", "passport_no", "passport_number", "passport_id"],
  },
  voter_id: {
    label: "a voter id (EPIC) number",
    protection: "encrypted",
    aliases: [
      "voter_id",
      "voter_id_no",
      "voter_id_number",
      "voter_card",
      "voter_card_no",
      "voterid",
      "epic",
      "epic_no",
      "epic_number",
    ],
  },
  driving_licence: {
    label: "a driving licence number",
    protection: "encrypted",
    aliases: [
      "driving_licence",
      "driving_license",
      "driving_licence_no",
      "driving_license_no",
      "driving_licence_number",
      "driving_license_number",
      "dl_no",
      "dl_number",
    ],
  },
  dob: {
    label: "a date of birth",
    protection: "plain",
    aliases: ["dob", "date_of_birth", "birth_date", "birthdate", "d_o_b"],
  },
  // Found in bank accounts (`account_number` with `ifsc`), never in props.
  bank_account: { label: "a bank account", protection: "encrypted", aliases: [] },
};

const ALIASES = new Map<string, IdentifierKind>();
/** Whether a string names an identifier kind (a stored or parsed kind, checked once it is read back). */
export function isIdentifierKind(name: string): name is IdentifierKind {
  return Object.hasOwn(IDENTIFIER_KINDS, name);
}

for (const [kind, spec] of Object.entries(IDENTIFIER_KINDS)) {
  if (isIdentifierKind(kind)) for (const alias of spec.aliases) ALIASES.set(alias, kind);
}

/** A prop key as the alias table spells it: lower-case, runs of spaces, `-`, `.` and `_` as one `_`. */
export function propKeyForm(key: string): string {
  return key
    .trim()
    .toLowerCase()
    .replace(/[\s._-]+/g, "_")
    .replace(/^_|_$/g, "");
}

// Every contact of a page has the same few prop keys ("pan", "mobile" ...), and each read asks for their
// kinds (masking, signals): kept per key, so a page does not fold the same key for every contact.
const KIND_CACHE_SIZE = 1000;
const kindOfKey = new Map<string, IdentifierKind | null>();

/** The identifier kind a prop key names, or null. Case, spaces, dashes and dots are not significant. */
export function identifierKindOfKey(key: string): IdentifierKind | null {
  if (typeof key !== "string") return null;
  let kind = kindOfKey.get(key);
  if (kind === undefined) {
    kind = ALIASES.get(propKeyForm(key)) ?? null;
    if (kindOfKey.size >= KIND_CACHE_SIZE) kindOfKey.clear();
    kindOfKey.set(key, kind);
  }
  return kind;
}

/** How a kind is kept at rest. */
export function protectionOf(kind: IdentifierKind): Protection {
  return IDENTIFIER_KINDS[kind].protection;
}

// ---------------------------------------------------------------------------------------------
// Text folding: what every identifier goes through before its kind's rules

// After NFKC, the only non-ASCII decimal digits left are those of native scripts (Devanagari, Bengali,
// Tamil ...). Unicode encodes every \p{Nd} digit in a contiguous run of ten, 0 to 9 (a stability policy),
// so a digit's value is its distance from the start of its run, modulo 10.
const ND = /\p{Nd}/u;
const digitValues = new Map<number, string>();
function asciiDigit(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  let value = digitValues.get(cp);
  if (value === undefined) {
    let steps = 0;
    while (steps < 60 && ND.test(String.fromCodePoint(cp - steps - 1))) steps++;
    value = String(steps % 10);
    digitValues.set(cp, value);
  }
  return value;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const FORMAT_CHARS = /\p{Cf}/gu;
const NON_ASCII_DIGITS = /(?![0-9])\p{Nd}/gu;

/**
 * NFKC (full-width forms, compatibility digits), every format character (\p{Cf}: zero-width spaces,
 * soft hyphen, word joiner, bidi marks) removed, digits of any script as ASCII digits. Letters that
 * merely look Latin (Cyrillic К, Greek Α) are left alone, so the ASCII-only patterns refuse them.
 */
export function foldIdentifierText(raw: string): string {
  if (PRINTABLE_ASCII.test(raw)) return raw;
  return raw.normalize("NFKC").replace(FORMAT_CHARS, "").replace(NON_ASCII_DIGITS, asciiDigit);
}

/** Document and account numbers: separators (spaces, `-`, `.`, `/`) removed, ASCII letters upper-cased. */
function documentNumber(raw: string): string {
  return foldIdentifierText(raw)
    .replace(/[\s./-]+/g, "")
    .replace(/[a-z]+/g, (s) => s.toUpperCase());
}

// ---------------------------------------------------------------------------------------------
// PAN

const PAN_RE = /^[A-Z]{5}[0-9]{4}[A-Z]$/;

/** The holder type encoded in a PAN's 4th character (Income Tax Department's published list). */
const PAN_HOLDER_TYPES: Record<string, string> = {
  P: "individual",
  C: "company",
  H: "huf",
  F: "firm",
  A: "aop",
  T: "trust",
  B: "boi",
  L: "local_authority",
  J: "artificial_juridical_person",
  G: "government",
};

const compact = (raw: string) => raw.replace(/[\s-]+/g, "").toUpperCase();

/** A PAN in canonical form (upper-case, no spaces) with a known holder type. */
export function isValidPan(v: string): boolean {
  return PAN_RE.test(v) && v.charAt(3) in PAN_HOLDER_TYPES;
}

/** "individual", "company", ... for a PAN's holder-type letter (its 4th character), else null. */
export function panHolderTypeOfLetter(letter: string): string | null {
  return Object.hasOwn(PAN_HOLDER_TYPES, letter) ? (PAN_HOLDER_TYPES[letter] ?? null) : null;
}

/** "individual", "company", ... for a valid PAN (any formatting), else null. */
export function panHolderType(pan: string): string | null {
  const v = documentNumber(pan);
  return isValidPan(v) ? (PAN_HOLDER_TYPES[v.charAt(3)] ?? null) : null;
}

// ---------------------------------------------------------------------------------------------
// GSTIN: 2-digit state code, the holder's PAN, an entity number, "Z", a base-36 check character.

const GSTIN_RE = /^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/;
const BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function gstinStateCodeValid(code: number): boolean {
  // 01-38 are the states and union territories; 97 "other territory"; 99 "centre jurisdiction".
  return (code >= 1 && code <= 38) || code === 97 || code === 99;
}

/** The GSTN check character of the first 14 characters: weights alternate 1, 2; digits of base 36 summed. */
export function gstinCheckChar(first14: string): string {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    const product = BASE36.indexOf(first14.charAt(i)) * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(product / 36) + (product % 36);
  }
  return BASE36.charAt((36 - (sum % 36)) % 36);
}

/** A GSTIN in canonical form: format, state code, embedded PAN and check character. */
export function isValidGstin(v: string): boolean {
  return (
    GSTIN_RE.test(v) &&
    gstinStateCodeValid(Number(v.slice(0, 2))) &&
    isValidPan(panOfGstin(v)) &&
    gstinCheckChar(v.slice(0, 14)) === v.charAt(14)
  );
}

/** Characters 3-12 of a GSTIN: the PAN of the registered person (a proprietorship's is its owner's). */
export function panOfGstin(gstin: string): string {
  return compact(gstin).slice(2, 12);
}

// ---------------------------------------------------------------------------------------------
// Aadhaar: 12 digits, not starting with 0 or 1, the last a Verhoeff check digit.

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
// Position i uses the permutation (1 5 8 9 4 2 7 0)(3 6) applied i times; built, not typed out.
const VERHOEFF_SIGMA = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];
let permutation = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const VERHOEFF_P: number[][] = [permutation];
for (let i = 1; i < 8; i++) {
  permutation = permutation.map((d) => VERHOEFF_SIGMA[d] ?? d);
  VERHOEFF_P.push(permutation);
}
const VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

function verhoeffChecksum(digits: string, appendingCheck: boolean): number {
  let c = 0;
  const n = digits.length;
  for (let i = 0; i < n; i++) {
    const digit = digits.charCodeAt(n - 1 - i) - 48;
    const p = VERHOEFF_P[(i + (appendingCheck ? 1 : 0)) % 8]?.[digit];
    const next = p === undefined ? undefined : VERHOEFF_D[c]?.[p];
    if (next === undefined) throw new RangeError("A Verhoeff checksum takes digits only");
    c = next;
  }
  return c;
}

/** The Verhoeff check digit to append to a string of digits. */
export function verhoeffCheckDigit(digits: string): number {
  const check = VERHOEFF_INV[verhoeffChecksum(digits, true)];
  if (check === undefined) throw new RangeError("A Verhoeff checksum is a digit");
  return check;
}

/** Whether a string of digits ends in a correct Verhoeff check digit. */
export function verhoeffValid(digits: string): boolean {
  return /^[0-9]+$/.test(digits) && verhoeffChecksum(digits, false) === 0;
}

/** An Aadhaar number in canonical form (12 digits, no separators). */
export function isValidAadhaar(v: string): boolean {
  return /^[2-9][0-9]{11}$/.test(v) && verhoeffValid(v);
}

// ---------------------------------------------------------------------------------------------
// Mobile numbers

/** "+91XXXXXXXXXX" for an Indian mobile, "+<digits>" for another E.164 number, else null. */
function normaliseMobile(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^[+0-9\s\-().]+$/.test(trimmed)) return null;
  let digits = trimmed.replace(/[^0-9]/g, "");
  let international = trimmed.startsWith("+") || trimmed.startsWith("(+");
  if (!international && digits.startsWith("00")) {
    // "00" is the international call prefix dialled from India.
    digits = digits.slice(2);
    international = true;
  }
  if (international) {
    // "+91 (0) 98..." keeps the trunk zero some people write after the country code.
    if (/^910[6-9][0-9]{9}$/.test(digits)) digits = `91${digits.slice(3)}`;
    // A +91 number must be an Indian mobile: landlines are shared by whole offices and households.
    if (digits.startsWith("91")) return /^91[6-9][0-9]{9}$/.test(digits) ? `+${digits}` : null;
    return /^[1-9][0-9]{7,14}$/.test(digits) ? `+${digits}` : null;
  }
  const national = /^(?:0|91)?([6-9][0-9]{9})$/.exec(digits);
  return national ? `+91${national[1]}` : null;
}

// ---------------------------------------------------------------------------------------------
// Dates of birth

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
MONTH_NAMES.forEach((name, i) => {
  MONTHS[name] = i + 1;
});

function isoDate(year: number, month: number, day: number): string | null {
  const thisYear = new Date().getUTCFullYear();
  if (year < 1900 || year > thisYear || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 31 April over to 1 May: a changed month means the day did not exist.
  if (date.getUTCMonth() !== month - 1 || date.getTime() > Date.now()) return null;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** ISO "YYYY-MM-DD" from the formats Indian forms use (day before month when numeric). */
function normaliseDob(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(v);
  if (m) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/.exec(v);
  if (m) return isoDate(Number(m[4]), Number(m[3]), Number(m[1]));
  m = /^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{4})$/.exec(v);
  if (m) {
    const month = MONTHS[m[2] ?? ""];
    return month ? isoDate(Number(m[3]), month, Number(m[1])) : null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Bank accounts

const IFSC_RE = /^[A-Z]{4}0[A-Z0-9]{6}$/;

/** "IFSC:digits" for a bank account, or null. Leading zeros are significant in account numbers. */
export function bankAccountKey(accountNumber: string, ifsc: string): string | null {
  const account = accountNumber.replace(/[\s-]+/g, "");
  const code = compact(ifsc);
  if (!/^[0-9]{6,18}$/.test(account) || !IFSC_RE.test(code)) return null;
  return `${code}:${account}`;
}

// ---------------------------------------------------------------------------------------------
// The canonical form of every kind

const EMAIL_RE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export type Canonical = { ok: true; value: string } | { ok: false; message: string };

const ok = (value: string): Canonical => ({ ok: true, value });
const no = (message: string): Canonical => ({ ok: false, message });

/**
 * The canonical form of an identifier, or the rule it breaks. Messages name the rule and never echo
 * the value (it is personal data, and error bodies get logged).
 */
export function canonicalIdentifier(kind: IdentifierKind, raw: string): Canonical {
  if (typeof raw !== "string") return no(`must be ${IDENTIFIER_KINDS[kind].label}`);
  switch (kind) {
    case "pan": {
      const v = documentNumber(raw);
      if (!PAN_RE.test(v)) return no("must be a PAN: five letters, four digits and a letter (A-Z, 0-9)");
      if (!(v.charAt(3) in PAN_HOLDER_TYPES)) return no("must be a PAN: its 4th letter is not a holder type");
      return ok(v);
    }
    case "gstin": {
      const v = documentNumber(raw);
      if (!GSTIN_RE.test(v)) {
        return no("must be a GSTIN: 2-digit state code, PAN, entity number, Z and a check character");
      }
      if (!gstinStateCodeValid(Number(v.slice(0, 2)))) return no("must be a GSTIN: unknown state code");
      if (!isValidPan(v.slice(2, 12))) return no("must be a GSTIN: the embedded PAN is not valid");
      if (gstinCheckChar(v.slice(0, 14)) !== v.charAt(14)) {
        return no("must be a GSTIN: the check character does not match");
      }
      return ok(v);
    }
    case "aadhaar": {
      const v = documentNumber(raw);
      if (!/^[2-9][0-9]{11}$/.test(v)) {
        return no("must be an Aadhaar number: 12 digits, the first not 0 or 1");
      }
      if (!verhoeffValid(v)) return no("must be an Aadhaar number: the Verhoeff check digit does not match");
      return ok(v);
    }
    case "mobile": {
      const v = normaliseMobile(foldIdentifierText(raw));
      return v
        ? ok(v)
        : no("must be a mobile number: 10 digits for India (+91 optional) or +<country><number>");
    }
    case "email": {
      const v = foldIdentifierText(raw).trim().toLowerCase();
      return v.length <= 254 && EMAIL_RE.test(v) ? ok(v) : no("must be an email address: name@domain.tld");
    }
    case "passport": {
      const v = documentNumber(raw);
      return /^[A-Z][0-9]{7}$/.test(v) ? ok(v) : no("must be a passport number: a letter and seven digits");
    }
    case "voter_id": {
      const v = documentNumber(raw);
      return /^[A-Z]{3}[0-9]{7}$/.test(v)
        ? ok(v)
        : no("must be a voter id (EPIC): three letters and seven digits");
    }
    case "driving_licence": {
      // State code, RTO code, then year and serial; states pad differently, hence the loose length.
      const v = documentNumber(raw);
      return /^[A-Z]{2}[0-9]{2}[0-9A-Z]{9,13}$/.test(v)
        ? ok(v)
        : no(
            "must be a driving licence number: state code, 2-digit RTO code, then 9 to 13 letters or digits",
          );
    }
    case "dob": {
      const v = normaliseDob(foldIdentifierText(raw));
      return v ? ok(v) : no("must be a date of birth: a real date between 1900 and today");
    }
    case "bank_account": {
      // The canonical form is "IFSC:account"; accept it back so normalisation stays idempotent.
      const parts = foldIdentifierText(raw).split(":");
      const [ifsc, account] = parts;
      const v =
        parts.length === 2 && ifsc !== undefined && account !== undefined
          ? bankAccountKey(account, ifsc)
          : null;
      return v ? ok(v) : no("must be a bank account: IFSC:account number");
    }
  }
}

/** The canonical form of an identifier, or null when raw is not a valid identifier of that kind. */
export function normaliseIdentifier(kind: IdentifierKind, raw: string): string | null {
  const result = canonicalIdentifier(kind, raw);
  return result.ok ? result.value : null;
}

// ---------------------------------------------------------------------------------------------
// Props: validation and canonical values

/** A contact prop as the API carries it. */
export type Prop = { key: string; value: string; type: string };

/**
 * A field error for every identifier prop whose value is not a well-formed identifier of its kind, at
 * `props.<index>.value`. Props with `kept: true` (a masked value sent back unchanged, see
 * `mergeMaskedWrites` in src/pii) hold a stored value and are not checked.
 */
export function validateIdentifierProps(
  props: readonly (Prop & { kept?: boolean })[],
  pathPrefix = "props",
): FieldError[] {
  const errors: FieldError[] = [];
  props.forEach((prop, index) => {
    if (prop.kept) return;
    const problem = identifierProblem(prop);
    if (problem)
      errors.push({ path: `${pathPrefix}.${index}.value`, code: INVALID_IDENTIFIER, message: problem });
  });
  return errors;
}

export const INVALID_IDENTIFIER = "invalid_identifier";

/** Why a prop's value is not a valid identifier of the kind its key names; null when it is, or names none. */
export function identifierProblem(prop: Prop): string | null {
  const kind = identifierKindOfKey(prop.key);
  if (!kind) return null;
  const result = canonicalIdentifier(kind, prop.value);
  return result.ok ? null : result.message;
}

/** Props with every valid identifier in canonical form; other values (and kept props) unchanged. */
export function canonicaliseProps<P extends Prop & { kept?: boolean }>(props: readonly P[]): P[] {
  return props.map((prop) => {
    if (prop.kept) return prop;
    const kind = identifierKindOfKey(prop.key);
    if (!kind) return prop;
    const result = canonicalIdentifier(kind, prop.value);
    return result.ok && result.value !== prop.value ? { ...prop, value: result.value } : prop;
  });
}

// ---------------------------------------------------------------------------------------------
// Hashing and extraction

const hmacKeys = new Map<string, Promise<CryptoKey>>();
const encoder = new TextEncoder();

function hmacKeyOf(key: string): Promise<CryptoKey> {
  let cryptoKey = hmacKeys.get(key);
  if (!cryptoKey) {
    // One secret per deployment (two during a change): import once per isolate, not per value.
    if (hmacKeys.size >= 4) hmacKeys.clear();
    cryptoKey = crypto.subtle.importKey(
      "raw",
      encoder.encode(key),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    hmacKeys.set(key, cryptoKey);
    cryptoKey.catch(() => hmacKeys.delete(key));
  }
  return cryptoKey;
}

/** HMAC-SHA256 of value under key, truncated, lower-case hex: how hashed identifiers are compared and indexed. */
export async function hashIdentifier(value: string, key: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKeyOf(key), encoder.encode(value));
  // The first 128 bits (HMAC-SHA-256-128, RFC 4868): collisions stay out of reach, and each index row
  // and bank account keeps 32 characters instead of 64.
  return Array.from(new Uint8Array(mac, 0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}

export type ExtractOptions = {
  /**
   * Also keep the encrypted kinds (PAN, passport, voter id, driving licence, bank account, and the PAN
   * a GSTIN embeds) only as their HMAC, so the identifier index holds no protected identifier in clear.
   * Off by default: the index rows written so far hold them canonical.
   */
  hashProtected?: boolean;
};

/**
 * Every valid identifier in a contact's props and bank accounts, deduplicated by kind and value.
 * Aadhaar numbers come back only as their HMAC, so callers never hold them in clear. A GSTIN also
 * yields the PAN it embeds, so a proprietorship firm links to its owner's PAN.
 */
export async function extractIdentifiers(
  props: { key: string; value: string }[],
  banks: { account_number: string; ifsc: string }[],
  hmacKey: string,
  options: ExtractOptions = {},
): Promise<Identifier[]> {
  const found: Identifier[] = [];
  const indexed = (kind: IdentifierKind, value: string) =>
    kind === "aadhaar" || (options.hashProtected && protectionOf(kind) === "encrypted")
      ? hashIdentifier(value, hmacKey)
      : value;
  for (const { key, value } of props) {
    const kind = identifierKindOfKey(key);
    if (!kind || typeof value !== "string") continue;
    const normalised = normaliseIdentifier(kind, value);
    if (!normalised) continue;
    const field = `props.${key}`;
    found.push({ kind, value: await indexed(kind, normalised), field });
    if (kind === "gstin")
      found.push({ kind: "pan", value: await indexed("pan", panOfGstin(normalised)), field });
  }
  for (const bank of banks) {
    const value = bankAccountKey(bank.account_number ?? "", bank.ifsc ?? "");
    if (value) {
      found.push({
        kind: "bank_account",
        value: await indexed("bank_account", value),
        field: "banks.account_number",
      });
    }
  }
  const seen = new Set<string>();
  return found.filter((id) => {
    const k = `${id.kind}\u0000${id.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
