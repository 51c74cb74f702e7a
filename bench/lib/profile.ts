/**
 * CPU profiles of the Worker's isolate through workerd's DevTools inspector (Chrome DevTools
 * Protocol over a WebSocket), summarised by the source file and function they map to through the
 * bundle's source map. Open a saved .cpuprofile in Chrome DevTools (Performance tab) for the details.
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { basename, dirname, relative, resolve } from "node:path";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
export type CpuProfile = {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

/** Connects to the inspector target of the user Worker (`core:user:<name>`). */
export async function connectProfiler(inspectorPort: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    id: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((t) => t.id.startsWith("core:user:"));
  if (!target)
    throw new Error(`no user Worker among inspector targets ${targets.map((t) => t.id).join(", ")}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("inspector connection failed")), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (value: any) => void>();
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)?.(message.result ?? message.error);
      pending.delete(message.id);
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  return {
    start: () => send("Profiler.start"),
    stop: async () => ((await send("Profiler.stop")) as { profile: CpuProfile }).profile,
    close: () => ws.close(),
  };
}

export type Hotspot = { where: string; selfMs: number; share: number };

/**
 * Self time grouped by the original source location (file and function) the bundle's source map
 * gives, or by workerd's own frames ("(garbage collector)", "(program)", native functions).
 */
export function hotspots(
  profile: CpuProfile,
  bundlePath: string,
  root: string,
  top = 25,
): { total: number; rows: Hotspot[] } {
  let map: SourceMap | null = null;
  let sourceRoot = dirname(bundlePath);
  try {
    const raw = JSON.parse(readFileSync(`${bundlePath}.map`, "utf8"));
    sourceRoot = resolve(dirname(bundlePath), raw.sourceRoot ?? "");
    map = new SourceMap(raw);
  } catch {
    map = null;
  }
  const bundleName = basename(bundlePath);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byWhere = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (!us) continue;
    const f = node.callFrame;
    if (f.functionName === "(idle)") continue;
    total += us;
    const name = f.functionName || "(anonymous)";
    let where = name;
    if (f.url === bundleName && map) {
      const entry = map.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string };
      if (entry?.originalSource) {
        const file = resolve(sourceRoot, entry.originalSource.replace(/^file:\/\//, ""));
        // drizzle-orm's published source maps name its files `src/...` without the package.
        const rel = relative(root, file).replace(/^node_modules\/src\//, "node_modules/drizzle-orm/src/");
        where = `${rel.replace(/^node_modules\//, "")} ${name}`;
      }
    } else if (f.url) {
      where = `${f.url} ${name}`;
    } else {
      where = `[native] ${name}`;
    }
    byWhere.set(where, (byWhere.get(where) ?? 0) + us);
  }
  const rows = [...byWhere]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, us]) => ({ where, selfMs: us / 1000, share: total ? us / total : 0 }));
  return { total: total / 1000, rows };
}

/** Self time per package or source folder: where the isolate's CPU goes, in a few lines. */
export function byPackage(profile: CpuProfile, bundlePath: string, root: string): Hotspot[] {
  const { rows, total } = hotspots(profile, bundlePath, root, Number.MAX_SAFE_INTEGER);
  const groups = new Map<string, number>();
  for (const row of rows) {
    const file = row.where.split(" ")[0] ?? "";
    const pkg = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(file)?.[1];
    const group = row.where.startsWith("[native]")
      ? "workerd native (runtime, GC, fetch, crypto)"
      : file.startsWith("src/")
        ? file.split("/").slice(0, 2).join("/")
        : file.includes(":")
          ? file
          : pkg && !file.startsWith("(")
            ? pkg
            : "other";
    groups.set(group, (groups.get(group) ?? 0) + row.selfMs);
  }
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .map(([where, selfMs]) => ({ where, selfMs, share: total ? selfMs / total : 0 }));
}
