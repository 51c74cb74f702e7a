import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { ApiError } from "../lib/errors";
import { logError } from "../lib/log";
import { jsonContent } from "../lib/openapi";
import { problem } from "../lib/problems";
import { createRouter } from "../lib/router";

const HealthSchema = z.object({ status: z.enum(["ok"]).openapi({ example: "ok" }) }).openapi("Health");

export const health = createRoute({
  method: "get",
  path: "/health/",
  operationId: "service.health",
  tags: ["Service"],
  summary: "Liveness and database check",
  description: "Public. Runs a trivial query on D1; 503 when the database cannot answer.",
  responses: {
    200: jsonContent(HealthSchema, "The service and its database answer"),
    503: problem("The database does not answer"),
  },
});

export const healthRouter = createRouter().openapi(health, async (c) => {
  try {
    await c.get("db").run(sql`select 1`);
  } catch (error) {
    logError(c.get("requestId"), "health check failed", error);
    throw new ApiError("unavailable", "The database does not answer");
  }
  return c.json({ status: "ok" as const }, 200);
});
