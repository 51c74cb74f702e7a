import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      MIGRATION_DB: D1Database;
      TEST_RATE_LIMITER: RateLimit;
      FUZZ_RUNS: string;
      FUZZ_SEED: string;
    }
  }
}
