import { and, eq, or } from "drizzle-orm";
import { relations } from "../../db/schema";

/**
 * The tenant's relations on either side of which the contact is. The tenant is in each branch so that
 * SQLite reads each side from its own (tenant_id, ...) index; `tenant_id = ? and (a or b)` reads the
 * whole tenant. A relation never names the same contact twice, so no row comes from both sides.
 */
export const eitherSide = (tenantId: string, contactId: string) =>
  or(
    and(eq(relations.tenantId, tenantId), eq(relations.contactId, contactId)),
    and(eq(relations.tenantId, tenantId), eq(relations.relatedContactId, contactId)),
  );
