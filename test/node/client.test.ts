import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContactClient, createContactClient } from "../../client";

/**
 * The typed client (client/): its generated files match the worker's routes, and it drives the real
 * Worker bundle (wrangler's build in Miniflare, offline, real migrations) through create, retrieve with
 * the write's bookmark, list and dedupe.
 *
 * Node built-ins, Miniflare and the generator are loaded at run time: the test tsconfig has Workers types only.
 */
const load = (specifier: string): Promise<any> => import(/* @vite-ignore */ specifier);
const here = (import.meta as unknown as { url: string }).url;
const nodeProcess = (globalThis as any).process;

const JWT_SECRET = "client-test-jwt-secret-0123456789abcdef0123456789";
const DATABASE_ID = "client-test-db";

describe("client/ generated files", () => {
  it("match the worker's /openapi.json (after an API change: npm run client:generate)", async () => {
    const fs = await load("node:fs");
    const { clientFiles } = await load(new URL("../../scripts/client-files.ts", here).href);
    const fresh: Record<string, string> = await clientFiles();
    for (const [name, text] of Object.entries(fresh)) {
      const committed = fs.readFileSync(new URL(`../../client/${name}`, here), "utf8");
      expect(committed === text, `client/${name} is stale: run npm run client:generate`).toBe(true);
    }
  }, 60_000);
});

describe("the typed client against the local worker", () => {
  let mf: any;
  let tmp = "";
  let client: ContactClient;
  const sent: Headers[] = [];

  beforeAll(async () => {
    const fs = await load("node:fs");
    const path = await load("node:path");
    const os = await load("node:os");
    const sqlite = await load("node:sqlite");
    const { spawnSync } = await load("node:child_process");
    const { Miniflare, convertV4MiniflareOptions } = await load("miniflare");
    const seedScript = await load(new URL("../../scripts/seed.ts", here).href);
    const root = path.join(path.dirname(new URL(here).pathname), "..", "..");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "client-test-"));

    const build = path.join(tmp, "build");
    const built = spawnSync(
      nodeProcess.execPath,
      [path.join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", build],
      { cwd: root, encoding: "utf8", env: { ...nodeProcess.env, WRANGLER_SEND_METRICS: "false" } },
    );
    expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);

    const persist = path.join(tmp, "state");
    const file = seedScript.d1SqlitePath(persist, DATABASE_ID);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fresh = new sqlite.DatabaseSync(file);
    seedScript.applyMigrations(fresh);
    fresh.close();

    const options = convertV4MiniflareOptions({
      modules: true,
      modulesRoot: build,
      scriptPath: path.join(build, "index.js"),
      compatibilityDate: "2026-11-01",
      compatibilityFlags: ["nodejs_als"], // as wrangler.toml
      d1Databases: { DB: DATABASE_ID },
      resourcePersistencePath: persist,
      bindings: {
        JWT_SECRET,
        CURSOR_SECRET: "client-test-cursor-secret-0123456789abcdef",
        IDENTIFIER_HMAC_KEY: "client-test-identifier-key-0123456789abcdef",
        // Local-only test key (32 bytes of zeros would do too): protected identifiers are encrypted.
        PII_KEYS: JSON.stringify([{ id: "client1", key: "o4n8WeGZMoQsEoVOvr/KfKxyyi/pYFScfm7LUjyCG34=" }]),
        JWT_TENANT_CLAIM: "tenant_id",
        JWT_USER_CLAIM: "sub",
      },
      host: "127.0.0.1",
      port: 0,
    });
    options.logRequests = false;
    mf = new Miniflare(options);
    const url: URL = await mf.ready;

    const token = await new SignJWT({
      tenant_id: "client-co",
      scope: "contacts:read contacts:write namespaces:write",
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject("client-user")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(JWT_SECRET));
    client = createContactClient({
      baseUrl: url.origin,
      token,
      // Records what the client sends, to check it carries the bookmark.
      fetch: (request: Request) => {
        sent.push(new Headers(request.headers));
        return fetch(request);
      },
    });
  }, 120_000);

  afterAll(async () => {
    await mf?.dispose();
    if (tmp) (await load("node:fs")).rmSync(tmp, { recursive: true, force: true });
  });

  it("creates, retrieves with the write's bookmark, lists and dedupes, typed end to end", async () => {
    const namespace = await client.POST("/namespaces/", {
      body: { name: "Retail", contact_pattern: "R-{seq:4}" },
    });
    expect(namespace.response.status, JSON.stringify(namespace.error)).toBe(201);

    const person = {
      name: "Kiran Rao",
      namespace: "Retail",
      status: "active",
      type: "individual",
      props: [{ key: "pan", value: "ABCPK1234F", type: "text" }],
    } as const;
    const created = await client.POST("/contacts/", { body: { ...person, props: [...person.props] } });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const contact = created.data;
    // A write answers the whole contact to a token that can read it, else only its id.
    if (!contact || !("ref_id" in contact)) throw new Error("no contact");
    expect(contact.ref_id).toBe("R-0001");
    const written = created.response.headers.get("x-d1-bookmark");
    expect(written).toMatch(/^[0-9a-f]+(-[0-9a-f]+)+$/);
    expect(client.bookmark()).toBe(written);

    const retrieved = await client.GET("/contacts/{contact_id}/", {
      params: { path: { contact_id: contact.id } },
    });
    expect(retrieved.data?.name).toBe("Kiran Rao");
    expect(sent.at(-1)?.get("x-d1-bookmark")).toBe(written);
    expect(sent.at(-1)?.get("authorization")).toMatch(/^Bearer /);

    const listed = await client.GET("/contacts/", { params: { query: { search: "kir", page_size: 10 } } });
    expect(listed.error).toBeUndefined();
    expect(listed.data && "count" in listed.data ? listed.data.count : null).toBe(1);

    const twin = await client.POST("/contacts/", {
      body: { ...person, name: "Kiran R", props: [{ key: "pan_no", value: "abcpk 1234 f", type: "text" }] },
    });
    expect(twin.response.status, JSON.stringify(twin.error)).toBe(201);
    const dedupe = await client.POST("/contacts/dedupe/", { body: { contact_id: contact.id } });
    expect(dedupe.error).toBeUndefined();
    expect(dedupe.data?.results.map((m) => m.contact.id)).toContain(twin.data?.id);

    const missing = await client.GET("/contacts/{contact_id}/", {
      params: { path: { contact_id: "01JKB3Q2W6N7X8Y9Z0A1B2C3D4" } },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.type).toBe("/problems/not_found");
  });
});
