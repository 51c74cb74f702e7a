import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../../src/pii/base64";
import {
  decrypt,
  encrypt,
  envelopeShape,
  isEnvelope,
  keyIdOf,
  needsRotation,
  PiiDecryptError,
  reencrypt,
} from "../../src/pii/cipher";
import { keyRing } from "../../src/pii/keyring";
import { KEY_A, KEY_B, KEY_C, secret } from "./keys";

const ringA = () => keyRing(secret(["a", KEY_A]));
const ringBA = () => keyRing(secret(["b", KEY_B], ["a", KEY_A]));
const ctx = { context: "tenant-1\u001fpan" };

describe("encrypt / decrypt", () => {
  it("round-trips, with the context", async () => {
    const ring = await ringA();
    const envelope = await encrypt(ring, "ABCPE1234F", { ...ctx, shown: "234F" });
    expect(envelope).toMatch(/^v1\.a\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.234F$/);
    expect(envelope).not.toContain("ABCPE1234F");
    expect(await decrypt(ring, envelope, ctx)).toBe("ABCPE1234F");
  });

  it("round-trips any text (property)", async () => {
    const ring = await ringA();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 40 }), fc.string(), async (text, context) => {
        expect(await decrypt(ring, await encrypt(ring, text, { context }), { context })).toBe(text);
      }),
      { numRuns: 50 },
    );
  });

  it("uses a fresh 12-byte IV per value: the same value encrypts differently every time", async () => {
    const ring = await ringA();
    const envelopes = await Promise.all(Array.from({ length: 50 }, () => encrypt(ring, "ABCPE1234F", ctx)));
    expect(new Set(envelopes).size).toBe(50);
    const ivs = envelopes.map((e) => e.split(".")[2] as string);
    expect(new Set(ivs).size).toBe(50);
    expect(fromBase64Url(ivs[0]!)!.length).toBe(12);
  });

  it("describes itself: key id, shown tail and plaintext length", async () => {
    const ring = await ringA();
    const envelope = await encrypt(ring, "J1234567", { shown: "4567" });
    expect(isEnvelope(envelope)).toBe(true);
    expect(keyIdOf(envelope)).toBe("a");
    expect(envelopeShape(envelope)).toEqual({ shown: "4567", length: 8 });
    const bare = await encrypt(ring, "");
    expect(envelopeShape(bare)).toEqual({ shown: "", length: 0 });
    for (const s of [
      "ABCPE1234F",
      "v1.a.x.y",
      "v2.a.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
      "",
      "XXXXXX234F",
    ]) {
      expect(isEnvelope(s), s).toBe(false);
      expect(keyIdOf(s)).toBeNull();
      expect(envelopeShape(s)).toBeNull();
    }
  });

  it("refuses to show more than four ASCII characters", async () => {
    const ring = await ringA();
    await expect(encrypt(ring, "ABCPE1234F", { shown: "1234F" })).rejects.toThrow(TypeError);
    await expect(encrypt(ring, "ABCPE1234F", { shown: "12.4" })).rejects.toThrow(TypeError);
  });
});

describe("decrypt refuses", () => {
  it("an unknown key id", async () => {
    const envelope = await encrypt(await ringBA(), "ABCPE1234F", ctx);
    await expect(decrypt(await ringA(), envelope, ctx)).rejects.toThrow(/no key with id b/);
  });

  it("the right id with the wrong key", async () => {
    const envelope = await encrypt(await ringA(), "ABCPE1234F", ctx);
    const impostor = await keyRing(secret(["a", KEY_C]));
    await expect(decrypt(impostor, envelope, ctx)).rejects.toThrow(PiiDecryptError);
  });

  it("another tenant's (or kind's) context, or none", async () => {
    const ring = await ringA();
    const envelope = await encrypt(ring, "ABCPE1234F", { context: "tenant-1\u001fpan" });
    await expect(decrypt(ring, envelope, { context: "tenant-2\u001fpan" })).rejects.toThrow(PiiDecryptError);
    await expect(decrypt(ring, envelope, { context: "tenant-1\u001fpassport" })).rejects.toThrow(
      PiiDecryptError,
    );
    await expect(decrypt(ring, envelope)).rejects.toThrow(PiiDecryptError);
  });

  it("a tampered ciphertext, IV, tail or key id", async () => {
    const ring = await ringBA();
    const envelope = await encrypt(ring, "ABCPE1234F", { ...ctx, shown: "234F" });
    const [v, id, iv, sealed, shown] = envelope.split(".") as [string, string, string, string, string];
    const flip = (text: string, at: number) => {
      const bytes = fromBase64Url(text)!;
      bytes[at] = (bytes[at] as number) ^ 1;
      return toBase64Url(bytes);
    };
    const tampered = [
      [v, id, iv, flip(sealed, 0), shown],
      [v, id, iv, flip(sealed, fromBase64Url(sealed)!.length - 1), shown], // the tag
      [v, id, flip(iv, 5), sealed, shown],
      [v, id, iv, sealed, "999F"],
      [v, id, iv, sealed],
      [v, "a", iv, sealed, shown],
      [v, id, iv, sealed.slice(0, -2), shown],
    ].map((parts) => parts.join("."));
    for (const t of tampered) await expect(decrypt(ring, t, ctx), t).rejects.toThrow(PiiDecryptError);
    await expect(decrypt(ring, "ABCPE1234F", ctx)).rejects.toThrow(/not a v1 envelope/);
  });

  it("with errors that name no value", async () => {
    const ring = await ringA();
    const envelope = await encrypt(ring, "ABCPE1234F", ctx);
    const error = await decrypt(ring, envelope, { context: "other" }).catch((e: Error) => e);
    expect(String(error)).not.toContain("ABCPE1234F");
    expect(String(error)).not.toContain(KEY_A.slice(0, 12));
  });
});

describe("rotation", () => {
  it("finds values under an older key and re-encrypts them under the newest", async () => {
    const old = await encrypt(await ringA(), "ABCPE1234F", { ...ctx, shown: "234F" });
    const rotated = await ringBA();
    expect(needsRotation(old, rotated)).toBe(true);
    expect(await decrypt(rotated, old, ctx)).toBe("ABCPE1234F"); // reads accept any listed key
    const fresh = await reencrypt(rotated, old, ctx);
    expect(keyIdOf(fresh)).toBe("b");
    expect(envelopeShape(fresh)?.shown).toBe("234F");
    expect(needsRotation(fresh, rotated)).toBe(false);
    expect(await decrypt(rotated, fresh, ctx)).toBe("ABCPE1234F");
    // After rotation the old key can go: the new ring alone reads the value.
    expect(await decrypt(await keyRing(secret(["b", KEY_B])), fresh, ctx)).toBe("ABCPE1234F");
  });

  it("does not re-encrypt into another context", async () => {
    const old = await encrypt(await ringA(), "ABCPE1234F", ctx);
    await expect(reencrypt(await ringBA(), old, { context: "tenant-2\u001fpan" })).rejects.toThrow(
      PiiDecryptError,
    );
  });

  it("leaves non-envelopes alone", async () => {
    expect(needsRotation("ABCPE1234F", await ringBA())).toBe(false);
  });
});
