/**
 * Scoring of one candidate against a probe, with the reasons that produced the score.
 *
 * Each rule adds its weight of evidence in log-odds (Fellegi-Sunter style); the score is the logistic
 * of the sum, so agreeing rules add up and no rule alone decides except as the floors below say.
 * Identifiers come in two tiers:
 *  - identity documents (PAN, GSTIN, Aadhaar, passport, voter id, driving licence) belong to one
 *    person or entity: two different ones of the same kind are close to proof of two holders;
 *  - contact points (mobile, email, bank account) are routinely shared by a household, or by a firm
 *    and its director. A shared one is strong evidence; a different mobile or email weighs against,
 *    because "same mobile, different email" is what a spouse looks like when one record has no PAN.
 *    Different bank accounts weigh nothing: people hold several; nor do a firm's office contacts
 *    differing from its owner's.
 * Name, type and date of birth only ever add weight; so does an address, as a house number at a PIN
 * code (a "place", address.ts), and only for names that agree. PANs are indexed as keyed hashes, so
 * their holder type and a keying error are read from signals kept beside them (signals.ts).
 * API.md: an exact strong identifier gives at least 0.9. Identity documents are the strong identifiers: an exact one always gives at least 0.9.
 * An exact contact point (mobile, email, bank account) gives at least 0.9 unless the pair is judged two
 * parties: a disagreeing name between like-typed contacts (without that rule every spouse sharing a
 * phone is reported as the same borrower: precision 0.95 instead of 0.98 on the evaluation set,
 * `npm run eval:dedupe`), or a conflicting identity document. Such a pair is a link, never a duplicate.
 */

import { type Identifier, type IdentifierKind, panHolderType, panHolderTypeOfLetter } from "./identifiers";
import { compareNames, namesBusiness, namesLegalEntity, namesProprietorOf, withinOneEdit } from "./names";
import { readPanSignal, type Signal } from "./signals";

export type DedupeFeatures = {
  name: string | null;
  type: "individual" | "corporate" | null;
  identifiers: Identifier[];
  /** PAN holder types and address signals (signals.ts), when known. */
  signals?: Signal[];
};
export type Reason = {
  rule: IdentifierKind | "name" | "type";
  field: string;
  match: "exact" | "similar" | "different";
};

export const DEFAULT_THRESHOLD = 0.5;
export const DEFAULT_LIMIT = 10;

const IDENTITY_KINDS: readonly IdentifierKind[] = [
  "pan",
  "gstin",
  "aadhaar",
  "passport",
  "voter_id",
  "driving_licence",
];
const CONTACT_KINDS: readonly IdentifierKind[] = ["mobile", "email", "bank_account"];

/** Weights of evidence, in natural log-odds. */
const LOG_ODDS = {
  prior: -4, // most pairs of contacts are different holders
  identityExact: 6,
  contactExact: 5,
  contactWeak: 1.5,
  // A household that shares a mobile often shares its email or account too: not independent evidence.
  furtherContactExact: 1.5,
  // One keying error in a document number: plausible, not proof. Aadhaar is compared by hash only.
  identitySimilar: 2,
  identityConflict: -8,
  contactConflict: -2.5,
  name: 3, // at full similarity; scaled down to nothing at NAME_FLOOR
  dob: 2,
  // The same house number at the same PIN code: a household, so only with names agreeing (twins share
  // a date of birth and a house). About as telling as a date of birth, then.
  place: 2,
  // A firm named after the person's given name ("Imran Jewellers" / "Imran Mirza"): how proprietors
  // name their shops. Only with a place in common, never alone.
  proprietor: 2.5,
  type: 0.3,
};
const NAME_FLOOR = 0.7;
/**
 * The similarity an initial agreeing with a whole name part ("T. Sen" / "Tapas Sen") counts as when
 * a date of birth or a contact point agrees too: with the date of birth alone that is a duplicate.
 */
const INITIALS_SIMILARITY = 0.93;
const EXACT_FLOOR = 0.9;
/**
 * How alike names must be for a shared place to count: the same name once romanisation, order,
 * honorifics and joined parts are folded ("Prashant Shinde" / "SHINDE PRASHANT" / "Prasant Shinde").
 * Not a name one letter off: brothers share a house and a surname, and often given names a letter
 * apart ("Rajesh" / "Rakesh"), which no string measure tells from a typo.
 */
const PLACE_NAME_MIN = 0.999;

