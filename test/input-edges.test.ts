import { beforeAll, describe, expect, it } from "vitest";
import { gstinCheckChar, verhoeffCheckDigit } from "../src/dedupe/identifiers";
import { api } from "./helpers/api";
import {
  contactBody,
  createContact,
  errorPaths,
  expectInvalid,
  expectProblem,
  ids,
  namespaceOf,
} from "./helpers/fixtures";
import { BANKS, type Bank, createBank } from "./helpers/sub-resources";

/** Edges of the input contract an audit found answered outside it (API.md: Errors, Lists, Dedupe). */

describe("bank list: the ifsc filter", () => {
  let hdfc: Bank;
  let sbi: Bank;
  beforeAll(async () => {
    const contactId = await createContact();
    hdfc = await createBank(contactId, { ifsc: "HDFC0001234" });
    sbi = await createBank(contactId, { ifsc: "SBIN0005555" });
  });

  const list = (query: string) => api("GET", `${BANKS}?${query}`);

  it("matches a well-formed IFSC, upper-cased and trimmed as the body field is", async () => {
    expect(ids(await list("ifsc=HDFC0001234"))).toEqual([hdfc.id]);
    expect(ids(await list("ifsc=sbin0005555"))).toEqual([sbi.id]);
    expect(ids(await list(`ifsc=${encodeURIComponent(" hdfc0001234 ")}`))).toEqual([hdfc.id]);
    // Well-formed but unused: an empty page, not an error.
    expect(ids(await list("ifsc=UTIB0000001"))).toEqual([]);
  });

  it.each([
    ["bad"],
    [""],
    ["HDFC1001234"], // 5th character must be 0
    ["HDFC000123"], // 10 characters
    ["HDFC00012345"], // 12 characters
    ["HDF00001234"], // 3 letters
    ["HDFC000123_"],
  ])("400 on ifsc for the malformed %j (API.md: a known filter with a bad value)", async (value) => {
    expectInvalid(await list(`ifsc=${encodeURIComponent(value)}`), ["ifsc"]);
  });

  it("names every bad filter at once", async () => {
    expectInvalid(await list("ifsc=bad&account_type=nope"), ["ifsc", "account_type"]);
  });
});

describe("doubled slashes are no route", () => {
  const CONTACT_ID = "01JKB3Q2W6N7X8Y9Z0A1B2C3D4";
  const DOUBLED = [
    "/contacts//",
    "/contacts//?page=1",
    "/contacts/addresses//",
    "/contacts/banks//",
    "/contacts/relations//",
    "/contacts/dedupe//",
    "/namespaces//",
    "/contacts//history/",
    `/contacts/${CONTACT_ID}//`,
    `/contacts/${CONTACT_ID}/history//`,
    `/contacts/${CONTACT_ID}/props//`,
    `/contacts/${CONTACT_ID}//history/`,
    `/namespaces/${CONTACT_ID}//`,
    "/health//",
  ];

  it.each(DOUBLED)("GET %s is 404 problem+json (an empty segment is not an existing path)", async (path) => {
    const res = await api("GET", path);
    expectProblem(res, 404, "/problems/not_found");
    expect(res.headers.get("allow")).toBeNull();
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])(
    "%s on a doubled slash is 404 too, never 405",
    async (method) => {
      for (const path of DOUBLED) {
        const res = await api(method, path, method === "DELETE" ? {} : { body: {} });
        expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
        expect(res.headers.get("allow"), `${method} ${path}`).toBeNull();
      }
    },
  );

  it("the paths themselves, with or without their trailing slash, still answer", async () => {
    for (const path of ["/contacts/", "/contacts", "/contacts/addresses/", "/namespaces", "/health/"]) {
      expect((await api("GET", path)).status, path).toBe(200);
    }
  });

  it("a 405 never lists the method it refuses", async () => {
    const paths = [
      "/contacts/",
      "/contacts",
      "/contacts/addresses/",
      "/contacts/dedupe/",
      "/namespaces/",
      `/namespaces/${CONTACT_ID}/`,
      `/contacts/${CONTACT_ID}/`,
      `/contacts/${CONTACT_ID}/history/`,
      `/contacts/${CONTACT_ID}/active/`,
      ...DOUBLED,
    ];
    let refused = 0;
    for (const path of paths) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        const res = await api(method, path, ["POST", "PUT", "PATCH"].includes(method) ? { body: {} } : {});
        if (res.status !== 405) continue;
        refused++;
        const allow = res.headers.get("allow")?.split(", ") ?? [];
        expect(allow.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(allow, `${method} ${path}`).not.toContain(method);
      }
    }
    // The check above must have seen 405s to mean anything (PUT /contacts/, DELETE /contacts/{id}/ ...).
    expect(refused).toBeGreaterThan(10);
    const put = await api("PUT", "/contacts/", { body: {} });
    expectProblem(put, 405, "/problems/method_not_allowed");
    expect(put.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);
  });
});

