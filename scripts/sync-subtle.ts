/**
 * WebCrypto's HMAC-SHA-256 and AES-GCM computed synchronously with node:crypto, for the duration of a
 * seed: the API's own functions (protectValue, hashIdentifier) then cost a few microseconds per value
 * instead of a thread-pool round trip (~30 us each, several per contact). The results are the same
 * bytes (the same algorithms on the same keys); `withSyncSubtle` checks that against WebCrypto itself
 * before it runs anything, and restores crypto.subtle afterwards. Other algorithms and keys imported
 * before it started go to WebCrypto as usual.
 */

import { createCipheriv, createHmac } from "node:crypto";

type Raw = { name: "HMAC" | "AES-GCM"; bytes: Buffer };

const bytesOf = (data: BufferSource): Buffer =>
  ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data as ArrayBuffer);

const arrayBufferOf = (buffer: Buffer): ArrayBuffer =>
  buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;

const algorithmName = (algorithm: AlgorithmIdentifier) =>
  (typeof algorithm === "string" ? algorithm : algorithm.name).toUpperCase();

export async function withSyncSubtle<T>(run: () => Promise<T>): Promise<T> {
  const subtle = globalThis.crypto.subtle;
  const original = { importKey: subtle.importKey, sign: subtle.sign, encrypt: subtle.encrypt };
  const raw = new WeakMap<CryptoKey, Raw>();
  const patched = {
    importKey(...args: Parameters<SubtleCrypto["importKey"]>) {
      const [format, keyData, algorithm] = args;
      const imported = (original.importKey as (...a: unknown[]) => Promise<CryptoKey>).apply(subtle, args);
      const name = algorithmName(algorithm);
      const hash = typeof algorithm === "object" && "hash" in algorithm ? algorithm.hash : undefined;
      const sha256 = hash !== undefined && algorithmName(hash as AlgorithmIdentifier) === "SHA-256";
      if (format !== "raw" || !((name === "HMAC" && sha256) || name === "AES-GCM")) return imported;
      const bytes = Buffer.from(bytesOf(keyData as BufferSource));
      return imported.then((key) => {
        raw.set(key, { name: name === "HMAC" ? "HMAC" : "AES-GCM", bytes });
        return key;
      });
    },
    sign(algorithm: AlgorithmIdentifier, key: CryptoKey, data: BufferSource) {
      const known = raw.get(key);
      if (known?.name !== "HMAC" || algorithmName(algorithm) !== "HMAC")
        return original.sign.call(subtle, algorithm, key, data);
      return Promise.resolve(arrayBufferOf(createHmac("sha256", known.bytes).update(bytesOf(data)).digest()));
    },
    encrypt(algorithm: AlgorithmIdentifier | AesGcmParams, key: CryptoKey, data: BufferSource) {
      const known = raw.get(key);
      const gcm = typeof algorithm === "object" && algorithmName(algorithm) === "AES-GCM" ? algorithm : null;
      if (known?.name !== "AES-GCM" || !gcm || !("iv" in gcm) || (gcm.tagLength ?? 128) !== 128)
        return original.encrypt.call(subtle, algorithm, key, data);
      const cipher = createCipheriv(`aes-${known.bytes.length * 8}-gcm`, known.bytes, bytesOf(gcm.iv));
      if (gcm.additionalData) cipher.setAAD(bytesOf(gcm.additionalData));
      const sealed = Buffer.concat([cipher.update(bytesOf(data)), cipher.final(), cipher.getAuthTag()]);
      return Promise.resolve(arrayBufferOf(sealed));
    },
  };
  Object.assign(subtle, patched);
  try {
    await check(subtle, original);
    return await run();
  } finally {
    for (const name of Object.keys(patched)) Reflect.deleteProperty(subtle, name);
    if (subtle.sign !== original.sign) Object.assign(subtle, original);
  }
}

/** The synchronous results are WebCrypto's: an HMAC equal to its own, a ciphertext it decrypts. */
async function check(subtle: SubtleCrypto, original: Pick<SubtleCrypto, "sign">) {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const data = new TextEncoder().encode("seed check 0123456789");
  const hmac = await subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mine = Buffer.from(await subtle.sign("HMAC", hmac, data));
  const theirs = Buffer.from(await original.sign.call(subtle, "HMAC", hmac, data));
  const aes = await subtle.importKey("raw", secret, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const additionalData = new TextEncoder().encode("context");
  const sealed = await subtle.encrypt({ name: "AES-GCM", iv, additionalData }, aes, data);
  const opened = Buffer.from(await subtle.decrypt({ name: "AES-GCM", iv, additionalData }, aes, sealed));
  if (!mine.equals(theirs) || !opened.equals(Buffer.from(data)))
    throw new Error("node:crypto does not reproduce WebCrypto here; seeding would store other values");
}