function byKind(ids: Identifier[]): Map<IdentifierKind, Identifier[]> {
  const map = new Map<IdentifierKind, Identifier[]>();
  for (const id of ids) map.set(id.kind, [...(map.get(id.kind) ?? []), id]);
  return map;
}

type Comparison = { match: Reason["match"]; field: string };

/** How the probe's and the candidate's identifiers of one kind compare; null when one side has none. */
function compareKind(kind: IdentifierKind, probe: Identifier[], candidate: Identifier[]): Comparison | null {
  const first = candidate[0];
  if (!probe.length || first === undefined) return null;
  const values = new Set(probe.map((id) => id.value));
  const exact = candidate.find((id) => values.has(id.value));
  if (exact) return { match: "exact", field: exact.field };
  if (kind !== "aadhaar" && IDENTITY_KINDS.includes(kind)) {
    const similar = candidate.find((c) => probe.some((p) => withinOneEdit(p.value, c.value)));
    if (similar) return { match: "similar", field: similar.field };
  }
  return { match: "different", field: first.field };
}

/** Identity documents only a natural person holds, and a date of birth. */
const PERSONAL_KINDS: readonly IdentifierKind[] = [
  "aadhaar",
  "passport",
  "voter_id",
  "driving_licence",
  "dob",
];

/**
 * The holder types of a contact's PANs (and GSTIN-embedded PANs), with the fields they came from: read
 * from the PAN where it is in clear, else from the `pan_type` signal kept beside its hash.
 */
function panHolders(features: DedupeFeatures, ids: Map<IdentifierKind, Identifier[]>) {
  const holders: { holder: string; field: string }[] = [];
  for (const id of ids.get("pan") ?? []) {
    const holder = panHolderType(id.value);
    if (holder) holders.push({ holder, field: id.field });
  }
  for (const signal of features.signals ?? []) {
    if (signal.kind !== "pan_sig") continue;
    const holder = panHolderTypeOfLetter(readPanSignal(signal.value).holder);
    if (holder) holders.push({ holder, field: signal.field });
  }
  return holders;
}

/** Whether the contact is shown to be a natural person: an individual's PAN or a personal document. */
function naturalPerson(features: DedupeFeatures, ids: Map<IdentifierKind, Identifier[]>): boolean {
  if (PERSONAL_KINDS.some((kind) => ids.get(kind)?.length)) return true;
  return panHolders(features, ids).some((h) => h.holder === "individual");
}

/**
 * The field of the PAN (or GSTIN-embedded PAN) showing the contact is not a natural person: a company,
 * firm, HUF, trust ... A proprietorship has no PAN of its own (its GSTIN embeds the proprietor's), so
 * it is not one.
 */
function legalEntityPan(
  features: DedupeFeatures,
  ids: Map<IdentifierKind, Identifier[]>,
): string | undefined {
  return panHolders(features, ids).find((h) => h.holder !== "individual")?.field;
}

/** Whether a PAN of each contact shares a half hash with the other's (signals.ts). */
function sharePanHalf(probe: DedupeFeatures, candidate: DedupeFeatures): boolean {
  const halves = (f: DedupeFeatures) =>
    (f.signals ?? []).filter((s) => s.kind === "pan_sig").flatMap((s) => readPanSignal(s.value).halves);
  const theirs = new Set(halves(candidate));
  return halves(probe).some((h) => theirs.has(h));
}

/**
 * The probe's address signal naming a place (a house number at a PIN code) the candidate shares too;
 * none when either shows no place or they differ (people move: that is not evidence against).
 */
function sharedPlace(probe: DedupeFeatures, candidate: DedupeFeatures): Signal | undefined {
  const theirs = new Set((candidate.signals ?? []).filter((s) => s.kind === "address").map((s) => s.value));
  return (probe.signals ?? []).find((s) => s.kind === "address" && theirs.has(s.value));
}

