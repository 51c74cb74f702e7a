import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseArbitrary, Fuzzer, loadOperations, Stats } from "./harness";

// Generated requests to every operation of the OpenAPI document (see harness.ts). `npm test` runs a
// few hundred; `npm run test:fuzz` (FUZZ_RUNS=10000) the full suite. FUZZ_SEED replays a run.
const RUNS = Number(env.FUZZ_RUNS || 300);
const SEED = Number(env.FUZZ_SEED || 14);
/** A fresh tenant every so many requests keeps the before/after snapshots small. */
const PER_TENANT = 250;

describe("fuzz: generated requests through the real worker", () => {
  it(
    `${RUNS} requests (seed ${SEED}): no 5xx, problem+json errors naming the field, rejected requests change nothing, accepted bodies read back`,
    async () => {
      const { operations, components } = await loadOperations();
      expect(operations.length).toBeGreaterThan(30);
      // One case per operation first, so every operation is exercised at any run count; then random ones.
      const each = operations.flatMap((_, i) =>
        fc.sample(caseArbitrary(operations, components, i), { numRuns: 1, seed: SEED + i }),
      );
      const rest = fc.sample(caseArbitrary(operations, components), {
        numRuns: RUNS - each.length,
        seed: SEED,
      });
      const cases = [...each, ...rest];
      const stats = new Stats();
      const fuzzer = new Fuzzer(operations, stats);
      const started = Date.now();
      for (const [i, c] of cases.entries()) await fuzzer.run(`fz${SEED}-${Math.floor(i / PER_TENANT)}`, c);
      const seconds = (Date.now() - started) / 1000;

      const byKind: Record<string, number> = {};
      for (const f of stats.findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
      console.log(
        JSON.stringify(
          {
            seed: SEED,
            requests: stats.requests,
            seconds,
            fiveHundreds: stats.fiveHundreds,
            rejectedWrites: stats.rejectedWrites,
            rejectedWithChanges: stats.rejectedWithChanges,
            readBacks: stats.readBacks,
            statuses: stats.statuses,
            findings: byKind,
            perOperation: stats.perOperation,
          },
          null,
          1,
        ),
      );
      const shown = new Set<string>();
      for (const f of stats.findings) {
        const key = `${f.kind} ${f.op} ${f.note ?? ""}`.slice(0, 120);
        if (shown.has(key) || shown.size > 40) continue;
        shown.add(key);
        console.log(`${f.kind} ${f.op}${f.note ? ` (${f.note})` : ""}\n  > ${f.request}\n  < ${f.response}`);
      }
      expect(new Set(Object.keys(stats.perOperation))).toEqual(new Set(operations.map((o) => o.id)));
      expect(stats.requests).toBe(RUNS);
      expect(stats.fiveHundreds).toBe(0);
      expect(stats.rejectedWithChanges).toBe(0);
      expect(stats.findings).toEqual([]);
    },
    30 * 60 * 1000,
  );
});
