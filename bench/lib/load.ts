/**
 * Fixed-concurrency load with autocannon: a warm-up, then a measured run during which the workerd
 * process's CPU time is sampled. Latencies are kept at full resolution (autocannon's own histogram
 * rounds to whole milliseconds, too coarse for sub-millisecond baselines).
 */
import autocannon from "autocannon";
import { cpuSeconds, rssMiB } from "./workerd";

export type Request = { method: string; path: string; headers?: Record<string, string>; body?: string };

/** A route under load: each call of `next` gives the next request (rotation over ids, fresh bodies). */
export type LoadSpec = { next: (n: number) => Request };

export type LoadResult = {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  /** workerd CPU time (user + system) per completed request, in microseconds. */
  cpuUs: number;
  /** Share of one core workerd used during the run. */
  cpuShare: number;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  rssMiB: number | null;
};

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

async function run(url: URL, spec: LoadSpec, seconds: number, connections: number, collect: boolean) {
  let n = 0;
  const latencies: number[] = [];
  const instance = autocannon({
    url: url.origin,
    connections,
    duration: seconds,
    // One connection waits for its answer before sending the next request (no pipelining).
    pipelining: 1,
    timeout: 30,
    requests: [
      {
        setupRequest: (request: any) => {
          const r = spec.next(n++);
          request.method = r.method;
          request.path = r.path;
          request.headers = {
            ...(r.body !== undefined ? { "content-type": "application/json" } : {}),
            ...r.headers,
          };
          request.body = r.body;
          return request;
        },
      },
    ],
  });
  if (collect) {
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
  }
  const result = (await instance) as any;
  return { result, latencies };
}

type Slice = {
  seconds: number;
  cpu: number;
  latencies: number[];
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
};

async function slice(arm: Arm, seconds: number, connections: number): Promise<Slice> {
  const cpuBefore = cpuSeconds(arm.pid);
  const started = performance.now();
  const { result, latencies } = await run(arm.url, arm.spec, seconds, connections, true);
  const elapsed = (performance.now() - started) / 1000;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = Number((stats as { count: number }).count);
  return {
    seconds: elapsed,
    cpu: cpuSeconds(arm.pid) - cpuBefore,
    latencies,
    statusCodes,
    non2xx: Number(result.non2xx ?? 0),
    errors: Number(result.errors ?? 0),
  };
}

/** The slices of one arm as one result: their requests over their time, percentiles over all latencies. */
function summary(slices: Slice[], pid: number): LoadResult {
  const seconds = slices.reduce((a, s) => a + s.seconds, 0);
  const cpu = slices.reduce((a, s) => a + s.cpu, 0);
  const sorted = Float64Array.from(slices.flatMap((s) => s.latencies)).sort();
  const statusCodes: Record<string, number> = {};
  for (const s of slices)
    for (const [code, n] of Object.entries(s.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const requests = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
    cpuUs: requests ? (cpu / requests) * 1e6 : Number.NaN,
    cpuShare: cpu / seconds,
    statusCodes,
    non2xx: slices.reduce((a, s) => a + s.non2xx, 0),
    errors: slices.reduce((a, s) => a + s.errors, 0),
    rssMiB: rssMiB(pid),
  };
}

/** A Worker and the requests to send it. */
export type Arm = { url: URL; pid: number; spec: LoadSpec };

/**
 * Arms measured in turns: each is warmed up, then each runs `turns` slices of seconds / turns, the
 * order reversed every turn (A B C, C B A, ...). The machine's speed drifts within minutes, so figures
 * meant to be compared (a route and its baseline, one route at two data-set sizes) are measured in the
 * same minutes instead of one after the other.
 */
export async function measureInTurns(
  arms: Arm[],
  options: { seconds: number; warmup: number; connections: number; turns: number },
): Promise<LoadResult[]> {
  if (options.warmup > 0)
    for (const arm of arms) await run(arm.url, arm.spec, options.warmup, options.connections, false);
  const slices: Slice[][] = arms.map(() => []);
  const order = arms.map((_, i) => i);
  for (let turn = 0; turn < options.turns; turn++) {
    for (const i of turn % 2 === 0 ? order : [...order].reverse())
      slices[i]?.push(await slice(arms[i] as Arm, options.seconds / options.turns, options.connections));
  }
  return slices.map((s, i) => summary(s, (arms[i] as Arm).pid));
}

/** Warm-up (not measured), then the measured run. */
export async function measure(
  url: URL,
  pid: number,
  spec: LoadSpec,
  options: { seconds: number; warmup: number; connections: number },
): Promise<LoadResult> {
  const [result] = await measureInTurns([{ url, pid, spec }], { ...options, turns: 1 });
  return result as LoadResult;
}
