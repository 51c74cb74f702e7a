/** The markdown tables and the SVG chart of a bench run (hand-written SVG, no chart library). */
import type { Storage } from "./storage";

export type RouteResult = {
  name: string;
  kind: "baseline" | "read" | "write";
  method: string;
  path: string;
  skipped?: string;
  note?: string;
  rps?: number;
  p50?: number;
  p99?: number;
  cpuUs?: number;
  cpuShare?: number;
  requests?: number;
  non2xx?: number;
  errors?: number;
  statusCodes?: Record<string, number>;
  rssMiB?: number | null;
  /** The baseline this route is judged against, measured in the same turns (raw lookup, raw write). */
  paired?: { name: string; rps: number; p50?: number; cpuUs?: number };
};

export type SizeResult = {
  contacts: number;
  database: { bytes: number; seeded: "now" | "cached"; seedSeconds?: number };
  /** Bytes per table and index of the seeded file (dbstat), and how many contacts fit in 10 GB. */
  storage?: Storage;
  walk?: { depth: number; pages: number; seconds: number };
  routes: RouteResult[];
  profiles?: {
    route: string;
    file: string;
    isolateUsPerRequest: number;
    byPackage: { where: string; usPerRequest: number; share: number }[];
    top: { where: string; usPerRequest: number; share: number }[];
  }[];
};

export type Target = { target: string; measured: string; met: boolean | null; limit?: string };

const fmt = (v: number | undefined, digits = 1) =>
  v === undefined || !Number.isFinite(v)
    ? "–"
    : v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const int = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? "–" : Math.round(v).toLocaleString("en-US");
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !b || !Number.isFinite(a) ? "–" : `${(a / b).toFixed(2)}×`;

export const sizeLabel = (n: number) =>
  n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000 && n % 1000 === 0
      ? `${n / 1000}k`
      : String(n);