/** Score in [0, 1] (2 decimals) that candidate is the same person or entity as probe, with reasons. */
export function scoreMatch(
  probe: DedupeFeatures,
  candidate: DedupeFeatures,
): { score: number; reasons: Reason[]; differentParties: boolean } {
  const reasons: Reason[] = [];
  let evidence = LOG_ODDS.prior;
  let identityExact = false;
  let contactExact = false;
  // Different identity documents (or a legal entity against a natural person): two holders.
  let identityConflicts = 0;

  // A record without a type whose name is a business's ("New Verma Steels") is a business's.
  const typeOf = (f: DedupeFeatures) => f.type ?? (f.name && namesBusiness(f.name) ? "corporate" : null);
  const probeType = typeOf(probe);
  const candidateType = typeOf(candidate);
  const typesDiffer = probeType !== null && candidateType !== null && probeType !== candidateType;
  const names = probe.name && candidate.name ? compareNames(probe.name, candidate.name) : null;
  let similarity = names?.similarity ?? null;
  const p = byKind(probe.identifiers);
  const c = byKind(candidate.identifiers);
  // A company, firm or trust (by its PAN) is never the same legal person as a natural person (by an
  // Aadhaar, an individual's PAN, a date of birth ...), whatever contact point they share: that is a
  // director's or partner's phone on the firm's record. Two different holders, like two PANs.
  // The name of a company, partnership, trust or HUF ("... Pvt. Ltd.", "... & Sons") says as much when
  // its record shows no PAN.
  const entityOf = (ids: Map<IdentifierKind, Identifier[]>, features: DedupeFeatures): Reason | null => {
    const pan = legalEntityPan(features, ids);
    if (pan) return { rule: "pan", field: pan, match: "different" };
    if (features.type !== "individual" && features.name && namesLegalEntity(features.name))
      return { rule: "name", field: "name", match: "different" };
    return null;
  };
  const personOf = (ids: Map<IdentifierKind, Identifier[]>, features: DedupeFeatures) =>
    naturalPerson(features, ids) ||
    (features.type === "individual" && !(features.name && namesLegalEntity(features.name)));
  const entity = personOf(p, probe)
    ? entityOf(c, candidate)
    : personOf(c, candidate)
      ? entityOf(p, probe)
      : null;
  // A proprietorship named after its owner ("Imran Jewellers" / "Imran Mirza"): a business (by type or
  // name) and a record that is not one, with no legal entity between them (names.ts).
  const isBusiness = (f: DedupeFeatures) => typeOf(f) === "corporate";
  const proprietor =
    !entity &&
    !!probe.name &&
    !!candidate.name &&
    isBusiness(probe) !== isBusiness(candidate) &&
    (isBusiness(candidate)
      ? namesProprietorOf(candidate.name, probe.name)
      : namesProprietorOf(probe.name, candidate.name));
  // A shared mobile, email or account between two people (or two firms) whose names disagree is what a
  // household looks like, not one holder: it keeps only weak weight. API.md asks for the same type: a
  // firm and its proprietor differ in name by nature, a probe without a name cannot disagree, and one
  // whose type is unknown (none sent, a name that does not say) is not known to be of the same type.
  const sameType = probeType !== null && probeType === candidateType;
  const contactsWeak = similarity !== null && similarity < NAME_FLOOR && sameType && !proprietor;
  const samePan = (p.get("pan") ?? []).some((id) => (c.get("pan") ?? []).some((o) => o.value === id.value));
  if (entity && !samePan) {
    evidence += LOG_ODDS.identityConflict;
    identityConflicts++;
    reasons.push(entity);
  }
  for (const kind of [...IDENTITY_KINDS, ...CONTACT_KINDS]) {
    let cmp = compareKind(kind, p.get(kind) ?? [], c.get(kind) ?? []);
    if (!cmp) continue;
    // PANs held as keyed hashes cannot be compared character by character: a shared half says the
    // same (one keying error), see signals.ts.
    if (kind === "pan" && cmp.match === "different" && sharePanHalf(probe, candidate))
      cmp = { match: "similar", field: cmp.field };
    const identity = IDENTITY_KINDS.includes(kind);
    if (cmp.match === "exact") {
      if (identity) evidence += LOG_ODDS.identityExact;
      else if (contactsWeak) evidence += contactExact ? 0 : LOG_ODDS.contactWeak;
      else evidence += contactExact ? LOG_ODDS.furtherContactExact : LOG_ODDS.contactExact;
      identityExact ||= identity;
      contactExact ||= !identity;
    } else if (cmp.match === "similar") {
      evidence += LOG_ODDS.identitySimilar;
    } else if (kind === "bank_account" || (!identity && typesDiffer)) {
      // One person holds several accounts; a firm's office number and email differ from its owner's
      // by nature. Neither is evidence either way.
      continue;
    } else {
      evidence += identity ? LOG_ODDS.identityConflict : LOG_ODDS.contactConflict;
      if (identity) identityConflicts++;
    }
    reasons.push({ rule: kind, field: cmp.field, match: cmp.match });
  }

  const dob = compareKind("dob", p.get("dob") ?? [], c.get("dob") ?? []);
  const place = sharedPlace(probe, candidate);
  // An initial for a given name is read as the name it cuts only with a second signal agreeing: a date
  // of birth or a contact point. Not an address: "N. Hussain" at Nazia Hussain's house is as likely
  // her son Naved, and a household is what shares a house.
  if (names?.initials && similarity !== null && (dob?.match === "exact" || contactExact))
    similarity = Math.max(similarity, INITIALS_SIMILARITY);

  const namesAgree = similarity !== null && similarity >= NAME_FLOOR;
  if (similarity !== null && namesAgree) {
    evidence += (LOG_ODDS.name * (similarity - NAME_FLOOR)) / (1 - NAME_FLOOR);
    reasons.push({ rule: "name", field: "name", match: similarity >= 0.999 ? "exact" : "similar" });
  }
  // A place supports names that are one name only (PLACE_NAME_MIN): a household shares it. Nor when
  // the dates of birth differ: that is a household too (a sibling, a parent), which the place cannot
  // tell from one person (the date of birth itself only ever adds, API.md).
  const placeAgrees = !!place && dob?.match !== "different";
  // A proprietorship named after its owner at the owner's house: the firm is the person. (With a
  // contact point in common, the contact point decides.)
  if (proprietor && !namesAgree && placeAgrees) {
    evidence += LOG_ODDS.proprietor;
    reasons.push({ rule: "name", field: "name", match: "similar" });
  }
  // It weighs without a reason of its own: API.md's rule names do not include an address.
  if (place && placeAgrees && ((similarity ?? 0) >= PLACE_NAME_MIN || proprietor)) evidence += LOG_ODDS.place;

  if (dob?.match === "exact") {
    evidence += LOG_ODDS.dob;
    reasons.push({ rule: "dob", field: dob.field, match: "exact" });
  }

  if (probe.type && probe.type === candidate.type) {
    evidence += LOG_ODDS.type;
    reasons.push({ rule: "type", field: "type", match: "exact" });
  }

  // API.md: a shared contact point is at least 0.9 unless the pair is judged two parties: like-typed
  // contacts whose names disagree (a household), or holders of different identity documents. A
  // different mobile or email beside it weighs against but does not undo the floor.
  const differentParties = contactExact && !identityExact && (contactsWeak || identityConflicts > 0);
  let score = 1 / (1 + Math.exp(-evidence));
  if (identityExact || (contactExact && !differentParties)) score = Math.max(EXACT_FLOOR, score);
  score = Math.min(1, Math.max(0, Math.round(score * 100) / 100));
  // Strongest evidence first: agreeing identifiers, then name, dob and type, then conflicts.
  const rank = (r: Reason) =>
    r.match === "different" ? 3 : ["name", "dob", "type"].includes(r.rule) ? 2 : r.match === "exact" ? 0 : 1;
  reasons.sort((x, y) => rank(x) - rank(y));
  return { score, reasons, differentParties };
}

