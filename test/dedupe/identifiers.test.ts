import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bankAccountKey,
  canonicalIdentifier,
  canonicaliseProps,
  extractIdentifiers,
  foldIdentifierText,
  gstinCheckChar,
  hashIdentifier,
  IDENTIFIER_KINDS,
  type IdentifierKind,
  identifierKindOfKey,
  isValidAadhaar,
  isValidGstin,
  isValidPan,
  normaliseIdentifier,
  panHolderType,
  panOfGstin,
  protectionOf,
  STRONG_KINDS,
  validateIdentifierProps,
  verhoeffCheckDigit,
  verhoeffValid,
} from "../../src/dedupe/identifiers";

const ALL_KINDS: IdentifierKind[] = [
  "pan",
  "gstin",
  "aadhaar",
  "mobile",
  "email",
  "passport",
  "voter_id",
  "driving_licence",
  "dob",
  "bank_account",
];

// Arbitraries for valid identifiers and for the ways people write them.
const upper = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ".split(""));
const digit = fc.constantFrom(..."0123456789".split(""));
const str = (chars: fc.Arbitrary<string>, n: number) =>
  fc.array(chars, { minLength: n, maxLength: n }).map((a) => a.join(""));
const holder = fc.constantFrom(..."PCHFATBLJG".split(""));
const validPan = fc.tuple(str(upper, 3), holder, upper, str(digit, 4), upper).map((parts) => parts.join(""));
const stateCode = fc.oneof(fc.integer({ min: 1, max: 38 }), fc.constantFrom(97, 99));
const validGstin = fc
  .tuple(stateCode, validPan, fc.constantFrom(..."123456789ABCDEFGHJ".split("")))
  .map(([state, pan, entity]) => {
    const first14 = `${String(state).padStart(2, "0")}${pan}${entity}Z`;
    return first14 + gstinCheckChar(first14);
  });
const validAadhaar = fc
  .tuple(fc.integer({ min: 2, max: 9 }), str(digit, 10))
  .map(([first, rest]) => `${first}${rest}${verhoeffCheckDigit(`${first}${rest}`)}`);
const indianMobile = fc
  .tuple(fc.integer({ min: 6, max: 9 }), str(digit, 9))
  .map(([first, rest]) => `${first}${rest}`);

/** Scatter spaces and dashes through a string and randomise its case. */
const formatted = (value: string) =>
  fc
    .tuple(
      fc.array(fc.constantFrom("", "", "", " ", "-"), { minLength: value.length, maxLength: value.length }),
      fc.array(fc.boolean(), { minLength: value.length, maxLength: value.length }),
      fc.constantFrom("", " ", "  "),
    )
    .map(([seps, lower, pad]) => {
      const body = value
        .split("")
        .map((c, i) => (lower[i] ? c.toLowerCase() : c) + (i < value.length - 1 ? seps[i] : ""))
        .join("");
      return `${pad}${body}${pad}`;
    });

describe("identifierKindOfKey", () => {
  it("finds every alias API.md lists, whatever the case", () => {
    const table: [string, IdentifierKind][] = [
      ["pan", "pan"],
      ["PAN_NO", "pan"],
      ["Pan_Number", "pan"],
      ["gstin", "gstin"],
      ["GST_NO", "gstin"],
      ["aadhaar", "aadhaar"],
      ["Aadhaar_No", "aadhaar"],
      ["mobile", "mobile"],
      ["Phone", "mobile"],
      ["phone_no", "mobile"],
      ["EMAIL", "email"],
      ["passport", "passport"],
      ["passport_no", "passport"],
      ["voter_id", "voter_id"],
      ["EPIC", "voter_id"],
      ["epic_no", "voter_id"],
      ["driving_licence", "driving_licence"],
      ["driving_license", "driving_licence"],
      ["DL_NO", "driving_licence"],
      ["dob", "dob"],
      ["date_of_birth", "dob"],
    ];
    for (const [key, kind] of table) expect(identifierKindOfKey(key), key).toBe(kind);
  });

  it("treats spaces, dashes and dots in keys like underscores", () => {
    expect(identifierKindOfKey("PAN No")).toBe("pan");
    expect(identifierKindOfKey("pan-number")).toBe("pan");
    expect(identifierKindOfKey(" Date of Birth ")).toBe("dob");
    expect(identifierKindOfKey("Phone  No.")).toBe("mobile");
    expect(identifierKindOfKey("dl-no")).toBe("driving_licence");
  });

  it("gives the same answers for a key asked before, also after many other keys", () => {
    for (let i = 0; i < 2500; i++) expect(identifierKindOfKey(`custom field ${i}`)).toBeNull();
    expect(identifierKindOfKey("PAN No")).toBe("pan");
    expect(identifierKindOfKey("custom field 3")).toBeNull();
    expect(identifierKindOfKey("Phone  No.")).toBe("mobile");
  });

  it("answers null for keys that name no identifier", () => {
    for (const key of ["address", "panel", "company_pan_x", "", "name", "ifsc"]) {
      expect(identifierKindOfKey(key), key).toBeNull();
    }
  });

  it("STRONG_KINDS is every kind but the date of birth", () => {
    expect([...STRONG_KINDS].sort()).toEqual(ALL_KINDS.filter((k) => k !== "dob").sort());
  });
});

