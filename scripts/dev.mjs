// `npm run dev [-- wrangler dev options]`: local server on a migrated local D1 database, nothing to configure.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local-only secrets).");
}

// Offline-clean: no usage metrics, no request.cf lookup at Cloudflare.
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const wrangler = (args) => spawnSync("npx", ["wrangler", ...args], { stdio: "inherit", env });

const migrated = wrangler(["d1", "migrations", "apply", "DB", "--local"]);
if (migrated.status !== 0) process.exit(migrated.status ?? 1);

const served = wrangler(["dev", ...process.argv.slice(2)]);
process.exit(served.status ?? 0);
