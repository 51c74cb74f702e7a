/**
 * The closed sets of values stored in text columns: the drizzle schema types its columns with them and the
 * API schemas validate against them, so the two cannot disagree.
 */
export const ADDRESS_TYPES = [
  "permanent",
  "current",
  "office",
  "registered",
  "communication",
  "other",
] as const;

export const ACCOUNT_TYPES = ["savings", "current", "overdraft", "cash_credit", "nre", "nro"] as const;

export const PROP_TYPES = ["file", "number", "text", "boolean"] as const;

export const RELATION_TYPES = [
  "father",
  "mother",
  "spouse",
  "child",
  "sibling",
  "friend",
  "co_applicant",
  "guarantor",
  "witness",
  "nominee",
  "director",
  "partner",
  "shareholder",
  "proprietor",
  "authorised_signatory",
] as const;

export const CONTACT_TYPES = ["individual", "corporate"] as const;
export const CONTACT_STATUSES = ["active", "inactive"] as const;
export const APPROVAL_STATUSES = ["pending", "approved", "rejected"] as const;

export const HISTORY_ACTIONS = [
  "created",
  "updated",
  "activated",
  "deactivated",
  "approved",
  "rejected",
  "props_updated",
  "props_deleted",
  "address_created",
  "address_updated",
  "address_deleted",
  "bank_created",
  "bank_updated",
  "bank_deleted",
  "relation_created",
  "relation_updated",
  "relation_deleted",
  "erased",
] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/** What a history entry can be about besides the contact itself. */
export const HISTORY_SUBJECTS = ["address", "bank", "relation"] as const;
