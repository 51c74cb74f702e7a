import type { DuplicateMatch, LinkMatch } from "../../dedupe/dedupe.repository";
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

/** The dedupe response: duplicates with scores and reasons, and links with the contact points shared. */
export async function toDedupeResult(
  found: { results: DuplicateMatch[]; links: LinkMatch[] },
  viewer: Viewer,
) {
  const links = await Promise.all(
    found.links.map(async (l) => ({ contact: await toContact(l.contact, viewer), shared: l.shared })),
  );
  return { ...(await toMatches(found.results, viewer)), links };
}
