// `npm run test:e2e`: the offline API reference (/docs) renders every documented operation in headless
// Chromium while every request that leaves 127.0.0.1 is blocked. Installs Debian's chromium if missing
// (never downloads a browser), runs the local server (scripts/dev.mjs) and always stops it again.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const SCREENSHOT = join("test-results", "docs.png");

const started = Date.now();
let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
  return ok;
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  console.log(`${CHROMIUM} is missing: installing Debian's chromium with apt-get.`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const run = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed (status ${run.status})`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `scripts/dev.mjs` in its own process group; `stop()` ends the whole group. */
function startServer(port, inspectorPort) {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
  const args = ["scripts/dev.mjs", "--port", String(port), "--ip", "127.0.0.1"];
  args.push("--inspector-port", String(inspectorPort), "--show-interactive-dev-session=false");
  const child = spawn(process.execPath, args, { detached: true, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (chunk) => {
    log += chunk;
  });
  child.stderr.on("data", (chunk) => {
    log += chunk;
  });
  let exited = child.exitCode !== null;
  const exit = new Promise((resolve) => child.on("exit", resolve));
  exit.then(() => {
    exited = true;
  });
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  return {
    log: () => log,
    exited: () => exited,
    async stop() {
      signalGroup("SIGTERM");
      const done = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      // The group may outlive its leader (wrangler's workerd), so always follow up with SIGKILL.
      await sleep(done ? 200 : 0);
      signalGroup("SIGKILL");
    },
  };
}

async function waitForHealth(base, server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = "no response";
  while (Date.now() < deadline) {
    if (server.exited()) return { ok: false, last: "the server process exited" };
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { ok: true, last: "200" };
      last = `status ${res.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(500);
  }
  return { ok: false, last };
}

/** Every operation in the document, with the tags it is listed under in Swagger UI. */
function operationsOf(doc) {
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op)
        ops.push({
          method,
          path,
          operationId: op.operationId,
          tags: op.tags?.length ? op.tags : ["default"],
        });
    }
  }
  return ops;
}

async function checkDocs(browser, base, ops) {
  const origin = new URL(base).origin;
  const blocked = [];
  const unrouted = [];
  const pageErrors = [];
  const consoleErrors = [];
  const badResponses = [];

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      blocked.push(url);
      return route.abort("blockedbyclient");
    });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (msg) => {
      if (msg.type() === "error") consoleErrors.push(msg.text());
    });
    page.on("request", (req) => {
      const url = req.url();
      if (/^(https?|wss?):/.test(url) && !url.startsWith(`${origin}/`) && !blocked.includes(url)) {
        unrouted.push(url);
      }
    });
    page.on("response", (res) => {
      const url = new URL(res.url());
      if (url.origin === origin && res.status() >= 400 && url.pathname !== "/favicon.ico") {
        badResponses.push(`${res.status()} ${url.pathname}`);
      }
    });

    const res = await page.goto(`${base}/docs`, { waitUntil: "load", timeout: 30_000 });
    check("GET /docs is 200", res?.status() === 200, `status ${res?.status()}`);

    // Swagger UI renders tag headers (collapsed sections) or operation blocks once the document is loaded.
    await page
      .waitForSelector(".opblock, .opblock-tag, .errors-wrapper", { timeout: 30_000 })
      .catch(() => undefined);
    for (let round = 0; round < 20; round++) {
      const closed = page.locator(".opblock-tag-section:not(.is-open) > .opblock-tag");
      if ((await closed.count()) === 0) break;
      await closed.first().click();
      await sleep(100);
    }
    await page.waitForSelector(".opblock", { timeout: 15_000 }).catch(() => undefined);
    // Let the rendering settle: the block count must be stable for a moment.
    let count = -1;
    for (let i = 0; i < 20; i++) {
      const now = await page.locator(".opblock").count();
      if (now === count) break;
      count = now;
      await sleep(250);
    }

    const rendered = await page.$$eval(".opblock", (blocks) =>
      blocks.map((b) => ({
        id: (b.id ?? "").replace(/\\/g, ""),
        method: b.querySelector(".opblock-summary-method")?.textContent?.trim().toLowerCase() ?? "",
        path:
          b.querySelector(".opblock-summary-path")?.getAttribute("data-path") ??
          b
            .querySelector(".opblock-summary-path")
            ?.textContent?.replace(/\u200b/g, "")
            .trim() ??
          "",
      })),
    );
    const uiErrors = await page.locator(".errors-wrapper").allInnerTexts();
    if (uiErrors.length) console.log(`Swagger UI errors: ${uiErrors.join(" | ")}`);

    // An operation with several tags is listed once per tag; with at most one tag each this is ops.length.
    const expectedBlocks = ops.reduce((sum, op) => sum + op.tags.length, 0);
    check(
      ".opblock count equals the operations in /openapi.json",
      rendered.length > 0 && rendered.length === expectedBlocks,
      `${rendered.length} blocks, ${ops.length} operations${expectedBlocks !== ops.length ? `, ${expectedBlocks} expected with multiple tags` : ""}`,
    );

    const missing = [];
    for (const op of ops) {
      const block = rendered.find((b) => b.method === op.method && b.path === op.path);
      if (!block) missing.push(`${op.method.toUpperCase()} ${op.path}`);
      else if (op.operationId && !block.id.endsWith(`-${op.operationId}`)) {
        missing.push(
          `${op.method.toUpperCase()} ${op.path} operationId ${op.operationId} (block id ${block.id})`,
        );
      }
    }
    check(
      "every operation's path and operationId is on the page",
      ops.length > 0 && missing.length === 0,
      missing.length ? `missing: ${missing.join(", ")}` : `${ops.length} found`,
    );

    if (blocked.length) console.log(`WARN blocked requests outside ${origin}: ${blocked.join(", ")}`);
    check(
      `no request left ${origin}`,
      unrouted.length === 0,
      unrouted.length
        ? `not blocked: ${unrouted.join(", ")}`
        : blocked.length
          ? `${blocked.length} attempted and blocked, page still rendered`
          : "none attempted",
    );
    check("no page errors", pageErrors.length === 0, pageErrors.join(" | "));
    if (consoleErrors.length) console.log(`console errors: ${consoleErrors.join(" | ")}`);
    check("all same-origin requests succeeded", badResponses.length === 0, badResponses.join(", "));

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    check(`screenshot saved to ${SCREENSHOT}`, existsSync(SCREENSHOT));
  } finally {
    await context.close().catch(() => undefined);
  }
}

async function main() {
  ensureChromium();
  const port = await freePort();
  const inspectorPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startServer(port, inspectorPort);
  const stopOnSignal = (signal) => {
    server.stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  let browser;
  try {
    const health = await waitForHealth(base, server, 90_000);
    if (!check("local server answers GET /health with 200", health.ok, health.last)) {
      console.log(`--- server log ---\n${server.log()}\n--- end of server log ---`);
      return;
    }

    const res = await fetch(`${base}/openapi.json`);
    const doc = res.ok ? await res.json() : {};
    const ops = operationsOf(doc);
    if (!check("/openapi.json lists operations", res.ok && ops.length > 0, `${ops.length} operations`))
      return;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await checkDocs(browser, base, ops);
  } catch (error) {
    check("e2e run completed", false, error.stack ?? String(error));
    console.log(`--- server log ---\n${server.log()}\n--- end of server log ---`);
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
}

try {
  await main();
} catch (error) {
  check("e2e setup", false, error.stack ?? String(error));
}
console.log(`e2e took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
