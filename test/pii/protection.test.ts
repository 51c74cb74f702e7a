import { describe, expect, it } from "vitest";
import { extractIdentifiers, hashIdentifier, validateIdentifierProps } from "../../src/dedupe/identifiers";
import { isEnvelope, keyIdOf } from "../../src/pii/cipher";
import { keyRing, PiiKeysError } from "../../src/pii/keyring";
import {
  indexableProps,
  maskProps,
  maskStoredValue,
  mergeMaskedWrites,
  needsReprotection,
  type Prop,
  protectProps,
  protectValue,
  reprotectValue,
  revealProps,
  revealValue,
} from "../../src/pii/protection";
import { KEY_A, KEY_B, secret } from "./keys";

const SECRET_A = secret(["a", KEY_A]);
const SECRET_BA = secret(["b", KEY_B], ["a", KEY_A]);
const T1 = { tenantId: "tenant-1" };
const T2 = { tenantId: "tenant-2" };

const text = (key: string, value: string): Prop => ({ key, value, type: "text" });
const PAN = "ABCPE1234F";
const AADHAAR = "234123412346";

const input = [
  text("pan_no", "abcpe 1234 f"),
  text("aadhaar", "2341 2341 2346"),
  text("passport", "j1234567"),
  text("voter_id", "abc/1234567"),
  text("dl_no", "MH-12-2011-0012345"),
  text("mobile", "098765 43210"),
  text("email", " Rahul@Example.com "),
  text("gstin", "27aapfu0939f1zv"),
  text("dob", "12/03/1985"),
  text("occupation", "salaried"),
];

