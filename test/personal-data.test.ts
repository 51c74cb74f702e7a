import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { contactBody, namespaceOf, unique } from "./helpers/fixtures";
import {
  everyStoredValue,
  newAadhaar,
  newPan,
  prop,
  randomDigits,
  randomLetters,
} from "./helpers/personal-data";

describe("personal data at rest", () => {
  it("no Aadhaar number and no protected identifier is stored in clear in any table, through every route", async () => {
    const ns = await namespaceOf();
    const secrets = {
      pan: newPan(),
      pan2: newPan(),
      aadhaar: newAadhaar(),
      aadhaar2: newAadhaar(),
      passport: `${randomLetters(1)}${randomDigits(7)}`,
      voter: `${randomLetters(3)}${randomDigits(7)}`,
      dl: `MH12${randomDigits(11)}`,
      account: randomDigits(14),
      account2: randomDigits(12),
    };
    const created = await api("POST", "/contacts/", {
      body: contactBody(ns, {
        name: "Scan Subject",
        props: [
          prop("pan", secrets.pan),
          prop("aadhaar_card", secrets.aadhaar),
          prop("passport", secrets.passport),
          prop("voter_id", secrets.voter),
          prop("dl_no", secrets.dl),
          prop("mobile", "9845012345"),
        ],
      }),
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    // Read in clear with contacts:pii, masked without it.
    expect(created.body.props).toContainEqual(prop("pan", secrets.pan));
    const masked = await api("GET", `/contacts/${id}/`, { scope: "contacts:read" });
    expect(masked.text).not.toContain(secrets.pan);
    expect(masked.body.props).toContainEqual(prop("pan", `XXXXXX${secrets.pan.slice(-4)}`));
    expect(masked.body.props).toContainEqual(prop("aadhaar_card", `XXXXXXXX${secrets.aadhaar.slice(-4)}`));

    const patched = await api("PATCH", `/contacts/${id}/`, {
      body: { props: [...masked.body.props, prop("pan_number", secrets.pan2)] },
    });
    expect(patched.status, patched.text).toBe(200);
    const put = await api("PUT", `/contacts/${id}/props/`, { body: [prop("aadhaar", secrets.aadhaar2)] });
    expect(put.status, put.text).toBe(200);
    expect((await api("DELETE", `/contacts/${id}/props/?key=passport`)).status).toBe(204);
    const bank = await api("POST", "/contacts/banks/", {
      body: {
        contact_id: id,
        account_number: secrets.account,
        ifsc: "HDFC0001234",
        account_holder_name: "Scan Subject",
      },
    });
    expect(bank.status, bank.text).toBe(201);
    const bankPatch = await api("PATCH", `/contacts/banks/${bank.body.id}/`, {
      body: { account_number: secrets.account2 },
    });
    expect(bankPatch.status, bankPatch.text).toBe(200);
    expect((await api("DELETE", `/contacts/banks/${bank.body.id}/`)).status).toBe(204);

    const stored = await everyStoredValue();
    for (const [name, value] of Object.entries(secrets)) expect(stored.includes(value), name).toBe(false);

    // History shows them masked, never in clear, before and after erasure.
    const history = await api("GET", `/contacts/${id}/history/?page_size=100`);
    for (const value of Object.values(secrets)) expect(history.text).not.toContain(value);
    const erased = await api("POST", `/contacts/${id}/erase/`, { body: { reason: "DPDP request" } });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toMatchObject({
      name: "Erased contact",
      props: [],
      status: "inactive",
      erased_by: "u1",
    });
    const after = await everyStoredValue();
    expect(after.includes(`XXXXXX${secrets.pan.slice(-4)}`)).toBe(false);
    expect((await api("PATCH", `/contacts/${id}/`, { body: { name: "Back" } })).status).toBe(409);
    expect((await api("POST", `/contacts/${id}/erase/`, { body: { reason: "again" } })).status).toBe(200);
    // Its former identifiers are free: a new contact may carry them, and dedupe never returns the tombstone.
    const again = await api("POST", "/contacts/?dedupe=block", {
      body: contactBody(ns, { name: unique("Again"), props: [prop("pan", secrets.pan)] }),
    });
    expect(again.status, again.text).toBe(201);
  });

  it("look-alike identifiers are stored canonical and blocked, or refused on the prop's path", async () => {
    const ns = await namespaceOf();
    const pan = newPan();
    const aadhaar = newAadhaar();
    const first = await api("POST", "/contacts/", {
      body: contactBody(ns, { name: "Look Alike", props: [prop("pan", pan), prop("aadhaar", aadhaar)] }),
    });
    expect(first.status, first.text).toBe(201);
    const fullWidth = (s: string) =>
      [...s].map((ch) => String.fromCodePoint(ch.codePointAt(0)! + 0xfee0)).join("");
    const devanagari = (s: string) => [...s].map((d) => String.fromCodePoint(0x0966 + Number(d))).join("");
    const panForms = [
      `${pan.slice(0, 3)}\u200b${pan.slice(3)}`,
      `${pan.slice(0, 3)}\u00ad${pan.slice(3)}`,
      `${pan.slice(0, 3)}\u2060${pan.slice(3)}`,
      `${pan.slice(0, 5)}.${pan.slice(5, 9)}.${pan.slice(9)}`,
      fullWidth(pan),
    ];
    const uidForms = [
      `${aadhaar.slice(0, 4)}.${aadhaar.slice(4, 8)}.${aadhaar.slice(8)}`,
      `${aadhaar.slice(0, 4)}/${aadhaar.slice(4, 8)}/${aadhaar.slice(8)}`,
      `${aadhaar.slice(0, 6)}\u200b${aadhaar.slice(6)}`,
      devanagari(aadhaar),
      fullWidth(aadhaar),
    ];
    for (const [key, value] of [
      ...panForms.map((v) => ["pan", v]),
      ...uidForms.map((v) => ["aadhaar_card", v]),
    ]) {
      const res = await api("POST", "/contacts/?dedupe=block", {
        body: contactBody(ns, { name: unique("Copy"), props: [prop(key as string, value as string)] }),
      });
      expect(res.status, `${key} ${JSON.stringify(value)}: ${res.text}`).toBe(409);
    }
    // The fifth letter replaced by a Cyrillic Ka (U+041A), which looks like K.
    const cyrillic = `${pan.slice(0, 4)}\u041a${pan.slice(5)}`;
    const refused = await api("POST", "/contacts/", {
      body: contactBody(ns, { name: "Cyrillic", props: [prop("pan", cyrillic)] }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: "props.0.value" })]);
  });
});

describe("what a duplicate refusal shows", () => {
  it("a token without contacts:read sees only the ids of the contacts that hold the document", async () => {
    const ns = await namespaceOf();
    const pan = newPan();
    const first = await api("POST", "/contacts/", {
      body: contactBody(ns, { name: "Holder One", props: [prop("pan", pan)] }),
    });
    expect(first.status, first.text).toBe(201);
    const body = contactBody(ns, { name: "Holder Two", props: [prop("pan", pan)] });
    const blind = await api("POST", "/contacts/?dedupe=block", { body, scope: "contacts:write" });
    expect(blind.status, blind.text).toBe(409);
    expect(blind.body.matches).toEqual([
      expect.objectContaining({ contact: { id: first.body.id }, reasons: expect.any(Array) }),
    ]);
    expect(blind.text).not.toContain("Holder One");
    const reader = await api("POST", "/contacts/?dedupe=block", {
      body,
      scope: "contacts:write contacts:read",
    });
    expect(reader.status).toBe(409);
    expect(reader.body.matches[0].contact).toMatchObject({ id: first.body.id, name: "Holder One" });
    // Without contacts:pii even a reader sees the PAN masked.
    expect(reader.text).not.toContain(pan);
  });
});