describe("PAN", () => {
  it("accepts the format with a known holder type", () => {
    expect(isValidPan("ABCPE1234F")).toBe(true);
    expect(isValidPan("AAACR5055K")).toBe(true);
  });

  it("rejects other shapes and unknown holder types", () => {
    for (const v of [
      "ABCPE1234",
      "ABCPE12345",
      "1BCPE1234F",
      "ABCXE1234F",
      "abcpe1234f",
      "ABCPE 1234F",
      "",
    ]) {
      expect(isValidPan(v), v).toBe(false);
    }
  });

  it("reads the holder type from the 4th character", () => {
    const table: [string, string][] = [
      ["P", "individual"],
      ["C", "company"],
      ["H", "huf"],
      ["F", "firm"],
      ["A", "aop"],
      ["T", "trust"],
      ["B", "boi"],
      ["L", "local_authority"],
      ["J", "artificial_juridical_person"],
      ["G", "government"],
    ];
    for (const [letter, type] of table) expect(panHolderType(`ABC${letter}E1234F`)).toBe(type);
    expect(panHolderType("abcpe 1234 f")).toBe("individual");
    expect(panHolderType("ABCXE1234F")).toBeNull();
    expect(panHolderType("nonsense")).toBeNull();
  });

  it("normalises case and spacing, and rejects invalid input", () => {
    expect(normaliseIdentifier("pan", " abcpe 1234 f ")).toBe("ABCPE1234F");
    expect(normaliseIdentifier("pan", "ABCPE-1234-F")).toBe("ABCPE1234F");
    expect(normaliseIdentifier("pan", "ABCPE1234")).toBeNull();
    expect(normaliseIdentifier("pan", "ABCXE1234F")).toBeNull();
  });

  it("formatting variants of one PAN normalise to it", () => {
    fc.assert(
      fc.property(
        validPan.chain((pan) => fc.tuple(fc.constant(pan), formatted(pan))),
        ([pan, variant]) => {
          expect(normaliseIdentifier("pan", variant)).toBe(pan);
        },
      ),
    );
  });
});

describe("GSTIN", () => {
  it("accepts published GSTINs, whose check characters the algorithm reproduces", () => {
    // Worked examples of the GSTN check-character algorithm.
    for (const g of ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4"]) {
      expect(gstinCheckChar(g.slice(0, 14)), g).toBe(g.charAt(14));
      expect(isValidGstin(g), g).toBe(true);
    }
  });

  it("computes check characters by the base-36 weighted sum", () => {
    // Hand-worked: 27AAPFU0939F1Z -> products 2,14,10,20,25,30,30,0,9,6,9,30,1,70 (70 = 1*36 + 34);
    // digit sum 2+14+10+20+25+30+30+0+9+6+9+30+1+1+34 = 221; 221 mod 36 = 5; (36 - 5) = 31 = "V".
    expect(gstinCheckChar("27AAPFU0939F1Z")).toBe("V");
    expect(gstinCheckChar("07AAACR5055K1Z")).toBe("9");
    expect(isValidGstin("07AAACR5055K1Z9")).toBe(true);
  });

  it("rejects a wrong check character, a bad state code, a bad embedded PAN or a bad shape", () => {
    expect(isValidGstin("27AAPFU0939F1ZW")).toBe(false);
    for (const state of ["00", "39", "96", "98"]) {
      const first14 = `${state}AAPFU0939F1Z`;
      expect(isValidGstin(first14 + gstinCheckChar(first14)), state).toBe(false);
    }
    const badPan = "27AAPXU0939F1Z";
    expect(isValidGstin(badPan + gstinCheckChar(badPan))).toBe(false);
    const noZ = "27AAPFU0939F1Y";
    expect(isValidGstin(noZ + gstinCheckChar(noZ))).toBe(false);
    expect(isValidGstin("27AAPFU0939F0ZV")).toBe(false); // entity number 0
    expect(isValidGstin("27AAPFU0939F1Z")).toBe(false);
    expect(isValidGstin("27aapfu0939f1zv")).toBe(false); // validators take canonical form
  });

  it("accepts state codes 97 and 99", () => {
    for (const state of ["97", "99", "01", "38"]) {
      const first14 = `${state}AAPFU0939F1Z`;
      expect(isValidGstin(first14 + gstinCheckChar(first14)), state).toBe(true);
    }
  });

  it("normalises case and spacing; its characters 3-12 are the holder's PAN", () => {
    expect(normaliseIdentifier("gstin", "27 aapfu0939f 1zv")).toBe("27AAPFU0939F1ZV");
    expect(normaliseIdentifier("gstin", "27AAPFU0939F1ZW")).toBeNull();
    expect(panOfGstin("27AAPFU0939F1ZV")).toBe("AAPFU0939F");
    expect(panOfGstin("27 aapfu0939f 1zv")).toBe("AAPFU0939F");
  });

  it("any single changed character of a valid GSTIN's last 13 is caught", () => {
    // The base-36 check detects every single-character substitution.
    fc.assert(
      fc.property(validGstin, fc.integer({ min: 2, max: 14 }), upper, (gstin, i, c) => {
        fc.pre(gstin.charAt(i) !== c);
        const changed = gstin.slice(0, i) + c + gstin.slice(i + 1);
        expect(isValidGstin(changed)).toBe(false);
      }),
    );
  });

  it("formatting variants of one GSTIN normalise to it", () => {
    fc.assert(
      fc.property(
        validGstin.chain((g) => fc.tuple(fc.constant(g), formatted(g))),
        ([g, variant]) => {
          expect(normaliseIdentifier("gstin", variant)).toBe(g);
        },
      ),
    );
  });
});

