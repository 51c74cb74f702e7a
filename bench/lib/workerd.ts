/**
 * Running a Worker in Miniflare (workerd) directly, and reading the CPU time of its workerd process.
 * No `wrangler dev`: its local proxy caps throughput at a few hundred requests per second.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

/** The D1 database id every bench worker binds as DB (its file: scripts/seed.ts d1SqlitePath). */
export const BENCH_DATABASE_ID = "contact-api-bench";

export type WorkerSpec = {
  /** Bundled ES module entry (its directory is the modules root). */
  scriptPath: string;
  compatibilityDate: string;
  compatibilityFlags?: string[];
  bindings?: Record<string, string>;
  /** Persistence root holding the D1 database; omitted: no D1 binding. */
  persist?: string;
  /** Port for the DevTools inspector (CPU profiles); off by default, it costs time on every request. */
  inspectorPort?: number;
};

export type RunningWorker = {
  url: URL;
  pid: number;
  stop: () => Promise<void>;
};

/** Starts one Worker in a fresh Miniflare instance and finds the workerd process serving it. */
export async function startWorker(spec: WorkerSpec): Promise<RunningWorker> {
  const before = new Set(workerdChildren());
  const options = convertV4MiniflareOptions({
    modules: true,
    modulesRoot: dirname(spec.scriptPath),
    scriptPath: spec.scriptPath,
    compatibilityDate: spec.compatibilityDate,
    compatibilityFlags: spec.compatibilityFlags,
    bindings: spec.bindings ?? {},
    ...(spec.persist
      ? { d1Databases: { DB: BENCH_DATABASE_ID }, resourcePersistencePath: spec.persist }
      : {}),
    host: "127.0.0.1",
    port: 0,
    ...(spec.inspectorPort ? { inspectorPort: spec.inspectorPort } : {}),
  });
  // No per-request log lines: they would be work on the measured path.
  options.logRequests = false;
  const mf = new Miniflare(options);
  const url = await mf.ready;
  const pid = workerdChildren().find((p) => !before.has(p));
  if (!pid) {
    await mf.dispose();
    throw new Error("started Miniflare but found no new workerd child process");
  }
  return { url, pid, stop: () => mf.dispose() };
}

type ProcStat = { pid: number; ppid: number; comm: string; ticks: number; start: number };

function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  // Fields after the command: state(3) ppid(4) ... utime(14) stime(15) ... starttime(22).
  const f = text
    .slice(close + 2)
    .trim()
    .split(" ");
  return {
    pid,
    comm,
    ppid: Number(f[1]),
    ticks: Number(f[11]) + Number(f[12]),
    start: Number(f[19]),
  };
}

/** workerd processes started by this process (Miniflare spawns workerd as a direct child). */
function workerdChildren(): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map((d) => procStat(Number(d)))
    .filter((s): s is ProcStat => !!s && s.ppid === process.pid && s.comm.startsWith("workerd"))
    .sort((a, b) => a.start - b.start)
    .map((s) => s.pid);
}

let clockTicks: number | undefined;
/** Kernel clock ticks per second (USER_HZ) for /proc CPU times. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds a process has used so far (all its threads). */
export function cpuSeconds(pid: number): number {
  const stat = procStat(pid);
  if (!stat) throw new Error(`process ${pid} is gone`);
  return stat.ticks / ticksPerSecond();
}

/** Resident memory of a process in MiB. */
export function rssMiB(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return line ? Math.round(Number(line.replace(/\D+/g, "")) / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * Pins a process (all its threads) to one CPU with taskset. On a 2-core machine the load generator
 * and workerd then stop trading places on the same core, which makes runs far more repeatable.
 */
export function pin(pid: number, cpu: number): boolean {
  if (!canPin()) return false;
  try {
    execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function canPin(): boolean {
  return cpus().length >= 2 && ["/usr/bin/taskset", "/bin/taskset"].some((p) => existsSync(p));
}