describe("dedupe refuses malformed identifiers as create does", () => {
  const DEDUPE = "/contacts/dedupe/";
  const text = (key: string, value: string) => ({ key, value, type: "text" });

  /** The errors of a 400, as path and code (the messages may be worded per rule). */
  const problems = (res: { body: { errors?: { path: string; code: string }[] } }) =>
    (res.body.errors ?? []).map(({ path, code }) => ({ path, code }));

  it.each([
    ["pan", "bad"],
    ["pan_no", "ABCPK1234"], // a look-alike: one character short
    ["PAN No", "ABCXK1234F"], // X is no holder type
    ["gstin", `29ABCPK1234F1Z${gstinCheckChar("29ABCPK1234F1Z") === "A" ? "B" : "A"}`], // wrong check character
    ["aadhaar", `23456789012${(verhoeffCheckDigit("23456789012") + 1) % 10}`], // wrong Verhoeff check digit
    ["mobile", "12345"],
    ["email", "not-an-email"],
    ["passport", "1234567"],
    ["dob", "2020-02-30"],
    // A masked value names a stored one; a probe has none (as create has none).
    ["pan", "XXXXXX234F"],
    ["aadhaar", "XXXXXXXX1234"],
  ])("%s %j is 400 invalid_identifier on props.N.value, the same answer as create", async (key, value) => {
    const props = [text("note", "anything"), text(key, value)];
    const probe = await api("POST", DEDUPE, { body: { props } });
    expectInvalid(probe, ["props.1.value"]);
    expect(problems(probe)).toEqual([{ path: "props.1.value", code: "invalid_identifier" }]);
    // Not echoed: error bodies get logged, identifiers are personal data.
    expect(probe.text).not.toContain(value);

    const create = await api("POST", "/contacts/", {
      body: contactBody(await namespaceOf(), { props }),
    });
    expect(create.status, create.text).toBe(400);
    expect(problems(create)).toEqual(problems(probe));
  });

  it("names every malformed identifier, and an unknown namespace with them", async () => {
    const res = await api("POST", DEDUPE, {
      body: {
        namespace: "no-such-namespace",
        props: [text("pan", "bad"), text("mobile", "9876543210"), text("email", "x@")],
      },
    });
    expectInvalid(res, ["props.0.value", "props.2.value", "namespace"]);
  });

  it("still takes well-formed identifiers in any accepted spelling, and free text under other keys", async () => {
    const pan = "ABCPK1234F";
    const contact = await api("POST", "/contacts/", {
      body: contactBody(await namespaceOf(), { name: "Kiran Rao", props: [text("pan", pan)] }),
    });
    expect(contact.status, contact.text).toBe(201);
    const res = await api("POST", DEDUPE, {
      body: { props: [text("PAN No", "abcpk 1234 f"), text("remarks", "bad")] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.results.map((r: { contact: { id: string } }) => r.contact.id)).toContain(contact.body.id);
  });

  it("a stored contact's probe (contact_id) is not affected", async () => {
    const id = await createContact();
    const res = await api("POST", DEDUPE, { body: { contact_id: id } });
    expect(res.status, res.text).toBe(200);
    expect(errorPaths(res)).toEqual([]);
  });
});