describe("protectProps", () => {
  it("stores identifiers canonical: protected kinds encrypted, Aadhaar masked, the rest plain", async () => {
    const stored = await protectProps(SECRET_A, input, T1);
    expect(stored.map((p) => p.key)).toEqual(input.map((p) => p.key));
    const byKey = Object.fromEntries(stored.map((p) => [p.key, p.value]));
    for (const key of ["pan_no", "passport", "voter_id", "dl_no"]) {
      expect(isEnvelope(byKey[key]), key).toBe(true);
      expect(keyIdOf(byKey[key] as string)).toBe("a");
    }
    expect(byKey.aadhaar).toBe("XXXXXXXX2346");
    expect(byKey.mobile).toBe("+919876543210");
    expect(byKey.email).toBe("rahul@example.com");
    expect(byKey.gstin).toBe("27AAPFU0939F1ZV");
    expect(byKey.dob).toBe("1985-03-12");
    expect(byKey.occupation).toBe("salaried");
  });

  it("keeps no protected identifier or Aadhaar number in clear, in any formatting", async () => {
    const json = JSON.stringify(await protectProps(SECRET_A, input, T1));
    for (const clear of [PAN, AADHAAR, "2341 2341 2346", "J1234567", "ABC1234567", "MH1220110012345"]) {
      expect(json).not.toContain(clear);
      expect(json.toLowerCase()).not.toContain(clear.toLowerCase());
    }
  });

  it("reuses the previous envelope for an unchanged value, a fresh one for a changed value", async () => {
    const first = await protectProps(SECRET_A, [text("pan", PAN)], T1);
    const again = await protectProps(SECRET_A, [text("pan", "abcpe1234f")], T1, first);
    expect(again).toEqual(first);
    // Same mask (XXXXXX234F), other PAN: not reused.
    const other = await protectProps(SECRET_A, [text("pan", "ZZZPE1234F")], T1, first);
    expect(other[0]!.value).not.toBe(first[0]!.value);
    expect(await revealProps(SECRET_A, other, T1, { clear: true })).toEqual([text("pan", "ZZZPE1234F")]);
    // An envelope under a key that is being rotated out is not reused.
    const rotated = await protectProps(SECRET_BA, [text("pan", PAN)], T1, first);
    expect(keyIdOf(rotated[0]!.value)).toBe("b");
  });

  it("throws, naming no value, when a prop was not validated first", async () => {
    const error = await protectProps(
      SECRET_A,
      [text("occupation", "x"), text("pan", "ABCXE1234F")],
      T1,
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toContain("props.1.value");
    expect(String(error)).not.toContain("ABCXE1234F");
  });

  it("needs PII_KEYS only when a value must be encrypted", async () => {
    expect(
      await protectProps(undefined, [text("mobile", "9876543210"), text("aadhaar", AADHAAR)], T1),
    ).toEqual([text("mobile", "+919876543210"), text("aadhaar", "XXXXXXXX2346")]);
    await expect(protectProps(undefined, [text("pan", PAN)], T1)).rejects.toThrow(PiiKeysError);
  });
});

describe("revealProps", () => {
  it("shows protected identifiers in clear to contacts:pii readers; Aadhaar stays masked", async () => {
    const stored = await protectProps(SECRET_A, input, T1);
    const clear = Object.fromEntries(
      (await revealProps(SECRET_A, stored, T1, { clear: true })).map((p) => [p.key, p.value]),
    );
    expect(clear).toMatchObject({
      pan_no: PAN,
      aadhaar: "XXXXXXXX2346",
      passport: "J1234567",
      voter_id: "ABC1234567",
      dl_no: "MH1220110012345",
      mobile: "+919876543210",
      occupation: "salaried",
    });
  });

  it("masks them for everyone else, without needing the key ring", async () => {
    const stored = await protectProps(SECRET_A, input, T1);
    const masked = await revealProps(undefined, stored, T1, { clear: false });
    expect(masked).toEqual(maskProps(stored));
    const byKey = Object.fromEntries(masked.map((p) => [p.key, p.value]));
    expect(byKey).toMatchObject({
      pan_no: "XXXXXX234F",
      aadhaar: "XXXXXXXX2346",
      passport: "XXXX4567",
      voter_id: "XXXXXX4567",
      dl_no: "XXXXXXXXXXX2345",
      mobile: "+919876543210",
      gstin: "27AAPFU0939F1ZV",
    });
  });

  it("refuses to decrypt another tenant's value (a ciphertext copied across rows)", async () => {
    const stored = await protectProps(SECRET_A, [text("pan", PAN)], T1);
    await expect(revealProps(SECRET_A, stored, T2, { clear: true })).rejects.toThrow(/authentication/);
  });

  it("refuses a value copied to another kind's key", async () => {
    const [pan] = await protectProps(SECRET_A, [text("pan", PAN)], T1);
    await expect(
      revealProps(SECRET_A, [text("passport", pan!.value)], T1, { clear: true }),
    ).rejects.toThrow();
  });

  it("reads values stored before encryption existed: clear for pii readers, masked for others", async () => {
    const legacy = [text("pan", PAN), text("aadhaar", AADHAAR)];
    expect(await revealProps(SECRET_A, legacy, T1, { clear: true })).toEqual([
      text("pan", PAN),
      text("aadhaar", "XXXXXXXX2346"),
    ]);
    expect(maskProps(legacy)).toEqual([text("pan", "XXXXXX234F"), text("aadhaar", "XXXXXXXX2346")]);
  });
});

describe("mergeMaskedWrites", () => {
  it("keeps the stored value when its mask is sent back, and a pipeline round trip changes nothing", async () => {
    const stored = await protectProps(SECRET_A, input, T1);
    const read = maskProps(stored); // what a reader without contacts:pii saw
    const merged = mergeMaskedWrites(read, stored);
    expect(merged.filter((p) => p.kept).map((p) => p.key)).toEqual([
      "pan_no",
      "aadhaar",
      "passport",
      "voter_id",
      "dl_no",
    ]);
    expect(validateIdentifierProps(merged)).toEqual([]);
    expect(await protectProps(SECRET_A, merged, T1, stored)).toEqual(stored);
  });

  it("accepts the mask lower-cased or spaced under the key that stores it, never under another key", async () => {
    const stored = await protectProps(SECRET_A, [text("pan", PAN), text("aadhaar_no", AADHAAR)], T1);
    const merged = mergeMaskedWrites(
      [text("pan", "xxxxxx234f"), text("aadhaar_no", "XXXX XXXX 2346")],
      stored,
    );
    expect(merged).toEqual([
      { ...text("pan", stored[0]!.value), kept: true },
      { ...text("aadhaar_no", "XXXXXXXX2346"), kept: true },
    ]);
    // Another key of the same kind: the mask is passed through, to be refused by validation.
    const elsewhere = [text("PAN Number", "XXXXXX234F"), text("uid", "XXXXXXXX2346")];
    expect(mergeMaskedWrites(elsewhere, stored)).toEqual(elsewhere);
    expect(validateIdentifierProps(elsewhere).map((e) => e.path)).toEqual(["props.0.value", "props.1.value"]);
  });

  it("passes other values through, to be validated", async () => {
    const stored = await protectProps(SECRET_A, [text("pan", PAN), text("mobile", "9876543210")], T1);
    const incoming = [
      text("pan", "XXXXXX999F"), // another PAN's mask: refused by validation below
      text("passport", "XXXX4567"), // no stored passport
      text("mobile", "XXXXXX3210"), // plain kinds are never masked
      text("aadhaar", "XXXXXXXX2346"), // no stored Aadhaar: on create a mask is not an Aadhaar number
      text("notes", "XXXXXX234F"),
    ];
    const merged = mergeMaskedWrites(incoming, stored);
    expect(merged).toEqual(incoming);
    expect(validateIdentifierProps(merged).map((e) => e.path)).toEqual([
      "props.0.value",
      "props.1.value",
      "props.2.value",
      "props.3.value",
    ]);
  });

  it("does not take a mask of a value of another kind", async () => {
    const stored = await protectProps(SECRET_A, [text("voter_id", "ABC1234567")], T1);
    expect(mergeMaskedWrites([text("pan", "XXXXXX4567")], stored)).toEqual([text("pan", "XXXXXX4567")]);
  });

  it("a client cannot smuggle an envelope in: it is not an identifier", async () => {
    const [foreign] = await protectProps(SECRET_A, [text("pan", PAN)], T2);
    const merged = mergeMaskedWrites([text("pan", foreign!.value)], []);
    expect(validateIdentifierProps(merged)).toEqual([
      expect.objectContaining({ path: "props.0.value", code: "invalid_identifier" }),
    ]);
  });
});

describe("indexableProps", () => {
  it("gives the identifier index clear values for kept encrypted props, and lists kept Aadhaar masks", async () => {
    const stored = await protectProps(SECRET_A, [text("pan", PAN), text("aadhaar_no", AADHAAR)], T1);
    const merged = mergeMaskedWrites(
      [text("pan", "XXXXXX234F"), text("aadhaar_no", "XXXXXXXX2346"), text("mobile", "9876543210")],
      stored,
    );
    expect(await indexableProps(SECRET_A, merged, T1)).toEqual({
      props: [text("pan", PAN), text("mobile", "9876543210")],
      keptAadhaar: ["aadhaar_no"],
    });
    const ids = await extractIdentifiers((await indexableProps(SECRET_A, merged, T1)).props, [], "k", {
      hashProtected: true,
    });
    expect(ids.map((id) => id.kind)).toEqual(["pan", "mobile"]);
    expect(ids[0]!.value).toBe(await hashIdentifier(PAN, "k"));
    expect(JSON.stringify(ids)).not.toContain(PAN);
  });
});

describe("one value: bank account numbers", () => {
  it("encrypts the account number with its last four shown", async () => {
    const stored = await protectValue(SECRET_A, "bank_account", "001234567890", T1);
    expect(isEnvelope(stored)).toBe(true);
    expect(stored).not.toContain("001234567890");
    expect(maskStoredValue("bank_account", stored)).toBe("XXXXXXXX7890");
    expect(await revealValue(SECRET_A, "bank_account", stored, T1, { clear: true })).toBe("001234567890");
    expect(await revealValue(undefined, "bank_account", stored, T1, { clear: false })).toBe("XXXXXXXX7890");
  });
});

describe("rotation and backfill", () => {
  it("rewrites values under an old key, and only those", async () => {
    const old = await protectValue(SECRET_A, "pan", PAN, T1);
    const ring = await keyRing(SECRET_BA);
    expect(needsReprotection(ring, "pan", old)).toBe(true);
    const fresh = (await reprotectValue(ring, "pan", old, T1)) as string;
    expect(keyIdOf(fresh)).toBe("b");
    expect(maskStoredValue("pan", fresh)).toBe("XXXXXX234F");
    expect(await revealValue(ring, "pan", fresh, T1, { clear: true })).toBe(PAN);
    expect(needsReprotection(ring, "pan", fresh)).toBe(false);
    expect(await reprotectValue(ring, "pan", fresh, T1)).toBeNull();
  });

  it("protects values stored in clear before protection existed", async () => {
    const ring = await keyRing(SECRET_BA);
    const pan = (await reprotectValue(ring, "pan", "abcpe1234f", T1)) as string;
    expect(isEnvelope(pan)).toBe(true);
    expect(await revealValue(ring, "pan", pan, T1, { clear: true })).toBe(PAN);
    expect(await reprotectValue(ring, "aadhaar", AADHAAR, T1)).toBe("XXXXXXXX2346");
    expect(await reprotectValue(ring, "aadhaar", "XXXXXXXX2346", T1)).toBeNull();
    expect(await reprotectValue(ring, "mobile", "+919876543210", T1)).toBeNull();
    const account = (await reprotectValue(ring, "bank_account", "001234567890", T1)) as string;
    expect(await revealValue(ring, "bank_account", account, T1, { clear: true })).toBe("001234567890");
  });
});
