// `npm run token -- --tenant T --sub U [--scope "..."] [--ttl 3600]`: prints a signed HS256 token for the
// local server, using JWT_SECRET from .dev.vars (or .dev.vars.example). Prints only the token.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    tenant: { type: "string", default: "demo" },
    sub: { type: "string", default: "dev-user" },
    scope: {
      type: "string",
      default: "contacts:read contacts:write contacts:approve namespaces:write contacts:pii contacts:erase",
    },
    ttl: { type: "string", default: "3600" },
  },
});

function secretFrom(file) {
  const path = join(root, file);
  if (!existsSync(path)) return undefined;
  const line = readFileSync(path, "utf8")
    .split("\n")
    .find((l) => l.startsWith("JWT_SECRET="));
  return line?.slice("JWT_SECRET=".length).trim().replace(/^"|"$/g, "");
}

const secret = process.env.JWT_SECRET ?? secretFrom(".dev.vars") ?? secretFrom(".dev.vars.example");
const ttl = Number(values.ttl);
if (!secret || !Number.isInteger(ttl) || ttl <= 0) {
  console.error("Need JWT_SECRET (in .dev.vars) and a positive integer --ttl");
  process.exit(2);
}
const token = await new SignJWT({ tenant_id: values.tenant, scope: values.scope })
  .setProtectedHeader({ alg: "HS256", typ: "JWT" })
  .setSubject(values.sub)
  .setIssuedAt()
  .setExpirationTime(`${ttl}s`)
  .sign(new TextEncoder().encode(secret));
process.stdout.write(`${token}\n`);
