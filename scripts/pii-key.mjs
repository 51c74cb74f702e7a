// Prints a fresh PII_KEYS entry: {"id": ..., "key": base64 of 32 random bytes} (AES-256).
// Put it first in the PII_KEYS list (newest first) and keep the older entries until rotation is done:
//   npm run pii:key
import { randomBytes } from "node:crypto";

const id = `k${new Date().toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(2).toString("hex")}`;
const entry = { id, key: randomBytes(32).toString("base64") };
console.log(JSON.stringify(entry));
console.error(
  `PII_KEYS is a JSON list, newest first: [${JSON.stringify({ id, key: "..." })}, <older entries>]\n` +
    "Set it with `wrangler secret put PII_KEYS`; never commit it.",
);