describe("Aadhaar and Verhoeff", () => {
  it("computes the standard Verhoeff vectors", () => {
    expect(verhoeffCheckDigit("236")).toBe(3);
    expect(verhoeffCheckDigit("12345")).toBe(1);
    expect(verhoeffCheckDigit("142857")).toBe(0);
    expect(verhoeffValid("2363")).toBe(true);
    expect(verhoeffValid("123451")).toBe(true);
    expect(verhoeffValid("1428570")).toBe(true);
    expect(verhoeffValid("2364")).toBe(false);
    expect(verhoeffValid("12a4")).toBe(false);
  });

  it("accepts 12 digits not starting with 0 or 1 ending in a Verhoeff digit", () => {
    expect(isValidAadhaar("234123412346")).toBe(true);
    expect(isValidAadhaar("234123412347")).toBe(false); // wrong check digit
    expect(isValidAadhaar(`12345678901${verhoeffCheckDigit("12345678901")}`)).toBe(false); // starts with 1
    expect(isValidAadhaar(`02345678901${verhoeffCheckDigit("02345678901")}`)).toBe(false); // starts with 0
    expect(isValidAadhaar("23412341234")).toBe(false); // 11 digits
    expect(isValidAadhaar("2341 2341 2346")).toBe(false); // validators take canonical form
  });

  it("normalises spaces and dashes; rejects letters", () => {
    expect(normaliseIdentifier("aadhaar", "2341 2341 2346")).toBe("234123412346");
    expect(normaliseIdentifier("aadhaar", "2341-2341-2346")).toBe("234123412346");
    expect(normaliseIdentifier("aadhaar", "2341 2341 234X")).toBeNull();
    expect(normaliseIdentifier("aadhaar", "2341 2341 2347")).toBeNull();
  });

  it("catches every single-digit error and every adjacent transposition", () => {
    fc.assert(
      fc.property(validAadhaar, fc.integer({ min: 0, max: 11 }), digit, (a, i, d) => {
        fc.pre(a.charAt(i) !== d);
        expect(verhoeffValid(a.slice(0, i) + d + a.slice(i + 1))).toBe(false);
      }),
    );
    fc.assert(
      fc.property(validAadhaar, fc.integer({ min: 0, max: 10 }), (a, i) => {
        fc.pre(a.charAt(i) !== a.charAt(i + 1));
        expect(verhoeffValid(a.slice(0, i) + a.charAt(i + 1) + a.charAt(i) + a.slice(i + 2))).toBe(false);
      }),
    );
  });

  it("formatting variants of one Aadhaar number normalise to it", () => {
    const spaced = (a: string) =>
      fc.constantFrom(
        a,
        `${a.slice(0, 4)} ${a.slice(4, 8)} ${a.slice(8)}`,
        `${a.slice(0, 4)}-${a.slice(4, 8)}-${a.slice(8)}`,
      );
    fc.assert(
      fc.property(
        validAadhaar.chain((a) => fc.tuple(fc.constant(a), spaced(a))),
        ([a, variant]) => {
          expect(normaliseIdentifier("aadhaar", variant)).toBe(a);
        },
      ),
    );
  });
});

describe("mobile", () => {
  it("normalises the ways Indian mobiles are written to +91 and ten digits", () => {
    for (const v of [
      "9876543210",
      "09876543210",
      "919876543210",
      "+919876543210",
      "+91 98765 43210",
      "+91-98765-43210",
      "(+91) 98765 43210",
      "098765-43210",
      "987-654-3210",
      "0091 98765 43210",
      "+91 (0) 98765 43210",
      " 98765.43210 ",
    ]) {
      expect(normaliseIdentifier("mobile", v), v).toBe("+919876543210");
    }
  });

  it("keeps other international numbers as + and digits", () => {
    expect(normaliseIdentifier("mobile", "+44 20 7946 0958")).toBe("+442079460958");
    expect(normaliseIdentifier("mobile", "+1 (415) 555-0100")).toBe("+14155550100");
    expect(normaliseIdentifier("mobile", "0044 20 7946 0958")).toBe("+442079460958");
  });

  it("rejects landlines, short numbers, letters and non-mobile +91 numbers", () => {
    for (const v of [
      "5876543210", // Indian mobiles start with 6-9
      "022 2345 6789",
      "+91 22 2345 6789",
      "98765",
      "98765432101",
      "+1234",
      "+1234567890123456",
      "call 9876543210",
      "",
    ]) {
      expect(normaliseIdentifier("mobile", v), v).toBeNull();
    }
  });

  it("formatting variants of one mobile normalise to one value", () => {
    const variants = (m: string) =>
      fc.constantFrom(
        m,
        `0${m}`,
        `91${m}`,
        `+91${m}`,
        `+91 ${m.slice(0, 5)} ${m.slice(5)}`,
        `+91-${m.slice(0, 5)}-${m.slice(5)}`,
        `(+91) ${m}`,
        `0${m.slice(0, 5)}-${m.slice(5)}`,
        `${m.slice(0, 3)} ${m.slice(3, 6)} ${m.slice(6)}`,
      );
    fc.assert(
      fc.property(
        indianMobile.chain((m) => fc.tuple(fc.constant(m), variants(m))),
        ([m, variant]) => {
          expect(normaliseIdentifier("mobile", variant)).toBe(`+91${m}`);
        },
      ),
    );
  });
});