/** One table per data-set size: absolute numbers, then ratios to the two baselines. */
export function sizeTable(size: SizeResult): string {
  const constant = size.routes.find((r) => r.name === "baseline: constant");
  const d1 = size.routes.find((r) => r.name === "baseline: raw D1 lookup");
  const lines = [
    `### ${sizeLabel(size.contacts)} contacts`,
    "",
    "| route | req/s | p50 ms | p99 ms | CPU µs/req | req/s ÷ const | req/s ÷ raw D1 | p50 ÷ raw D1 | CPU ÷ const | CPU ÷ raw D1 | notes |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  ];
  for (const r of size.routes) {
    if (r.skipped) {
      lines.push(`| ${r.name} | – | – | – | – | – | – | – | – | – | skipped: ${r.skipped} |`);
      continue;
    }
    const notes = [
      r.non2xx
        ? `${r.non2xx} non-2xx (${Object.entries(r.statusCodes ?? {})
            .filter(([c]) => !c.startsWith("2"))
            .map(([c, n]) => `${c}×${n}`)
            .join(", ")})`
        : "",
      r.errors ? `${r.errors} errors` : "",
      r.note ?? "",
    ]
      .filter(Boolean)
      .join("; ");
    lines.push(
      `| ${r.name} | ${int(r.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${int(r.cpuUs)} | ${ratio(r.rps, constant?.rps)} | ${ratio(r.rps, d1?.rps)} | ${ratio(r.p50, d1?.p50)} | ${ratio(r.cpuUs, constant?.cpuUs)} | ${ratio(r.cpuUs, d1?.cpuUs)} | ${notes} |`,
    );
  }
  return lines.join("\n");
}

/**
 * The write routes against the raw D1 write (one batch of a create's statements, no API): target ≥ 0.8×.
 * Each route against the raw write measured in the same turns as it.
 */
export function writesTable(size: SizeResult): string {
  const writes = size.routes.flatMap((r) =>
    r.kind === "write" && !r.skipped && r.paired ? [{ ...r, raw: r.paired }] : [],
  );
  if (writes.length === 0) return "";
  const lines = [
    "Writes against the raw D1 write baseline, measured in turns with each route:",
    "",
    "| route | req/s | raw write req/s | req/s ÷ raw write | p50 ÷ raw write | CPU ÷ raw write | ≥ 0.8× |",
    "|---|--:|--:|--:|--:|--:|---|",
    ...writes.map(
      ({ raw, ...r }) =>
        `| ${r.name} | ${int(r.rps)} | ${int(raw.rps)} | ${ratio(r.rps, raw.rps)} | ${ratio(r.p50, raw.p50)} | ${ratio(r.cpuUs, raw.cpuUs)} | ${r.rps !== undefined ? (r.rps / raw.rps >= 0.8 ? "yes" : "no") : "–"} |`,
    ),
  ];
  return lines.join("\n");
}

/** p50 of each read route per size, and its ratio to the smallest size's p50. */
export function scalingTable(sizes: SizeResult[], routes: string[]): string {
  const base = sizes[0];
  if (!base) return "";
  const head = sizes.map((s) => `p50 ${sizeLabel(s.contacts)}`);
  const ratios = sizes.slice(1).map((s) => `${sizeLabel(s.contacts)} ÷ ${sizeLabel(base.contacts)}`);
  const lines = [
    `| route | ${[...head, ...ratios].join(" | ")} |`,
    `|---|${[...head, ...ratios].map(() => "--:").join("|")}|`,
  ];
  for (const name of routes) {
    const p50 = sizes.map((s) => s.routes.find((r) => r.name === name)?.p50);
    lines.push(
      `| ${name} | ${p50.map((v) => fmt(v, 2)).join(" | ")}${ratios.length ? " | " : ""}${p50
        .slice(1)
        .map((v) => ratio(v, p50[0]))
        .join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

/** `--profile`: where the isolate's CPU goes, per API route, as shares (the profiler inflates absolute time). */
export function profileTable(size: SizeResult): string {
  const lines = [
    `### Where the Worker isolate's CPU goes (${sizeLabel(size.contacts)} contacts, --profile)`,
    "",
    "| route | isolate µs/req (profiled) | by package | top functions |",
    "|---|--:|---|---|",
  ];
  const pct = (h: { where: string; share: number }) => `${h.where} ${(h.share * 100).toFixed(0)}%`;
  for (const p of size.profiles ?? []) {
    const pk = p.byPackage.slice(0, 6).map(pct).join("; ");
    const top = p.top.slice(0, 5).map(pct).join("; ");
    lines.push(`| ${p.route} | ${Math.round(p.isolateUsPerRequest)} | ${pk} | ${top} |`);
  }
  lines.push(
    "",
    "Shares of the Worker isolate's sampled CPU time; the attached inspector slows every request, so absolute µs are " +
      "higher than in the measured runs. SQLite is not in these profiles (D1 runs in its own Durable Object). " +
      "Profiles: bench/results/profiles/*.cpuprofile.",
  );
  return lines.join("\n");
}

export function targetsTable(targets: Target[]): string {
  const lines = ["| target | measured | met | what limits it |", "|---|---|---|---|"];
  for (const t of targets)
    lines.push(
      `| ${t.target} | ${t.measured} | ${t.met === null ? "n/a" : t.met ? "yes" : "**no**"} | ${t.limit ?? ""} |`,
    );
  return lines.join("\n");
}

const COLORS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** p50 latency per route against data-set size: one line per route, sizes evenly spaced (decades). */
export function chartSvg(sizes: SizeResult[], routes: string[], title: string): string {
  const width = 820;
  const height = 460;
  const m = { left: 70, right: 230, top: 50, bottom: 60 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const series = routes.map((name) => ({
    name,
    points: sizes.map((s, i) => ({ i, v: s.routes.find((r) => r.name === name)?.p50 })),
  }));
  const values = series
    .flatMap((s) => s.points.map((p) => p.v))
    .filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  // Log scale: p50s span milliseconds to seconds, and equal ratios then read as equal distances.
  const lo = 10 ** Math.floor(Math.log10(Math.min(1, ...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(10, ...values)));
  const x = (i: number) => m.left + (sizes.length === 1 ? plotW / 2 : (i * plotW) / (sizes.length - 1));
  const y = (v: number) =>
    m.top + plotH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${m.left}" y="28" font-size="16" font-weight="600">${esc(title)}</text>`,
  ];
  for (let decade = lo; decade <= hi; decade *= 10) {
    for (const f of [1, 2, 5]) {
      const v = decade * f;
      if (v > hi) break;
      out.push(
        `<line x1="${m.left}" x2="${m.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${f === 1 ? "#d8d8d8" : "#f0f0f0"}"/>`,
        `<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${v.toLocaleString("en-US", { maximumFractionDigits: 2 })}</text>`,
      );
    }
  }
  sizes.forEach((s, i) => {
    out.push(
      `<line x1="${x(i)}" x2="${x(i)}" y1="${m.top}" y2="${m.top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${x(i)}" y="${m.top + plotH + 20}" text-anchor="middle" fill="#333">${sizeLabel(s.contacts)}</text>`,
    );
  });
  out.push(
    `<line x1="${m.left}" x2="${m.left + plotW}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<text x="${m.left + plotW / 2}" y="${height - 18}" text-anchor="middle" fill="#333">contacts in the tenant</text>`,
    `<text transform="translate(18 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">p50 latency (ms, log scale)</text>`,
  );
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const pts = s.points.filter(
      (p): p is { i: number; v: number } => p.v !== undefined && Number.isFinite(p.v),
    );
    if (pts.length > 1)
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ")}"/>`,
      );
    for (const p of pts)
      out.push(
        `<circle cx="${x(p.i).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(s.name)}: ${fmt(p.v, 2)} ms</title></circle>`,
      );
    const ly = m.top + 10 + k * 20;
    out.push(
      `<line x1="${width - m.right + 20}" x2="${width - m.right + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${width - m.right + 46}" y="${ly + 4}" fill="#333">${esc(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
