import { expect } from "vitest";
import { api } from "./api";
import type { Audit } from "./fixtures";

/**
 * Bodies and records of the three sub-resources of contacts (addresses, bank accounts, relations),
 * shared by their contract suite (test/sub-resources.test.ts) and each resource's own rules.
 */

export const ADDRESSES = "/contacts/addresses/";
export const BANKS = "/contacts/banks/";
export const RELATIONS = "/contacts/relations/";

export type Address = Audit & {
  contact_id: string;
  address_line: string | null;
  city: string | null;
  state: string | null;
  pincode: string | null;
  country: string | null;
  type: string;
  coords: { lat: number; lng: number } | null;
  codes: Record<string, string> | null;
  tags: string[];
};

export type Bank = Audit & {
  contact_id: string;
  account_number: string;
  ifsc: string;
  account_holder_name: string;
  bank_name: string | null;
  branch_name: string | null;
  account_type: string;
  is_primary: boolean;
  tags: string[];
};

export type Relation = Audit & {
  contact: string;
  type: string;
  related_contact: string | null;
  tags: string[];
};

export const addressBody = (contactId: string, overrides: Record<string, unknown> = {}) => ({
  contact_id: contactId,
  address_line: "12, MG Road, Ashok Nagar",
  city: "Bengaluru",
  state: "Karnataka",
  pincode: "560001",
  country: "India",
  ...overrides,
});

let accountSeq = 100000;
/** A fresh account number per call, so records on one contact never collide on (account_number, ifsc). */
export const nextAccount = () => `5010${accountSeq++}`;

export const bankBody = (contactId: string, overrides: Record<string, unknown> = {}) => ({
  contact_id: contactId,
  account_number: nextAccount(),
  ifsc: "HDFC0001234",
  account_holder_name: "Ramesh Kumar",
  ...overrides,
});

/** POST a record to a sub-resource; the test fails unless it is created. */
export async function createRecord<T>(base: string, body: unknown, tenant?: string): Promise<T> {
  const res = await api("POST", base, { body, tenant });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** GET a record of a sub-resource; the test fails unless it is found. */
export async function readRecord<T>(base: string, id: string, tenant?: string): Promise<T> {
  const res = await api("GET", `${base}${id}/`, { tenant });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

export const createAddress = (contactId: string, overrides: Record<string, unknown> = {}, tenant?: string) =>
  createRecord<Address>(ADDRESSES, addressBody(contactId, overrides), tenant);

export const createBank = (contactId: string, overrides: Record<string, unknown> = {}, tenant?: string) =>
  createRecord<Bank>(BANKS, bankBody(contactId, overrides), tenant);

export const createRelation = (body: Record<string, unknown>, tenant?: string) =>
  createRecord<Relation>(RELATIONS, body, tenant);