describe("email, passport, voter id, driving licence", () => {
  it("email: trims and lower-cases; needs a local part and a dotted domain", () => {
    expect(normaliseIdentifier("email", "  Rahul.Sharma@Gmail.COM ")).toBe("rahul.sharma@gmail.com");
    expect(normaliseIdentifier("email", "a+tag@sub.example.co.in")).toBe("a+tag@sub.example.co.in");
    for (const v of [
      "rahul",
      "rahul@",
      "@gmail.com",
      "rahul@gmail",
      "ra hul@gmail.com",
      "a@b@c.com",
      "a@.com",
    ]) {
      expect(normaliseIdentifier("email", v), v).toBeNull();
    }
  });

  it("passport: a letter and seven digits", () => {
    expect(normaliseIdentifier("passport", "j 1234567")).toBe("J1234567");
    expect(normaliseIdentifier("passport", "J-1234567")).toBe("J1234567");
    for (const v of ["J123456", "12345678", "JJ123456", "J12345678"]) {
      expect(normaliseIdentifier("passport", v), v).toBeNull();
    }
  });

  it("voter id (EPIC): three letters and seven digits", () => {
    expect(normaliseIdentifier("voter_id", "abc 1234567")).toBe("ABC1234567");
    expect(normaliseIdentifier("voter_id", "ABC/1234567")).toBe("ABC1234567");
    for (const v of ["AB1234567", "ABC123456", "ABCD234567", "1234567890"]) {
      expect(normaliseIdentifier("voter_id", v), v).toBeNull();
    }
  });

  it("driving licence: state, RTO code, then 9-13 characters", () => {
    expect(normaliseIdentifier("driving_licence", "MH12 20110012345")).toBe("MH1220110012345");
    expect(normaliseIdentifier("driving_licence", "mh-12-2011-0012345")).toBe("MH1220110012345");
    expect(normaliseIdentifier("driving_licence", "DL-0420110149646")).toBe("DL0420110149646");
    for (const v of ["MH1212345", "M11220110012345", "MHAB20110012345", "MH12201100123456789"]) {
      expect(normaliseIdentifier("driving_licence", v), v).toBeNull();
    }
  });
});

describe("date of birth", () => {
  it("reads ISO, day-first numeric and month-name dates", () => {
    for (const v of [
      "1985-03-12",
      "1985/03/12",
      "12/03/1985",
      "12-03-1985",
      "12.03.1985",
      "12 Mar 1985",
      "12 March 1985",
      "12-Mar-1985",
      "12th March, 1985",
      "12 MARCH 1985",
    ]) {
      expect(normaliseIdentifier("dob", v), v).toBe("1985-03-12");
    }
    expect(normaliseIdentifier("dob", "1/3/1985")).toBe("1985-03-01");
    expect(normaliseIdentifier("dob", "29/02/2000")).toBe("2000-02-29");
  });

  it("rejects impossible dates, years outside 1900 to now and other shapes", () => {
    const nextYear = new Date().getUTCFullYear() + 1;
    for (const v of [
      "31/04/1985",
      "29/02/1900",
      "30 Feb 1990",
      "1985-13-01",
      "00/01/1985",
      "1899-12-31",
      `01/01/${nextYear}`,
      "12 Smarch 1985",
      "12-3-85",
      "March 12 1985",
      "",
    ]) {
      expect(normaliseIdentifier("dob", v), v).toBeNull();
    }
  });

  it("every supported format of one date normalises to its ISO form", () => {
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const longMonths = [
      "January",
      "February",
      "March",
      "April",
      "May",
      "June",
      "July",
      "August",
      "September",
      "October",
      "November",
      "December",
    ];
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("1900-01-01T00:00:00Z"),
          max: new Date("2020-12-31T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 5 }),
        (date, format) => {
          const iso = date.toISOString().slice(0, 10);
          const [y, m, d] = iso.split("-") as [string, string, string];
          const variants = [
            iso,
            `${d}/${m}/${y}`,
            `${d}-${m}-${y}`,
            `${d}.${m}.${y}`,
            `${Number(d)} ${months[Number(m) - 1]} ${y}`,
            `${d} ${longMonths[Number(m) - 1]} ${y}`,
          ];
          expect(normaliseIdentifier("dob", variants[format] as string)).toBe(iso);
        },
      ),
    );
  });
});

describe("bank accounts", () => {
  it("keys an account by upper-case IFSC and digits", () => {
    expect(bankAccountKey("1234 5678 9012", "sbin0001234")).toBe("SBIN0001234:123456789012");
    expect(bankAccountKey("000123456", "HDFC0ABC123")).toBe("HDFC0ABC123:000123456");
    expect(normaliseIdentifier("bank_account", "SBIN0001234:123456789012")).toBe("SBIN0001234:123456789012");
  });

  it("rejects bad IFSCs and account numbers", () => {
    expect(bankAccountKey("12345", "SBIN0001234")).toBeNull(); // too short
    expect(bankAccountKey("1234567890123456789", "SBIN0001234")).toBeNull(); // too long
    expect(bankAccountKey("12345A789", "SBIN0001234")).toBeNull();
    expect(bankAccountKey("123456789", "SBIN1001234")).toBeNull(); // 5th character must be 0
    expect(bankAccountKey("123456789", "SBI00001234")).toBeNull();
    expect(bankAccountKey("123456789", "SBIN000123")).toBeNull();
    expect(normaliseIdentifier("bank_account", "123456789")).toBeNull();
  });
});

describe("normaliseIdentifier", () => {
  it("is idempotent on any input, for every kind", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_KINDS), fc.string({ maxLength: 30 }), (kind, raw) => {
        const once = normaliseIdentifier(kind, raw);
        if (once !== null) expect(normaliseIdentifier(kind, once)).toBe(once);
      }),
    );
  });

  it("is idempotent on valid identifiers in any formatting", () => {
    const cases = fc.oneof(
      validPan.chain(formatted).map((v) => ["pan", v] as const),
      validGstin.chain(formatted).map((v) => ["gstin", v] as const),
      validAadhaar.map((v) => ["aadhaar", v] as const),
      indianMobile.map((v) => ["mobile", `0${v}`] as const),
      fc.emailAddress().map((v) => ["email", ` ${v.toUpperCase()} `] as const),
      fc
        .tuple(str(digit, 9), fc.constant("sbin0001234"))
        .map(([a, ifsc]) => ["bank_account", `${ifsc}:${a}`] as const),
    );
    fc.assert(
      fc.property(cases, ([kind, raw]) => {
        const once = normaliseIdentifier(kind, raw);
        expect(once).not.toBeNull();
        expect(normaliseIdentifier(kind, once as string)).toBe(once);
      }),
    );
  });
});

