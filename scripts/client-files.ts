/**
 * The typed client's generated files, from the worker's own OpenAPI document (no server started):
 * client/openapi.json and client/schema.d.ts (openapi-typescript). Used by `npm run client:generate`
 * and by the drift test (test/node/client.test.ts).
 */
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import { app } from "../src/app";

export async function clientFiles(): Promise<{ "openapi.json": string; "schema.d.ts": string }> {
  // The document needs no database: a stand-in binding is enough.
  const response = await app.request("/openapi.json", {}, { DB: {} });
  if (response.status !== 200) throw new Error(`/openapi.json answered ${response.status}`);
  const document = await response.json();
  const schema = astToString(await openapiTS(document as Parameters<typeof openapiTS>[0]));
  return {
    "openapi.json": `${JSON.stringify(document, null, 2)}\n`,
    "schema.d.ts": `${COMMENT_HEADER}// Generated from client/openapi.json by \`npm run client:generate\`.\n\n${schema}`,
  };
}
