import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Secrets the test worker runs with; tokens in tests are signed with the same values (test/helpers/env.ts).
export const TEST_SECRETS = {
  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789abcdef",
  CURSOR_SECRET: "test-cursor-secret-0123456789abcdef",
  IDENTIFIER_HMAC_KEY: "test-identifier-key-0123456789abcdef",
  PII_KEYS: JSON.stringify([{ id: "test1", key: "Wdw99Es0IZaBvJ0wJ505yEcacN9wwiLeaHCSvH4QJwI=" }]),
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // Not RATE_LIMITER: the shared configuration has none, and other tests must never see 429.
              // test/edge.test.ts passes this one as RATE_LIMITER (3 requests a minute per key).
              ratelimits: { TEST_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 3, period: 60 } } },
              // An empty D1 database of its own for migration tests (test/migrations.test.ts): the setup file
              // migrates only DB.
              d1Databases: { MIGRATION_DB: "migration-test-db" },
              bindings: {
                ...TEST_SECRETS,
                // The fuzz suite's size and seed (npm run test:fuzz).
                FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
                FUZZ_SEED: process.env.FUZZ_SEED ?? "",
                TEST_MIGRATIONS: await readD1Migrations(path.join(import.meta.dirname, "migrations")),
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/**/*.test.ts"],
          exclude: ["test/node/**"],
          setupFiles: ["./test/helpers/apply-migrations.ts"],
          // Generous: a loaded 2-core machine runs the worker tests several times slower than an idle one.
          testTimeout: 20_000,
        },
      },
      {
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" },
      },
    ],
  },
});