describe("hashIdentifier", () => {
  it("is HMAC-SHA256 truncated to 128 bits, lower-case hex (RFC 4231 test case 2; truncation as RFC 4868)", async () => {
    expect(await hashIdentifier("what do ya want for nothing?", "Jefe")).toBe(
      "5bdcc146bf60754e6a042426089575c7",
    );
  });

  it("depends on the key", async () => {
    const a = await hashIdentifier("234123412346", "key-one");
    const b = await hashIdentifier("234123412346", "key-two");
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });
});

describe("extractIdentifiers", () => {
  const KEY = "test-hmac-key";

  it("finds every valid identifier, normalised, with its field", async () => {
    const ids = await extractIdentifiers(
      [
        { key: "PAN No", value: "abcpe 1234 f" },
        { key: "phone", value: "098765-43210" },
        { key: "email", value: " Rahul@Example.com" },
        { key: "dob", value: "12/03/1985" },
        { key: "address", value: "12 MG Road" },
        { key: "passport_no", value: "not a passport" },
      ],
      [{ account_number: "1234 5678 9012", ifsc: "sbin0001234" }],
      KEY,
    );
    expect(ids).toEqual([
      { kind: "pan", value: "ABCPE1234F", field: "props.PAN No" },
      { kind: "mobile", value: "+919876543210", field: "props.phone" },
      { kind: "email", value: "rahul@example.com", field: "props.email" },
      { kind: "dob", value: "1985-03-12", field: "props.dob" },
      { kind: "bank_account", value: "SBIN0001234:123456789012", field: "banks.account_number" },
    ]);
  });

  it("keeps Aadhaar only as its HMAC", async () => {
    const ids = await extractIdentifiers([{ key: "aadhaar_no", value: "2341 2341 2346" }], [], KEY);
    expect(ids).toEqual([
      { kind: "aadhaar", value: await hashIdentifier("234123412346", KEY), field: "props.aadhaar_no" },
    ]);
    expect(JSON.stringify(ids)).not.toContain("234123412346");
    expect(JSON.stringify(ids)).not.toContain("2341 2341 2346");
  });

  it("links a GSTIN to the PAN it embeds, so a proprietorship meets its owner", async () => {
    const ids = await extractIdentifiers([{ key: "gst_no", value: "27aapfu0939f1zv" }], [], KEY);
    expect(ids).toEqual([
      { kind: "gstin", value: "27AAPFU0939F1ZV", field: "props.gst_no" },
      { kind: "pan", value: "AAPFU0939F", field: "props.gst_no" },
    ]);
  });

  it("lists each kind and value once", async () => {
    const ids = await extractIdentifiers(
      [
        { key: "pan", value: "AAPFU0939F" },
        { key: "gstin", value: "27AAPFU0939F1ZV" },
        { key: "mobile", value: "9876543210" },
        { key: "phone", value: "+91 98765 43210" },
      ],
      [
        { account_number: "123456789", ifsc: "SBIN0001234" },
        { account_number: "1234 56789", ifsc: "sbin0001234" },
      ],
      KEY,
    );
    expect(ids.map((id) => `${id.kind}:${id.field}`)).toEqual([
      "pan:props.pan",
      "gstin:props.gstin",
      "mobile:props.mobile",
      "bank_account:banks.account_number",
    ]);
  });

  it("with hashProtected, keeps encrypted kinds (and a GSTIN's PAN, and bank accounts) only as HMACs", async () => {
    const ids = await extractIdentifiers(
      [
        { key: "pan", value: "abcpe1234f" },
        { key: "passport", value: "J1234567" },
        { key: "gstin", value: "27AAPFU0939F1ZV" },
        { key: "mobile", value: "9876543210" },
      ],
      [{ account_number: "123456789", ifsc: "SBIN0001234" }],
      KEY,
      { hashProtected: true },
    );
    const h = (v: string) => hashIdentifier(v, KEY);
    expect(ids).toEqual([
      { kind: "pan", value: await h("ABCPE1234F"), field: "props.pan" },
      { kind: "passport", value: await h("J1234567"), field: "props.passport" },
      { kind: "gstin", value: "27AAPFU0939F1ZV", field: "props.gstin" },
      { kind: "pan", value: await h("AAPFU0939F"), field: "props.gstin" },
      { kind: "mobile", value: "+919876543210", field: "props.mobile" },
      { kind: "bank_account", value: await h("SBIN0001234:123456789"), field: "banks.account_number" },
    ]);
  });

  it("skips invalid values and bank accounts", async () => {
    const ids = await extractIdentifiers(
      [
        { key: "pan", value: "ABCXE1234F" },
        { key: "aadhaar", value: "234123412347" },
        { key: "gstin", value: "27AAPFU0939F1ZW" },
      ],
      [{ account_number: "12", ifsc: "SBIN0001234" }],
      KEY,
    );
    expect(ids).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Look-alikes: every way of writing an identifier either canonicalises to the plain form or is invalid

/** Full-width forms of ASCII letters and digits (NFKC folds them back). */
const fullWidth = (v: string) =>
  v.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
/** The zero digit of scripts whose digits people type (\p{Nd} runs of ten). */
const ZEROS = {
  devanagari: 0x966,
  bengali: 0x9e6,
  gurmukhi: 0xa66,
  gujarati: 0xae6,
  oriya: 0xb66,
  tamil: 0xbe6,
  telugu: 0xc66,
  kannada: 0xce6,
  malayalam: 0xd66,
  arabic_indic: 0x660,
  full_width: 0xff10,
  math_bold: 0x1d7ce,
};
const inScript = (v: string, zero: number) =>
  v.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));
const FORMAT_CHARS = [
  "\u200b",
  "\u00ad",
  "\u2060",
  "\ufeff",
  "\u200e",
  "\u200f",
  "\u200c",
  "\u200d",
  "\u061c",
];

describe("look-alike identifiers", () => {
  const PAN = "KLMPN1234Q";
  const AADHAAR = "234123412346";

  const panCases: [string, string, string | null][] = [
    ["plain", "KLMPN1234Q", PAN],
    ["zero-width space inside", "KLMPN\u200b1234Q", PAN],
    ["soft hyphen inside", "KLMPN1234\u00adQ", PAN],
    ["word joiner inside", "KLM\u2060PN1234Q", PAN],
    ["bidi marks around", "\u200eKLMPN1234Q\u200f", PAN],
    ["byte-order mark first", "\ufeffKLMPN1234Q", PAN],
    ["dots", "KLMPN.1234.Q", PAN],
    ["slashes", "KLMPN/1234/Q", PAN],
    ["lower case and spaces", "klmpn 1234 q", PAN],
    ["no-break spaces", "KLMPN\u00a01234\u00a0Q", PAN],
    ["full-width letters and digits", fullWidth(PAN), PAN],
    ["full-width lower case", fullWidth("klmpn1234q"), PAN],
    ["Devanagari digits", inScript(PAN, ZEROS.devanagari), PAN],
    ["Kelvin sign for K (NFKC folds it)", "\u212aLMPN1234Q", PAN],
    ["one Cyrillic letter (К for K)", "\u041aLMPN1234Q", null],
    ["one Cyrillic letter (М for M)", "KL\u041cPN1234Q", null],
    ["one Greek letter (Ρ for P)", "KLM\u03a1N1234Q", null],
    ["a Cyrillic lower-case letter", "klmpn1234\u0430", null],
    ["dotless i, which upper-cases to I", "ABIPE1234F".replace("I", "\u0131"), null],
    ["a fraction slash", "KLMPN\u20441234Q", null],
    ["a superscript digit folds to a digit", "KLMPN\u00b9234Q", "KLMPN1234Q"],
  ];
  for (const [what, raw, expected] of panCases) {
    it(`PAN, ${what}: ${expected ? "the plain PAN" : "invalid"}`, () => {
      expect(normaliseIdentifier("pan", raw)).toBe(expected);
    });
  }

  const aadhaarCases: [string, string][] = [
    ["dots", "2341.2341.2346"],
    ["slashes", "2341/2341/2346"],
    ["dashes", "2341-2341-2346"],
    ["zero-width spaces", "2341\u200b2341\u200b2346"],
    ["soft hyphens and word joiners", "2341\u00ad2341\u20602346"],
    ["Devanagari digits", "२३४१ २३४१ २३४६"],
    ["Bengali digits", inScript("2341 2341 2346", ZEROS.bengali)],
    ["Tamil digits", inScript(AADHAAR, ZEROS.tamil)],
    ["full-width digits", fullWidth("2341 2341 2346")],
    ["mathematical bold digits", inScript(AADHAAR, ZEROS.math_bold)],
    ["digits of mixed scripts", `${inScript("2341", ZEROS.gujarati)}${inScript("2341", ZEROS.kannada)}2346`],
  ];
  for (const [what, raw] of aadhaarCases) {
    it(`Aadhaar, ${what}: the plain number`, () => {
      expect(normaliseIdentifier("aadhaar", raw)).toBe(AADHAAR);
    });
  }

  it("Aadhaar look-alikes that break the check digit or use letters are invalid", () => {
    for (const raw of [
      "2341.2341.2347",
      "२३४१ २३४१ २३४७",
      "2341 2341 234b",
      "O341 2341 2346",
      "2341 2341 2346 0",
    ]) {
      expect(normaliseIdentifier("aadhaar", raw), raw).toBeNull();
    }
  });

  it("under the key aadhaar_card, the Devanagari number is the same Aadhaar", () => {
    const props = [{ key: "aadhaar_card", value: "२३४१.२३४१.२३४६", type: "text" }];
    expect(validateIdentifierProps(props)).toEqual([]);
    expect(canonicaliseProps(props)).toEqual([{ key: "aadhaar_card", value: AADHAAR, type: "text" }]);
  });

  it("a valid identifier with format characters and separators inserted anywhere canonicalises to itself", () => {
    const cases = fc.oneof(
      validPan.map((v) => ["pan", v] as const),
      validGstin.map((v) => ["gstin", v] as const),
      validAadhaar.map((v) => ["aadhaar", v] as const),
      fc.tuple(upper, str(digit, 7)).map(([l, d]) => ["passport", `${l}${d}`] as const),
      fc.tuple(str(upper, 3), str(digit, 7)).map(([l, d]) => ["voter_id", `${l}${d}`] as const),
      fc
        .tuple(str(upper, 2), str(digit, 2), str(digit, 11))
        .map(([s, r, n]) => ["driving_licence", `${s}${r}${n}`] as const),
    );
    const noise = fc.constantFrom(...FORMAT_CHARS, " ", "-", ".", "/", "", "", "");
    fc.assert(
      fc.property(cases, fc.array(noise, { minLength: 16, maxLength: 16 }), ([kind, value], seps) => {
        const noisy = value
          .split("")
          .map((c, i) => c + (seps[i] ?? ""))
          .join("");
        expect(normaliseIdentifier(kind, noisy)).toBe(value);
        expect(normaliseIdentifier(kind, fullWidth(noisy))).toBe(value);
      }),
    );
  });

  it("an Aadhaar number in any script's digits canonicalises to its ASCII digits", () => {
    const scripts = Object.values(ZEROS);
    fc.assert(
      fc.property(
        validAadhaar,
        fc.array(fc.constantFrom(...scripts), { minLength: 12, maxLength: 12 }),
        (aadhaar, zeros) => {
          const raw = aadhaar
            .split("")
            .map((d, i) => String.fromCodePoint((zeros[i] as number) + Number(d)))
            .join("");
          expect(normaliseIdentifier("aadhaar", raw)).toBe(aadhaar);
          expect(normaliseIdentifier("mobile", inScript("98765 43210", zeros[0] as number))).toBe(
            "+919876543210",
          );
        },
      ),
    );
  });

  it("a PAN with any one letter swapped for a non-Latin look-alike is invalid", () => {
    const lookAlikes: Record<string, string[]> = {
      A: ["\u0410", "\u0391"],
      B: ["\u0412", "\u0392"],
      C: ["\u0421", "\u03f9"],
      E: ["\u0415", "\u0395"],
      H: ["\u041d", "\u0397"],
      K: ["\u041a", "\u039a"],
      M: ["\u041c", "\u039c"],
      O: ["\u041e", "\u039f"],
      P: ["\u0420", "\u03a1"],
      T: ["\u0422", "\u03a4"],
      X: ["\u0425", "\u03a7"],
    };
    fc.assert(
      fc.property(validPan, fc.nat(), (pan, pick) => {
        const spots = pan
          .split("")
          .map((c, i) => [c, i] as const)
          .filter(([c]) => c in lookAlikes);
        fc.pre(spots.length > 0);
        const [c, i] = spots[pick % spots.length] as readonly [string, number];
        const options = lookAlikes[c] as string[];
        const swapped = pan.slice(0, i) + (options[pick % options.length] as string) + pan.slice(i + 1);
        expect(normaliseIdentifier("pan", swapped)).toBeNull();
      }),
    );
  });

  it("emails: trimmed and lower-cased, format characters removed, nothing else", () => {
    expect(normaliseIdentifier("email", " Rahul\u200b.Sharma@Gmail.com\u2060")).toBe(
      "rahul.sharma@gmail.com",
    );
    expect(normaliseIdentifier("email", `${fullWidth("rahul")}@gmail.com`)).toBe("rahul@gmail.com");
    expect(normaliseIdentifier("email", "rahul-sharma/x@gmail.com")).toBe("rahul-sharma/x@gmail.com");
  });

  it("mobiles in full-width or native digits, with format characters", () => {
    expect(normaliseIdentifier("mobile", "+९१ ९८७६५ ४३२१०")).toBe("+919876543210");
    expect(normaliseIdentifier("mobile", fullWidth("+91 98765 43210"))).toBe("+919876543210");
    expect(normaliseIdentifier("mobile", "98765\u200b43210")).toBe("+919876543210");
    expect(normaliseIdentifier("mobile", "98765 4321O")).toBeNull();
  });

  it("dates of birth in native digits", () => {
    expect(normaliseIdentifier("dob", "१२/०३/१९८५")).toBe("1985-03-12");
    expect(normaliseIdentifier("dob", fullWidth("12-03-1985"))).toBe("1985-03-12");
  });
});

describe("foldIdentifierText", () => {
  it("leaves printable ASCII untouched and is idempotent on any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (raw) => {
        const once = foldIdentifierText(raw);
        expect(foldIdentifierText(once)).toBe(once);
        expect(once).not.toMatch(/\p{Cf}/u);
        expect(once).not.toMatch(/(?![0-9])\p{Nd}/u);
      }),
    );
    expect(foldIdentifierText("ABC pe-12/34.f")).toBe("ABC pe-12/34.f");
  });
});

