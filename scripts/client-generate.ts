/** `npm run client:generate`: writes client/openapi.json and client/schema.d.ts from the worker's routes. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { clientFiles } from "./client-files";

const dir = join(import.meta.dirname, "..", "client");
for (const [name, text] of Object.entries(await clientFiles())) {
  writeFileSync(join(dir, name), text);
  console.log(`wrote client/${name}`);
}
