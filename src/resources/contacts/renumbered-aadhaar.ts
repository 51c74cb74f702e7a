import { contactIdentifiers, type StoredProp } from "../../db/schema";
import { identifierRowsOf } from "../../dedupe/dedupe.repository";
import {
  canonicalIdentifier,
  extractIdentifiers,
  identifierKindOfKey,
  protectionOf,
} from "../../dedupe/identifiers";
import { decodeRows, storedValue } from "../../dedupe/index-form";
import type { Db } from "../../env";
import type { PiiConfig } from "../../pii/access";
import { looksMasked, maskAadhaar } from "../../pii/mask";

/**
 * The keys of Aadhaar props sent in clear that hold another number than the one stored, though the
 * stored mask is the same (same last four digits). Aadhaar is stored only as its mask, so the stored
 * props cannot tell such a change from a repeat of the same number: the identifier index's keyed hash
 * can, and is read only then. Any other change shows in the stored props themselves.
 */
export async function renumberedAadhaar(
  db: Db,
  pii: PiiConfig,
  tenantId: string,
  contactId: string,
  incoming: readonly { key: string; value: string }[],
  stored: readonly StoredProp[],
): Promise<Set<string>> {
  const storedMask = new Map(stored.map((p) => [p.key, p.value]));
  const sameMask: { key: string; value: string }[] = [];
  for (const prop of incoming) {
    const kind = identifierKindOfKey(prop.key);
    if (!kind || protectionOf(kind) !== "masked" || looksMasked(prop.value)) continue;
    const canonical = canonicalIdentifier(kind, prop.value);
    if (canonical.ok && maskAadhaar(canonical.value) === storedMask.get(prop.key)) sameMask.push(prop);
  }
  if (sameMask.length === 0) return new Set();
  const indexed = decodeRows(
    await db
      .select({
        kind: contactIdentifiers.kind,
        value: storedValue(contactIdentifiers.value),
        field: contactIdentifiers.field,
      })
      .from(contactIdentifiers)
      .where(identifierRowsOf(tenantId, contactId)),
  );
  const sent = await extractIdentifiers(sameMask, [], pii.hmacKey);
  const renumbered = new Set<string>();
  for (const id of sent) {
    const same = indexed.some(
      (row) => row.kind === id.kind && row.field === id.field && row.value === id.value,
    );
    if (!same) renumbered.add(id.field.replace(/^props\./, ""));
  }
  return renumbered;
}