describe("canonicalIdentifier", () => {
  it("is idempotent on any text, for every kind (property over all of Unicode)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_KINDS),
        fc.string({ unit: "binary", maxLength: 24 }),
        (kind, raw) => {
          const once = canonicalIdentifier(kind, raw);
          if (once.ok) expect(canonicalIdentifier(kind, once.value)).toEqual(once);
        },
      ),
    );
  });

  it("names the rule broken, never the value", () => {
    const cases: [IdentifierKind, string, RegExp][] = [
      ["pan", "ABCPE1234", /PAN: five letters, four digits and a letter/],
      ["pan", "ABCXE1234F", /4th letter is not a holder type/],
      ["gstin", "27AAPFU0939F1Z", /GSTIN: 2-digit state code/],
      ["gstin", "40AAPFU0939F1ZV", /unknown state code/],
      ["gstin", "27AAPXU0939F1ZV", /embedded PAN/],
      ["gstin", "27AAPFU0939F1ZW", /check character/],
      ["aadhaar", "123412341234", /12 digits, the first not 0 or 1/],
      ["aadhaar", "234123412347", /Verhoeff/],
      ["mobile", "12345", /mobile number/],
      ["email", "rahul@gmail", /email address/],
      ["passport", "JJ123456", /passport number/],
      ["voter_id", "AB1234567", /voter id/],
      ["driving_licence", "MH1212345", /driving licence/],
      ["dob", "31/04/1985", /date of birth/],
    ];
    for (const [kind, raw, message] of cases) {
      const result = canonicalIdentifier(kind, raw);
      expect(result.ok, raw).toBe(false);
      if (!result.ok) {
        expect(result.message).toMatch(message);
        expect(result.message).not.toContain(raw);
      }
    }
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_KINDS),
        fc.stringMatching(/^[0-9A-Za-z@.+ -]{4,20}$/),
        (kind, raw) => {
          const result = canonicalIdentifier(kind, raw);
          if (!result.ok && /[0-9]/.test(raw)) expect(result.message).not.toContain(raw.trim());
        },
      ),
    );
  });
});

