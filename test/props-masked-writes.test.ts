import { describe, expect, it } from "vitest";
import { verhoeffCheckDigit } from "../src/dedupe/identifiers";
import { api } from "./helpers/api";
import { contactBody, expectInvalid, historyOf, namespaceOf } from "./helpers/fixtures";
import { newAadhaar, newPan, prop } from "./helpers/personal-data";

/**
 * API.md "Personal data": "Writes of a masked value that equals the stored value's mask keep the stored
 * value". The stored value of a write is the one stored under the same prop key (props are upserted
 * and kept unique by their exact key); a mask is never resolved against another key's value, so it
 * cannot copy a protected identifier the client never saw in clear to a new key.
 */

/** A token that reads and writes contacts but sees protected identifiers masked. */
const MASKED = "contacts:read contacts:write";
const masked = (pan: string) => `XXXXXX${pan.slice(-4)}`;

async function contactWith(props: ReturnType<typeof prop>[]) {
  const res = await api("POST", "/contacts/", {
    body: contactBody(await namespaceOf(), { name: "Masked Writer", props }),
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; version: number; props: ReturnType<typeof prop>[] };
}

/** The contact's props as a contacts:pii reader sees them. */
async function clearProps(id: string) {
  const res = await api("GET", `/contacts/${id}/props/`);
  expect(res.status, res.text).toBe(200);
  return res.body.props as ReturnType<typeof prop>[];
}

const identifierError = (path: string) => [expect.objectContaining({ path, code: "invalid_identifier" })];

describe("a masked value is judged against the value stored under the same key", () => {
  it("PUT props: the mask under another key of the same kind is 400 on that prop, nothing is copied", async () => {
    const pan = newPan();
    const c = await contactWith([prop("PAN No", pan)]);
    for (const key of ["pan_no", "pan number", "pan no", "PAN"]) {
      const res = await api("PUT", `/contacts/${c.id}/props/`, {
        body: [prop(key, masked(pan))],
        scope: MASKED,
      });
      expectInvalid(res, ["0.value"]);
      expect(res.body.errors, key).toEqual(identifierError("0.value"));
      expect(res.text).not.toContain(pan);
    }
    expect(await clearProps(c.id)).toEqual([prop("PAN No", pan)]);
    expect((await historyOf(c.id)).map((h) => h.action)).toEqual(["created"]);
  });

  it("PUT props: the mask sent back under its own key keeps the stored value and changes nothing", async () => {
    const pan = newPan();
    const c = await contactWith([prop("PAN No", pan)]);
    const read = await api("GET", `/contacts/${c.id}/props/`, { scope: MASKED });
    expect(read.body.props).toEqual([prop("PAN No", masked(pan))]);
    const back = await api("PUT", `/contacts/${c.id}/props/`, { body: read.body.props, scope: MASKED });
    expect(back.status, back.text).toBe(200);
    expect(back.body.props).toEqual([prop("PAN No", masked(pan))]);
    expect(await clearProps(c.id)).toEqual([prop("PAN No", pan)]);
    expect((await historyOf(c.id)).map((h) => h.action)).toEqual(["created"]);
  });

  it("PUT props: an Aadhaar mask under another key is 400, not a copy of the stored number's index row", async () => {
    const aadhaar = newAadhaar();
    const c = await contactWith([prop("aadhaar_no", aadhaar)]);
    const res = await api("PUT", `/contacts/${c.id}/props/`, {
      body: { props: [prop("uid", `XXXXXXXX${aadhaar.slice(-4)}`)] },
      scope: MASKED,
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual(identifierError("props.0.value"));
    expect(await clearProps(c.id)).toEqual([prop("aadhaar_no", `XXXXXXXX${aadhaar.slice(-4)}`)]);
  });

  it("PATCH props: the same rule, on props.<i>.value", async () => {
    const pan = newPan();
    const c = await contactWith([prop("PAN No", pan)]);
    const moved = await api("PATCH", `/contacts/${c.id}/`, {
      body: { props: [prop("pan_no", masked(pan))] },
      scope: MASKED,
    });
    expect(moved.status, moved.text).toBe(400);
    expect(moved.body.errors).toEqual(identifierError("props.0.value"));
    // Both keys, each with the mask: only the one stored under that key is kept.
    const both = await api("PATCH", `/contacts/${c.id}/`, {
      body: { props: [prop("PAN No", masked(pan)), prop("pan_number", masked(pan))] },
      scope: MASKED,
    });
    expect(both.status, both.text).toBe(400);
    expect(both.body.errors).toEqual(identifierError("props.1.value"));
    expect(await clearProps(c.id)).toEqual([prop("PAN No", pan)]);
    const kept = await api("PATCH", `/contacts/${c.id}/`, {
      body: { name: "Masked Writer Two", props: [prop("PAN No", masked(pan))] },
      scope: MASKED,
    });
    expect(kept.status, kept.text).toBe(200);
    expect(await clearProps(c.id)).toEqual([prop("PAN No", pan)]);
  });

  it("POST: a create has no stored value, so a mask is 400 on props.<i>.value", async () => {
    const pan = newPan();
    await contactWith([prop("pan", pan)]);
    const res = await api("POST", "/contacts/", {
      body: contactBody(await namespaceOf(), { name: "Masked Copy", props: [prop("pan", masked(pan))] }),
      scope: "contacts:write",
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual(identifierError("props.0.value"));
  });
});

describe("PUT props: every prop error names its path in the body the client sent", () => {
  // A malformed PAN is refused by the request schema; a value shaped like a mask (a voter id's, or a
  // PAN's with nothing stored) only once the stored props are read. Both report the same path form.
  const cases: [string, ReturnType<typeof prop>][] = [
    ["a malformed PAN", prop("pan", "ABCDE12345")],
    ["a voter id shaped like a mask", prop("voter_id", "XXXX1234")],
    ["a masked PAN with no PAN stored", prop("pan", "XXXXXX234F")],
  ];

  it.each(cases)("%s: 1.value in an array body, props.1.value in a wrapped one", async (_name, bad) => {
    const c = await contactWith([]);
    const props = [prop("notes", "fine"), bad];
    const array = await api("PUT", `/contacts/${c.id}/props/`, { body: props });
    expect(array.status, array.text).toBe(400);
    expect(array.body.errors).toEqual(identifierError("1.value"));
    const wrapped = await api("PUT", `/contacts/${c.id}/props/`, { body: { props } });
    expect(wrapped.status, wrapped.text).toBe(400);
    expect(wrapped.body.errors).toEqual(identifierError("props.1.value"));
    const patched = await api("PATCH", `/contacts/${c.id}/`, { body: { props } });
    expect(patched.status, patched.text).toBe(400);
    expect(patched.body.errors).toEqual(identifierError("props.1.value"));
    expect(await clearProps(c.id)).toEqual([]);
  });

  it("every refused prop of an array body is named, all in the same form", async () => {
    const c = await contactWith([]);
    const res = await api("PUT", `/contacts/${c.id}/props/`, {
      body: [prop("voter_id", "XXXX1234"), prop("notes", "fine"), prop("pan", "XXXXXX234F")],
    });
    expectInvalid(res, ["0.value", "2.value"]);
  });
});

describe("a new identifier whose mask equals the old one's (same last four)", () => {
  it("PUT props and PATCH write it; history keeps the entry but no pair its masks cannot tell apart", async () => {
    const pan = newPan();
    const sameTail = (p: string) => `${p.slice(0, 3) === "ZZZ" ? "YYY" : "ZZZ"}${p.slice(3)}`;
    const c = await contactWith([prop("pan", pan), prop("note", "a")]);
    const put = await api("PUT", `/contacts/${c.id}/props/`, { body: [prop("pan", sameTail(pan))] });
    expect(put.status, put.text).toBe(200);
    expect((await clearProps(c.id)).find((p) => p.key === "pan")?.value).toBe(sameTail(pan));
    let [entry] = await historyOf(c.id);
    expect(entry?.action).toBe("props_updated");
    expect(entry?.changes).toEqual({});

    const patched = await api("PATCH", `/contacts/${c.id}/`, {
      body: { props: [prop("pan", pan), prop("note", "a")] },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.version).toBe(c.version + 2);
    expect((await clearProps(c.id)).find((p) => p.key === "pan")?.value).toBe(pan);
    [entry] = await historyOf(c.id);
    expect(entry?.action).toBe("updated");
    expect(entry?.changes).toEqual({});
    // A change the masks do show is listed as before.
    await api("PATCH", `/contacts/${c.id}/`, { body: { props: [prop("pan", pan), prop("note", "b")] } });
    [entry] = await historyOf(c.id);
    expect(Object.keys(entry?.changes ?? {})).toEqual(["props"]);
    for (const [old, value] of Object.values(entry?.changes ?? {})) expect(old).not.toEqual(value);
  });
});

/** Another valid Aadhaar number with the same last four digits (so the same stored mask). */
function sameLastFour(aadhaar: string): string {
  for (;;) {
    const other = newAadhaar();
    const first11 = `${other.slice(0, 8)}${aadhaar.slice(8, 11)}`;
    if (String(verhoeffCheckDigit(first11)) === aadhaar.slice(11) && first11 !== aadhaar.slice(0, 11))
      return `${first11}${aadhaar.slice(11)}`;
  }
}

describe("an Aadhaar number replaced by another with the same last four digits", () => {
  const dedupeCount = async (aadhaar: string, id: string) => {
    const res = await api("POST", "/contacts/dedupe/", { body: { props: [prop("aadhaar", aadhaar)] } });
    expect(res.status, res.text).toBe(200);
    return res.body.results.filter((r: { contact: { id: string } }) => r.contact.id === id).length;
  };

  it("is written by PUT props and by PATCH: version, history entry, and dedupe follows the new number", async () => {
    const first = newAadhaar();
    const second = sameLastFour(first);
    const c = await contactWith([prop("aadhaar", first)]);
    expect(await dedupeCount(first, c.id)).toBe(1);

    // The same number again changes nothing.
    const same = await api("PUT", `/contacts/${c.id}/props/`, { body: [prop("aadhaar", first)] });
    expect(same.status, same.text).toBe(200);
    expect((await api("GET", `/contacts/${c.id}/`)).body.version).toBe(c.version);

    const put = await api("PUT", `/contacts/${c.id}/props/`, { body: [prop("aadhaar", second)] });
    expect(put.status, put.text).toBe(200);
    expect((await api("GET", `/contacts/${c.id}/`)).body.version).toBe(c.version + 1);
    let [entry] = await historyOf(c.id);
    expect(entry?.action).toBe("props_updated");
    expect(await dedupeCount(second, c.id)).toBe(1);
    expect(await dedupeCount(first, c.id)).toBe(0);

    const patched = await api("PATCH", `/contacts/${c.id}/`, { body: { props: [prop("aadhaar", first)] } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.version).toBe(c.version + 2);
    [entry] = await historyOf(c.id);
    expect(entry?.action).toBe("updated");
    expect(await dedupeCount(first, c.id)).toBe(1);
    expect(await dedupeCount(second, c.id)).toBe(0);
    // Sent back as it was (clear or masked), nothing changes.
    for (const value of [first, `XXXXXXXX${first.slice(8)}`]) {
      const again = await api("PATCH", `/contacts/${c.id}/`, { body: { props: [prop("aadhaar", value)] } });
      expect(again.body.version, value).toBe(c.version + 2);
    }
  });
});
