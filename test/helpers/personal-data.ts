import { env } from "cloudflare:workers";
import { verhoeffCheckDigit } from "../../src/dedupe/identifiers";

const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join("");
const letters = (n: number) =>
  Array.from({ length: n }, () => "ABCDEFGHJKLMNPQRSTUVWXYZ"[Math.floor(Math.random() * 24)]).join("");

export const randomDigits = digits;
export const randomLetters = letters;
/** A valid individual's PAN (holder type P). */
export const newPan = () => `${letters(3)}P${letters(1)}${digits(4)}${letters(1)}`;
/** A valid Aadhaar number: 12 digits, not starting with 0 or 1, Verhoeff check digit. */
export const newAadhaar = () => {
  const first11 = `${2 + Math.floor(Math.random() * 8)}${digits(10)}`;
  return `${first11}${verhoeffCheckDigit(first11)}`;
};
export const prop = (key: string, value: string) => ({ key, value, type: "text" });

/** Every column of every table (FTS shadow tables included) as text: what a scan for clear values reads. */
export async function everyStoredValue(): Promise<string> {
  const tables = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'd1_migrations'",
  ).all<{ name: string }>();
  const texts: string[] = [];
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`select * from "${name}"`).all<Record<string, unknown>>();
    for (const row of rows.results)
      for (const value of Object.values(row)) {
        if (value instanceof ArrayBuffer) texts.push(new TextDecoder().decode(value));
        else if (value !== null) texts.push(String(value));
      }
  }
  return texts.join("\n");
}