describe("the identifier registry", () => {
  it("knows the generous aliases lenders use", () => {
    const table: [string, IdentifierKind][] = [
      ["aadhaar_card", "aadhaar"],
      ["aadhar", "aadhaar"],
      ["aadhaar_number", "aadhaar"],
      ["uid", "aadhaar"],
      ["uidai", "aadhaar"],
      ["Aadhaar No", "aadhaar"],
      ["Aadhar Card Number", "aadhaar"],
      ["pan number", "pan"],
      ["pan_card", "pan"],
      ["PAN Card No.", "pan"],
      ["mobile_no", "mobile"],
      ["mobile_number", "mobile"],
      ["phone_number", "mobile"],
      ["WhatsApp No", "mobile"],
      ["email_id", "email"],
      ["e-mail", "email"],
      ["E-Mail ID", "email"],
      ["passport_no", "passport"],
      ["Passport Number", "passport"],
      ["voter_id", "voter_id"],
      ["epic", "voter_id"],
      ["epic_no", "voter_id"],
      ["dl_no", "driving_licence"],
      ["driving_licence", "driving_licence"],
      ["driving_license", "driving_licence"],
      ["Driving Licence No", "driving_licence"],
      ["date_of_birth", "dob"],
      ["Date of Birth", "dob"],
      ["gst", "gstin"],
      ["gst_number", "gstin"],
      ["GSTIN No.", "gstin"],
    ];
    for (const [key, kind] of table) expect(identifierKindOfKey(key), key).toBe(kind);
  });

  it("has no alias that could mean something else", () => {
    for (const key of [
      "id",
      "number",
      "card",
      "no",
      "contact_no",
      "account_number",
      "ifsc",
      "gst_amount",
      "gst_rate",
      "pan_india",
      "uid_type",
      "mob",
      "dl",
      "phone_type",
      "email_verified",
      "dob_verified",
      "passport_expiry",
    ]) {
      expect(identifierKindOfKey(key), key).toBeNull();
    }
  });

  it("lists every alias once, already in key form", () => {
    const all = Object.values(IDENTIFIER_KINDS).flatMap((spec) => spec.aliases);
    expect(new Set(all).size).toBe(all.length);
    for (const alias of all) expect(alias).toMatch(/^[a-z0-9]+(?:_[a-z0-9]+)*$/);
    for (const [kind, spec] of Object.entries(IDENTIFIER_KINDS)) {
      for (const alias of spec.aliases) expect(identifierKindOfKey(alias)).toBe(kind);
    }
  });

  it("protects the kinds API.md names: encrypted, Aadhaar masked only, the rest plain", () => {
    const protection = Object.fromEntries(ALL_KINDS.map((kind) => [kind, protectionOf(kind)]));
    expect(protection).toEqual({
      pan: "encrypted",
      passport: "encrypted",
      voter_id: "encrypted",
      driving_licence: "encrypted",
      bank_account: "encrypted",
      aadhaar: "masked",
      mobile: "plain",
      email: "plain",
      gstin: "plain",
      dob: "plain",
    });
  });
});

