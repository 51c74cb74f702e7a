import { DatabaseSync } from "node:sqlite";

/** D1's limit on one database's size (Cloudflare documents "10 GB"; read here as 10^10 bytes). */
export const D1_MAX_BYTES = 10_000_000_000;

export type StorageObject = {
  /** The b-tree: a table, an index, or an FTS5 shadow table. */
  name: string;
  /** The table it belongs to (an FTS5 shadow table belongs to its FTS table). */
  table: string;
  kind: "table" | "index" | "fts";
  bytes: number;
  pages: number;
};

export type Storage = {
  /** How the bytes were counted: SQLite's dbstat virtual table (pages of each b-tree, free pages apart). */
  source: "dbstat";
  contacts: number;
  pageSize: number;
  fileBytes: number;
  freeBytes: number;
  objects: StorageObject[];
  bytesPerContact: number;
  /** D1_MAX_BYTES ÷ bytes per contact: contacts (with their history, children and indexes) in one database. */
  contactsIn10GB: number;
};

/**
 * Bytes per table and index of a seeded database, from dbstat (compiled into Node's SQLite), read-only.
 * Every b-tree is counted with its full pages (`pgsize`), so the objects add up to the file minus its free
 * pages; bytes per contact divide everything (history, children, FTS, indexes) by the contacts.
 */
export function storageOf(file: string): Storage {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const pageSize = Number((db.prepare("pragma page_size").get() as { page_size: number }).page_size);
    const pageCount = Number((db.prepare("pragma page_count").get() as { page_count: number }).page_count);
    const freePages = Number(
      (db.prepare("pragma freelist_count").get() as { freelist_count: number }).freelist_count,
    );
    const contacts = Number((db.prepare("select count(*) as n from contacts").get() as { n: number }).n);
    const master = new Map(
      (
        db.prepare("select name, tbl_name, type, sql from sqlite_master").all() as {
          name: string;
          tbl_name: string;
          type: string;
          sql: string | null;
        }[]
      ).map((r) => [r.name, r]),
    );
    const fts = [...master.values()]
      .filter((r) => r.type === "table" && /using\s+fts5/i.test(r.sql ?? ""))
      .map((r) => r.name);
    const rows = db
      .prepare("select name, sum(pgsize) as bytes, count(*) as pages from dbstat group by name")
      .all() as { name: string; bytes: number; pages: number }[];
    const objects: StorageObject[] = rows.map((r) => {
      const owner = fts.find((f) => r.name.startsWith(`${f}_`));
      const entry = master.get(r.name);
      return {
        name: r.name,
        table: owner ?? entry?.tbl_name ?? r.name,
        kind: owner
          ? "fts"
          : entry?.type === "index" || r.name.startsWith("sqlite_autoindex")
            ? "index"
            : "table",
        bytes: Number(r.bytes),
        pages: Number(r.pages),
      };
    });
    objects.sort((a, b) => b.bytes - a.bytes);
    const used = objects.reduce((s, o) => s + o.bytes, 0);
    const bytesPerContact = contacts ? used / contacts : 0;
    return {
      source: "dbstat",
      contacts,
      pageSize,
      fileBytes: pageCount * pageSize,
      freeBytes: freePages * pageSize,
      objects,
      bytesPerContact,
      contactsIn10GB: bytesPerContact ? Math.floor(D1_MAX_BYTES / bytesPerContact) : 0,
    };
  } finally {
    db.close();
  }
}

/** Per table: the table itself, its indexes and (for FTS tables) the shadow tables, in bytes per contact. */
export function storageTable(s: Storage, label: string): string {
  const per = (b: number) => (s.contacts ? b / s.contacts : 0);
  const byTable = new Map<string, { table: number; indexes: number; fts: number }>();
  for (const o of s.objects) {
    const t = byTable.get(o.table) ?? { table: 0, indexes: 0, fts: 0 };
    if (o.kind === "index") t.indexes += o.bytes;
    else if (o.kind === "fts") t.fts += o.bytes;
    else t.table += o.bytes;
    byTable.set(o.table, t);
  }
  const total = s.objects.reduce((sum, o) => sum + o.bytes, 0);
  const tables = [...byTable.entries()].sort(
    (a, b) => b[1].table + b[1].indexes + b[1].fts - (a[1].table + a[1].indexes + a[1].fts),
  );
  const f = (n: number) => Math.round(n).toLocaleString("en-US");
  const pct = (n: number) => `${((n / Math.max(1, total)) * 100).toFixed(1)}%`;
  const lines = [
    `### Bytes per contact (${label}, SQLite dbstat, page size ${s.pageSize})`,
    "",
    `${f(s.bytesPerContact)} bytes per contact in all (${(total / 2 ** 20).toFixed(1)} MiB used by ${f(s.contacts)} contacts and everything they own, ${(s.freeBytes / 2 ** 20).toFixed(1)} MiB free pages): **${f(s.contactsIn10GB)} contacts fit in 10 GB** (D1's database limit, 10^10 bytes).`,
    "",
    "| table | rows B/contact | indexes B/contact | FTS B/contact | total B/contact | share |",
    "|---|--:|--:|--:|--:|--:|",
    ...tables.map(
      ([name, t]) =>
        `| ${name} | ${f(per(t.table))} | ${f(per(t.indexes))} | ${f(per(t.fts))} | ${f(per(t.table + t.indexes + t.fts))} | ${pct(t.table + t.indexes + t.fts)} |`,
    ),
    "",
    "| index | table | B/contact | share |",
    "|---|---|--:|--:|",
    ...s.objects
      .filter((o) => o.kind === "index")
      .map((o) => `| ${o.name} | ${o.table} | ${f(per(o.bytes))} | ${pct(o.bytes)} |`),
  ];
  return lines.join("\n");
}
