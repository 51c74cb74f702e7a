import type { ContactWithNamespace } from "../../db/contact-queries";
import { auditOf } from "../../lib/fields";
import { type AddressRow, toAddress } from "../addresses/addresses.mappers";
import { type BankRow, toBank } from "../banks/banks.mappers";
import { type RelationRow, toRelation } from "../relations/relations.mappers";

export type Expanded = { addresses?: AddressRow[]; banks?: BankRow[]; relations?: RelationRow[] };

/** The fields of a contact a client writes, as the API names them (history diffs compare these). */
export function contactFields(row: ContactWithNamespace) {
  const c = row.contact;
  return {
    name: c.name,
    namespace: row.namespace,
    status: c.status,
    type: c.type,
    tags: c.tags,
    refs: c.refs,
    props: c.props,
    rm_id: c.rmId,
    branch_id: c.branchId,
    ref_id: c.refId,
  };
}

export function toContact(row: ContactWithNamespace, expanded: Expanded = {}) {
  const c = row.contact;
  return {
    id: c.id,
    ...contactFields(row),
    namespace_id: c.namespaceId,
    approval_status: c.approvalStatus,
    ...auditOf(c),
    ...(expanded.addresses ? { addresses: expanded.addresses.map(toAddress) } : {}),
    ...(expanded.banks ? { banks: expanded.banks.map(toBank) } : {}),
    ...(expanded.relations ? { relations: expanded.relations.map(toRelation) } : {}),
  };
}

export function toProps(row: ContactWithNamespace) {
  return { contact_id: row.contact.id, props: row.contact.props };
}