describe("validateIdentifierProps and canonicaliseProps", () => {
  const props = [
    { key: "name_on_card", value: "Rahul", type: "text" },
    { key: "PAN No", value: "klmpn.1234.q", type: "text" },
    { key: "pan_card", value: "\u041aLMPN1234Q", type: "text" },
    { key: "mobile", value: "98765 43210", type: "number" },
    { key: "aadhaar", value: "234123412347", type: "text" },
    { key: "uid", value: "XXXXXXXX2346", type: "text" },
    { key: "email", value: "rahul@", type: "text" },
  ];

  it("reports every invalid identifier at props.<index>.value, without its value", () => {
    const errors = validateIdentifierProps(props);
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ["props.2.value", "invalid_identifier"],
      ["props.4.value", "invalid_identifier"],
      ["props.5.value", "invalid_identifier"],
      ["props.6.value", "invalid_identifier"],
    ]);
    for (const e of errors) {
      for (const p of props) expect(e.message).not.toContain(p.value);
    }
  });

  it("skips props kept from the stored contact, and takes another path prefix", () => {
    const kept = [{ key: "uid", value: "XXXXXXXX2346", type: "text", kept: true }];
    expect(validateIdentifierProps(kept)).toEqual([]);
    expect(
      validateIdentifierProps([{ key: "pan", value: "x", type: "text" }], "body").map((e) => e.path),
    ).toEqual(["body.0.value"]);
  });

  it("puts valid identifiers in canonical form and leaves everything else as it was", () => {
    expect(canonicaliseProps(props).map((p) => p.value)).toEqual([
      "Rahul",
      "KLMPN1234Q",
      "\u041aLMPN1234Q",
      "+919876543210",
      "234123412347",
      "XXXXXXXX2346",
      "rahul@",
    ]);
  });
});
