/**
 * The seeder's writes: the statements the API's repositories build for the same requests
 * (createContact, createAddress, createBank, createRelation, applyAction), from the bodies as the routes
 * parse them. Only the reads that answer a request are left out.
 *
 * Two halves, so that they can run on two threads: `preparer` does what the API computes before its
 * batch (parsing, protecting and hashing identifiers, the rows with their ids and defaults) and returns
 * each statement builder's input; `executor` runs those inputs through the builders on node:sqlite
 * (seed-statements.ts: templates, checked against the builders).
 */

import type { DatabaseSync } from "node:sqlite";
import { drizzle } from "drizzle-orm/d1";
import { contacts, type StoredProp } from "../src/db/schema";
import { type IndexRow, rowsJson } from "../src/dedupe/index-form";
import { newId, newRecord } from "../src/lib/ids";
import type { PiiConfig } from "../src/pii/access";
import { addressKind, newAddressRow } from "../src/resources/addresses/addresses.repository";
import { AddressCreateSchema } from "../src/resources/addresses/addresses.schemas";
import { bankKind, newBankRow, protectedAccount } from "../src/resources/banks/banks.repository";
import { BankCreateSchema } from "../src/resources/banks/banks.schemas";
import {
  type ChildKind,
  type ChildTable,
  childCreateStatements,
  type RowOf,
} from "../src/resources/children/child-records";
import {
  actionStatements,
  type ContactAction,
  contactCreateStatements,
  type NewContact,
  storedNewContact,
} from "../src/resources/contacts/contacts.repository";
import { ContactCreateSchema } from "../src/resources/contacts/contacts.schemas";
import { newRelationRow, relationKind } from "../src/resources/relations/relations.repository";
import { RelationCreateSchema } from "../src/resources/relations/relations.schemas";
import type { ContactPlan } from "./seed";
import { type Encoders, StatementTemplates } from "./seed-statements";

/** One request's write: which builder, and its input (child rows carry their history ids h0..h2). */
export type Write = {
  name: "contact" | "address" | "bank" | "relation" | "action";
  values: Record<string, unknown>;
};

/** Builder inputs for each planned contact and the requests that follow it, in request order. */
export function preparer(tenant: string, user: string, pii: PiiConfig) {
  // Ids of contacts by plan index: relations point back to recent ones (households and firms are close).
  const ids = new Map<number, string>();
  const idOf = (index: number) => {
    const id = ids.get(index);
    if (!id) throw new Error(`relation to unknown contact ${index}`);
    return id;
  };
  const child = (name: Write["name"], row: object, at: number): Write => ({
    name,
    values: { ...row, h0: newId(at), h1: newId(at), h2: newId(at) },
  });
  return async (plan: ContactPlan): Promise<Write[]> => {
    const input = ContactCreateSchema.parse(plan.body);
    const stored = await storedNewContact(pii, tenant, input);
    // As the API: created_at is the id's own time (newRecord), so id order is creation order.
    const { id, at } = newRecord(plan.at);
    ids.set(plan.index, id);
    ids.delete(plan.index - 20_000); // relations point at most a few contacts back
    const contact: NewContact = {
      id,
      at,
      tenantId: tenant,
      userId: user,
      namespace: input.namespace,
      refId: input.ref_id ?? null,
      name: input.name,
      type: input.type,
      status: input.status,
      tags: input.tags ?? [],
      refs: input.refs ?? null,
      props: stored.props,
      rmId: input.rm_id ?? null,
      branchId: input.branch_id ?? null,
      index: stored.index,
    };
    const writes: Write[] = [{ name: "contact", values: contact }];
    for (const c of plan.children) {
      const record = newRecord(c.at);
      if (c.kind === "address") {
        const body = AddressCreateSchema.parse({ contact_id: id, ...c.body });
        writes.push(child("address", newAddressRow(tenant, user, body, record), c.at));
      } else if (c.kind === "bank") {
        const body = BankCreateSchema.parse({ contact_id: id, ...c.body });
        const account = await protectedAccount(pii, tenant, body.account_number, body.ifsc);
        writes.push(child("bank", newBankRow(tenant, user, body, account, record), c.at));
      } else if (c.kind === "relation") {
        const related = c.related === null ? null : idOf(c.related);
        const body = RelationCreateSchema.parse({ contact: id, related_contact: related, ...c.body });
        writes.push(child("relation", newRelationRow(tenant, user, body, record), c.at));
      } else {
        // A refused (inactive contact) or repeated transition writes nothing, as through the API.
        const action: ContactAction = {
          tenantId: tenant,
          userId: user,
          id,
          action: c.action,
          reason: c.reason,
          at: new Date(c.at).toISOString(),
          historyId: newId(c.at),
        };
        writes.push({ name: "action", values: action });
      }
    }
    return writes;
  };
}

/** Runs writes on a database, each as the statements its builder makes. */
export function executor(db: DatabaseSync) {
  const orm = drizzle({} as D1Database); // builds queries only: never executed
  const templates = new StatementTemplates(db, { verifyEvery: 5000, check: refuseScans(db) });
  const ids = (values: Record<string, unknown>) => {
    const list = [values.h0, values.h1, values.h2] as string[];
    let next = 0;
    return () => list[next++] as string;
  };
  const child =
    <T extends ChildTable>(kind: ChildKind<T>) =>
    (v: Record<string, unknown>) => {
      const { h0: _0, h1: _1, h2: _2, ...row } = v;
      return childCreateStatements(orm, kind, row as RowOf<T>, ids(v));
    };
  const builders = {
    contact: (v: Record<string, unknown>) => contactCreateStatements(orm, v as NewContact),
    address: child(addressKind),
    bank: child(bankKind),
    relation: child(relationKind),
    action: (v: Record<string, unknown>) => [...actionStatements(orm, v as ContactAction)],
  };
  // Values the builders branch on (which transition): part of a template's key.
  const fixed = { action: ["action"] } as Partial<Record<Write["name"], string[]>>;
  // contacts.props binds its compact form (src/db/props-column.ts), the index rows both of theirs
  // (src/dedupe/index-form.ts); a contact write's values are a NewContact (as its builder reads them).
  const encoded: Partial<Record<Write["name"], Encoders>> = {
    contact: {
      props: (props) => contacts.props.mapToDriverValue(props as StoredProp[]),
      index: (rows) => rowsJson(rows as IndexRow[]),
    },
  };
  return (write: Write) =>
    templates.run(write.name, write.values, builders[write.name], fixed[write.name], encoded[write.name]);
}

/**
 * A write that reads a whole table, or all of the tenant's rows, costs O(rows) per request: with millions
 * of rows, a seed would not end.
 */
function refuseScans(db: DatabaseSync) {
  const tables = "contacts|addresses|bank_accounts|relations|contact_history|contact_identifiers";
  const whole = new RegExp(`^(SCAN (${tables})\\b|SEARCH (${tables}) USING .*\\(tenant_id=\\?\\)$)`);
  return (sql: string) => {
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[];
    const scan = plan.find((row) => whole.test(row.detail));
    if (scan) throw new Error(`a seeded write scans a table (${scan.detail}), keep its index: ${sql}`);
  };
}
