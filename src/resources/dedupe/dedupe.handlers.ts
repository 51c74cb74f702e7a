import { findMatches, identifierRows, storedContactProbe } from "../../dedupe/dedupe.repository";
import { extractIdentifiers, propKeyForm, validateIdentifierProps } from "../../dedupe/identifiers";
import { DEFAULT_LIMIT, DEFAULT_THRESHOLD } from "../../dedupe/scoring";
import type { Db } from "../../env";
import { invalid } from "../../lib/errors";
import { pathId } from "../../lib/ids";
import type { AppRouteHandler } from "../../lib/router";
import { piiConfig, viewerOf } from "../../pii/access";
import { namespaceByNameQuery } from "../namespaces/namespaces.repository";
import { toDedupeResult } from "./dedupe.mappers";
import type * as routes from "./dedupe.routes";
import type { DedupeRequest } from "./dedupe.schemas";

/**
 * A bank account a probe names in its props (`account_number` and `ifsc`): a stored contact's accounts
 * are matched on both (API.md, Dedupe), so a candidate may send them too.
 */
function bankOfProps(props: readonly { key: string; value: string }[]) {
  const propValue = (key: string) => props.find((p) => propKeyForm(p.key) === key)?.value;
  const account_number = propValue("account_number");
  const ifsc = propValue("ifsc");
  return account_number && ifsc ? [{ account_number, ifsc }] : [];
}

async function candidateProbe(db: Db, tenantId: string, body: DedupeRequest, hmacKey: string) {
  // API.md (Contacts, identifier props): a malformed identifier is 400 wherever props are sent, so a
  // look-alike is refused here as on create, not answered "no duplicates". The same check as create:
  // a probe has no stored props, so a masked value refers to nothing and is refused as create does.
  const errors = validateIdentifierProps(body.props ?? []);
  let namespaceId: string | null = null;
  if (body.namespace) {
    const [ns] = await namespaceByNameQuery(db, tenantId, body.namespace);
    if (ns) namespaceId = ns.id;
    else
      errors.push({
        path: "namespace",
        code: "unknown_namespace",
        message: "is not a namespace of this tenant",
      });
  }
  if (errors.length) throw invalid(errors);
  const rows = [
    ...(await identifierRows(body.name ?? "", body.props ?? [], hmacKey)),
    ...(await extractIdentifiers([], bankOfProps(body.props ?? []), hmacKey, { hashProtected: true })),
  ];
  return {
    probe: { name: body.name ?? null, type: body.type ?? null, rows },
    namespaceId,
    excludeId: undefined,
  };
}

export const dedupe: AppRouteHandler<typeof routes.dedupe> = async (c) => {
  const body = c.req.valid("json");
  const { tenantId } = c.get("auth");
  const { hmacKey } = piiConfig(c.env);
  const resolved = body.contact_id
    ? await storedContactProbe(c.get("db"), tenantId, pathId(body.contact_id, "Contact"))
    : await candidateProbe(c.get("db"), tenantId, body, hmacKey);
  if (body.scope === "namespace" && !resolved.namespaceId) {
    throw invalid([{ path: "namespace", code: "required", message: "is required for scope namespace" }]);
  }
  const found = await findMatches(
    c.get("db"),
    {
      tenantId,
      namespaceId: body.scope === "namespace" ? resolved.namespaceId : null,
      excludeId: resolved.excludeId,
    },
    resolved.probe,
    { limit: body.limit ?? DEFAULT_LIMIT, threshold: body.threshold ?? DEFAULT_THRESHOLD },
  );
  return c.json(await toDedupeResult(found, viewerOf(c.env, c.get("auth"))), 200);
};
