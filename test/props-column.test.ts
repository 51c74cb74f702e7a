import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PROP_TYPES } from "../src/db/enums";
import { insertSelect } from "../src/db/insert";
import { decodeProps, encodeProps, storedPropKey, storedPropValue } from "../src/db/props-column";
import { contacts, type StoredProp } from "../src/db/schema";

/** contacts.props on disk (src/db/props-column.ts): `[key, value]`, the type only when it is not text. */

const PROPS: StoredProp[] = [
  { key: "pan_no", value: "v1.test1.AAAA.BBBB.234F", type: "text" },
  { key: "annual_income", value: "1150000", type: "number" },
  { key: "kyc_verified", value: "true", type: "boolean" },
  { key: "photo", value: "kyc/abcpk1234f/photo.jpg", type: "file" },
  { key: "name_hi", value: 'राहुल "R" \\ 😀\n', type: "text" },
];
const COMPACT = String.raw`[["pan_no","v1.test1.AAAA.BBBB.234F"],["annual_income","1150000","number"],["kyc_verified","true","boolean"],["photo","kyc/abcpk1234f/photo.jpg","file"],["name_hi","राहुल \"R\" \\ 😀\n"]]`;
const LEGACY = JSON.stringify(PROPS);

const db = drizzle(env.DB);
const T = "2026-01-02T03:04:05.678Z";
const row = (id: string) => ({
  id,
  tenantId: "t-props-column",
  namespaceId: "ns",
  name: "Props Column",
  type: "individual" as const,
  status: "active" as const,
  createdAt: T,
  createdBy: "u1",
  updatedAt: T,
});

describe("contacts.props column", () => {
  it("writes [key, value] pairs in order, with the type only when it is not text", () => {
    expect(new Set(PROPS.map((p) => p.type))).toEqual(new Set(PROP_TYPES));
    expect(encodeProps(PROPS)).toBe(COMPACT);
    expect(encodeProps([])).toBe("[]");
  });

  it("reads the compact form and the object form as the same props, in order", () => {
    for (const text of [COMPACT, LEGACY]) {
      // JSON text, not toEqual: the objects' key order too (a PATCH compares props as JSON).
      expect(JSON.stringify(decodeProps(text))).toBe(LEGACY);
    }
    const reordered = JSON.stringify(PROPS.map(({ key, value, type }) => ({ type, value, key })));
    expect(JSON.stringify(decodeProps(reordered))).toBe(LEGACY);
    expect(encodeProps(decodeProps(LEGACY))).toBe(COMPACT);
    expect(decodeProps("[]")).toEqual([]);
  });

  it("round-trips any props of every type", () => {
    const prop = fc.record({ key: fc.string(), value: fc.string(), type: fc.constantFrom(...PROP_TYPES) });
    fc.assert(
      fc.property(fc.array(prop, { maxLength: 12 }), (props) => {
        const text = encodeProps(props);
        expect(decodeProps(text)).toEqual(props);
        const stored: unknown[][] = JSON.parse(text);
        expect(stored.map((p) => p.length)).toEqual(props.map((p) => (p.type === "text" ? 2 : 3)));
      }),
    );
  });

  it("is what drizzle binds on insert, update and insert-select, and what it reads back", async () => {
    const bound = (query: { toSQL(): { params: unknown[] } }) => query.toSQL().params;
    expect(bound(db.insert(contacts).values({ ...row("c0"), props: PROPS }))).toContain(COMPACT);
    expect(bound(db.update(contacts).set({ props: PROPS }).where(eq(contacts.id, "c0")))).toContain(COMPACT);
    expect(bound(insertSelect(db, contacts, { ...row("c0"), props: PROPS }, sql``))).toContain(COMPACT);

    await db.insert(contacts).values({ ...row("c1"), props: PROPS });
    await db.insert(contacts).values(row("c2"));
    const stored = await env.DB.prepare(
      "select id, props from contacts where tenant_id = 't-props-column' order by id",
    ).all();
    expect(stored.results).toEqual([
      { id: "c1", props: COMPACT },
      { id: "c2", props: "[]" },
    ]);
    const [read] = await db.select().from(contacts).where(eq(contacts.id, "c1"));
    expect(read?.props).toEqual(PROPS);
  });

  it("is what drizzle reads back from a stored row of either form", async () => {
    for (const [id, text] of Object.entries({ "c-compact": COMPACT, "c-objects": LEGACY })) {
      await env.DB.prepare(
        `insert into contacts (id, tenant_id, namespace_id, name, type, status, props, created_at, created_by, updated_at)
         values (?, 't-props-column', 'ns', 'Props Column', 'individual', 'active', ?, 'T', 'u1', 'T')`,
      )
        .bind(id, text)
        .run();
      const [read] = await db.select().from(contacts).where(eq(contacts.id, id));
      expect(read?.props).toEqual(PROPS);
    }
  });

  it("raw SQL reads each element's key and value in either form", async () => {
    const elements = (text: string) =>
      db.all(sql`select ${storedPropKey(sql`p.value`)} as key, ${storedPropValue(sql`p.value`)} as value
        from json_each(${text}) p order by p.key`);
    const expected = PROPS.map(({ key, value }) => ({ key, value }));
    expect(await elements(COMPACT)).toEqual(expected);
    expect(await elements(LEGACY)).toEqual(expected);
  });
});
