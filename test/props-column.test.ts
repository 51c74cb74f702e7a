import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { PROP_TYPES } from "../src/db/enums";
import { decodeProps, storedPropKey, storedPropValue } from "../src/db/props-column";
import { contacts, type StoredProp } from "../src/db/schema";

/** contacts.props (src/db/props-column.ts), read as objects or as `[key, value(, type)]` arrays. */

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

describe("contacts.props column", () => {
  it("reads the compact form and the object form as the same props, in order", () => {
    expect(new Set(PROPS.map((p) => p.type))).toEqual(new Set(PROP_TYPES));
    for (const text of [COMPACT, LEGACY]) {
      // JSON text, not toEqual: the objects' key order too (a PATCH compares props as JSON).
      expect(JSON.stringify(decodeProps(text))).toBe(LEGACY);
    }
    const reordered = JSON.stringify(PROPS.map(({ key, value, type }) => ({ type, value, key })));
    expect(JSON.stringify(decodeProps(reordered))).toBe(LEGACY);
    expect(decodeProps("[]")).toEqual([]);
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
