import { apiRoute, jsonBody, jsonContent } from "../../lib/openapi";
import { problem } from "../../lib/problems";
import { Scope } from "../../lib/scopes";
import { DedupeRequestSchema, DedupeResponseSchema } from "./dedupe.schemas";

export const dedupe = apiRoute({
  method: "post",
  path: "/contacts/dedupe/",
  operationId: "contacts.dedupe",
  tags: ["Dedupe"],
  summary: "Find likely duplicates",
  description:
    "Candidates come from the identifier index (PAN, GSTIN, Aadhaar by keyed hash, mobile, email, passport, voter id, driving licence, bank account) and name blocking keys; each is scored with the rules that fired. An identity document that matches exactly gives a score of at least 0.9. Never returns the probed contact, nor another tenant's contacts.",
  scope: Scope.read,
  request: { body: jsonBody(DedupeRequestSchema) },
  responses: {
    200: jsonContent(DedupeResponseSchema, "Matches at or above the threshold, best first"),
    404: problem("No such contact (contact_id) in the caller's tenant"),
  },
});
