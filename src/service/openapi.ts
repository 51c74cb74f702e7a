import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { PROBLEMS } from "../lib/errors";

const problemList = Object.entries(PROBLEMS)
  .map(([kind, { status, title }]) => `| \`/problems/${kind}\` | ${status} | ${title} |`)
  .join("\n");

const description = `The customer-master service of a lending platform: contacts (individuals and companies) in
namespaces, their typed props, addresses, bank accounts and relations, KYC approval and duplicate detection.

**Authentication.** Every operation except \`/health\`, \`/openapi.json\` and \`/docs\` needs
\`Authorization: Bearer <JWT>\`. The tenant comes from the token; each operation lists the scope it needs.

**Errors** are RFC 9457 problem details (\`application/problem+json\`) with \`request_id\`; every response
carries \`X-Request-Id\`. Problem types:

| type | status | title |
|---|---|---|
${problemList}

**Lists** use the page envelope (\`count\`, \`total_pages\`, \`current_page\`, ...) or, with \`cursor\`,
the cursor envelope (\`next_cursor\`). Every path is served with and without its trailing slash.

**Read your writes.** Every response that touched the database carries \`X-D1-Bookmark\`; send the last
one you received as the \`X-D1-Bookmark\` request header and a read sees at least that data, whichever
replica answers it. A malformed bookmark is 400.

**Rate limits.** Where the deployment limits requests (per tenant and user), responses carry
\`RateLimit-Policy\` and \`RateLimit\` (on an allowed response an estimate: what is left is at most \`r\`),
and a request over the limit gets 429 with \`Retry-After\` (seconds) and \`RateLimit: r=0\`.`;

/** Serves the OpenAPI 3.1 document generated from the route contracts at /openapi.json. */
export function registerOpenApi(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A JWT whose claims name the tenant, the user and the scopes (contacts:read, contacts:write, ...).",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Contact API", version: "1.0.0", description },
    servers: [{ url: "/", description: "This deployment" }],
    tags: [
      { name: "Service", description: "Health, this document and the API reference" },
      { name: "Namespaces", description: "Groups of contacts, each with its ref-id patterns and counters" },
      { name: "Contacts", description: "Individuals and companies: fields, props, actions and history" },
      { name: "Addresses", description: "Addresses of contacts (flat, linked by contact_id)" },
      { name: "Bank accounts", description: "Bank accounts of contacts; at most one primary per contact" },
      { name: "Relations", description: "Guarantors, co-applicants, directors ... between contacts" },
      { name: "Dedupe", description: "Explainable duplicate detection on Indian KYC identifiers and names" },
    ],
  });
}
