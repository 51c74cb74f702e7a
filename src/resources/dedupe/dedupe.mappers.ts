import type { DuplicateMatch } from "../../dedupe/dedupe.repository";
import type { Viewer } from "../../pii/access";
import { toContact } from "../contacts/contacts.mappers";

/** Dedupe matches as the API shows them: contacts with their score and the rules that fired. */
export async function toMatches(matches: DuplicateMatch[], viewer: Viewer) {
  const results = await Promise.all(
    matches.map(async (m) => ({
      contact: await toContact(m.contact, viewer),
      score: m.score,
      reasons: m.reasons,
    })),
  );
  return { count: results.length, results };
}