export type SharedRule = { rule: Reason["rule"]; field: string };
export type PairClass = {
  /**
   * "link": a contact point shared with a party judged different (scoreMatch), whatever the threshold;
   * "duplicate": any other pair at or above the threshold; else "none".
   */
  kind: "duplicate" | "link" | "none";
  score: number;
  reasons: Reason[];
  /** The contact points shared exactly (mobile, email, bank account): the `shared` of a link. */
  shared: SharedRule[];
};

/**
 * Where a candidate belongs in a dedupe response: among the duplicates (`results`), among the
 * `links` (a contact point shared with a party judged different: a household's phone, a guarantor's
 * number on another application, a director's on a firm), or nowhere. API.md "Links".
 */
export function classifyPair(
  probe: DedupeFeatures,
  candidate: DedupeFeatures,
  threshold: number = DEFAULT_THRESHOLD,
): PairClass {
  const { score, reasons, differentParties } = scoreMatch(probe, candidate);
  const shared = reasons
    .filter((r) => r.match === "exact" && CONTACT_KINDS.some((k) => k === r.rule))
    .map(({ rule, field }) => ({ rule, field }));
  // API.md: links are judged different parties and never in `results`, at any threshold.
  const kind = differentParties ? "link" : score >= threshold ? "duplicate" : "none";
  return { kind, score, reasons, shared };
}
