import type { DuplicateMatch } from "../../dedupe/dedupe.repository";
import { toContact } from "../contacts/contacts.mappers";

/** Dedupe matches as the API shows them: contacts with their score and the rules that fired. */
export function toMatches(matches: DuplicateMatch[]) {
  return {
    count: matches.length,
    results: matches.map((m) => ({ contact: toContact(m.contact), score: m.score, reasons: m.reasons })),
  };
}
