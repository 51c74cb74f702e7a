import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from "../../src/pii/base64";
import { keyRing, PiiKeysError, parsePiiKeys } from "../../src/pii/keyring";
import { KEY_A, KEY_B, secret } from "./keys";

describe("parsePiiKeys", () => {
  it("reads a list of {id, key}, newest first", () => {
    const entries = parsePiiKeys(secret(["k2", KEY_B], ["k1", KEY_A]));
    expect(entries.map((e) => e.id)).toEqual(["k2", "k1"]);
    expect(entries.map((e) => e.bytes.length)).toEqual([32, 32]);
    expect(Array.from(entries[1]!.bytes.slice(0, 4))).toEqual([0, 1, 2, 3]);
  });

  const bad: [string, string | undefined, RegExp][] = [
    ["unset", undefined, /not set/],
    ["blank", "  ", /not set/],
    ["not JSON", `[{"id":"k1","key":"${KEY_A}"`, /not valid JSON/],
    ["an object, not a list", JSON.stringify({ id: "k1", key: KEY_A }), /non-empty JSON list/],
    ["an empty list", "[]", /non-empty JSON list/],
    ["a string entry", JSON.stringify([KEY_A]), /PII_KEYS\[0\] must be an object/],
    ["an unknown field", JSON.stringify([{ id: "k1", key: KEY_A, alg: "A256GCM" }]), /unknown field/],
    ["a missing id", JSON.stringify([{ key: KEY_A }]), /PII_KEYS\[0\]\.id/],
    ["an id with a dot", secret(["k.1", KEY_A]), /PII_KEYS\[0\]\.id/],
    ["an id of 33 characters", secret(["k".repeat(33), KEY_A]), /PII_KEYS\[0\]\.id/],
    ["a repeated id", secret(["k1", KEY_A], ["k1", KEY_B]), /PII_KEYS\[1\]\.id repeats/],
    ["a 16-byte key", secret(["k1", KEY_A.slice(0, 24)]), /PII_KEYS\[0\]\.key \(id k1\)/],
    ["a 33-byte key", secret(["k1", toBase64(new Uint8Array(33).fill(7))]), /exactly 32 bytes/],
    [
      "base64url instead of base64",
      secret(["k1", toBase64(new Uint8Array(32).fill(0xff)).replaceAll("/", "_")]),
      /standard base64/,
    ],
    ["unpadded base64", secret(["k1", KEY_A.replace(/=$/, "")]), /standard base64/],
    ["hex", secret(["k1", "00".repeat(32)]), /standard base64/],
    ["a number as key", JSON.stringify([{ id: "k1", key: 42 }]), /PII_KEYS\[0\]\.key/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what} with a clear error`, () => {
      expect(() => parsePiiKeys(value)).toThrow(PiiKeysError);
      expect(() => parsePiiKeys(value)).toThrow(message);
    });
  }

  it("never puts key material in an error message", () => {
    const leaks = [
      `[{"id":"k1","key":"${KEY_A}"`, // JSON.parse's own message would quote this
      `{"id":"k1","key":"${KEY_A}"}`,
      secret(["k1", KEY_A], ["k1", KEY_B]),
      secret(["k1", `${KEY_A.slice(0, 40)}`]),
      JSON.stringify([{ id: "k1", key: KEY_A, note: KEY_B }]),
      JSON.stringify([{ id: KEY_A, key: KEY_B }]),
      KEY_A,
    ];
    for (const value of leaks) {
      let message = "";
      try {
        parsePiiKeys(value);
      } catch (e) {
        expect(e).toBeInstanceOf(PiiKeysError);
        message = `${(e as Error).message} ${String((e as Error).cause ?? "")} ${(e as Error).stack ?? ""}`;
      }
      expect(message, value).not.toBe("");
      for (const key of [KEY_A, KEY_B]) {
        expect(message).not.toContain(key.slice(0, 12));
      }
    }
  });
});

describe("keyRing", () => {
  it("imports every key and makes the first one primary", async () => {
    const ring = await keyRing(secret(["k2", KEY_B], ["k1", KEY_A]));
    expect(ring.primary.id).toBe("k2");
    expect([...ring.keys.keys()]).toEqual(["k2", "k1"]);
    expect(ring.primary.key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
    expect(ring.primary.key.extractable).toBe(false);
  });

  it("is imported once per secret string", async () => {
    const s = secret(["once", KEY_A]);
    const [a, b] = await Promise.all([keyRing(s), keyRing(s)]);
    expect(a).toBe(b);
    expect(await keyRing(s)).toBe(a);
    expect(await keyRing(secret(["other", KEY_A]))).not.toBe(a);
  });

  it("rejects a malformed secret every time, without caching the failure", async () => {
    await expect(keyRing("[]")).rejects.toThrow(PiiKeysError);
    await expect(keyRing("[]")).rejects.toThrow(PiiKeysError);
    await expect(keyRing(undefined)).rejects.toThrow(/not set/);
  });

  it("accepts the test worker's PII_KEYS", async () => {
    const ring = await keyRing(env.PII_KEYS);
    expect(ring.primary.id).toBe("test1");
  });
});

describe("base64 helpers", () => {
  it("round-trip every length and agree with btoa", () => {
    for (let n = 0; n < 40; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      const std = toBase64(bytes);
      expect(std).toBe(btoa(String.fromCharCode(...bytes)));
      expect(Array.from(fromBase64(std)!)).toEqual(Array.from(bytes));
      const url = toBase64Url(bytes);
      expect(url).toBe(std.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
      expect(Array.from(fromBase64Url(url)!)).toEqual(Array.from(bytes));
    }
  });

  it("refuse non-canonical text", () => {
    expect(fromBase64Url("A")).toBeNull();
    expect(fromBase64Url("AB")).toBeNull(); // leftover bits not zero
    expect(fromBase64Url("a+b/")).toBeNull();
    expect(fromBase64("QQ")).toBeNull();
    expect(fromBase64("QQ-_")).toBeNull();
    expect(fromBase64("QQ==")).not.toBeNull();
  });
});
