import type { ContactWithNamespace } from "../../db/contact-queries";
import { auditOf } from "../../lib/fields";
import type { Viewer } from "../../pii/access";
import { maskProps, revealProps } from "../../pii/protection";
import { type AddressRow, toAddress } from "../addresses/addresses.mappers";
import { type BankRow, viewBank } from "../banks/banks.mappers";
import { type RelationRow, toRelation } from "../relations/relations.mappers";

export type Expanded = { addresses?: AddressRow[]; banks?: BankRow[]; relations?: RelationRow[] };

/**
 * The fields of a contact a client writes, as the API names them (history diffs compare these), with
 * its props as history shows them (protected identifiers masked, never their envelopes) unless a
 * reader's view of them is given.
 */
export function contactFields(row: ContactWithNamespace, props = maskProps(row.contact.props)) {
  const c = row.contact;
  return {
    name: c.name,
    namespace: row.namespace,
    status: c.status,
    type: c.type,
    tags: c.tags,
    refs: c.refs,
    props,
    rm_id: c.rmId,
    branch_id: c.branchId,
    ref_id: c.refId,
  };
}

/**
 * A contact as a reader sees it: protected identifiers in its props (and expanded bank accounts) in
 * clear only for `contacts:pii`, else masked; Aadhaar always masked.
 */
export async function toContact(row: ContactWithNamespace, viewer: Viewer, expanded: Expanded = {}) {
  const c = row.contact;
  const banks = expanded.banks
    ? await Promise.all(expanded.banks.map((b) => viewBank(b, viewer)))
    : undefined;
  return {
    id: c.id,
    ...contactFields(row, await viewProps(row, viewer)),
    namespace_id: c.namespaceId,
    approval_status: c.approvalStatus,
    erased_at: c.erasedAt,
    erased_by: c.erasedBy,
    ...auditOf(c),
    ...(expanded.addresses ? { addresses: expanded.addresses.map(toAddress) } : {}),
    ...(banks ? { banks } : {}),
    ...(expanded.relations ? { relations: expanded.relations.map(toRelation) } : {}),
  };
}

/** Only the id: what a 409 shows of a contact to a token that cannot read contacts. */
export const contactRef = (row: ContactWithNamespace) => ({ id: row.contact.id });

function viewProps(row: ContactWithNamespace, viewer: Viewer) {
  const ctx = { tenantId: row.contact.tenantId };
  return revealProps(viewer.ring, row.contact.props, ctx, { clear: viewer.clear });
}

export async function toProps(row: ContactWithNamespace, viewer: Viewer) {
  return { contact_id: row.contact.id, props: await viewProps(row, viewer) };
}
