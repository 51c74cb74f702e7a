import { defineConfig } from "drizzle-kit";

// Only generates SQL; wrangler (dev, deploy) and the test setup apply it from migrations/.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
