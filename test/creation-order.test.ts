import { decodeTime } from "ulid";
import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { createContact, namespaceOf, unique } from "./helpers/fixtures";

/**
 * A record's id carries its creation time (src/lib/ids.ts newRecord), so the list indexes end in the id
 * alone (migrations/0011) and "newest first (created_at desc, then id desc)" is id order.
 */
describe("creation time and order", () => {
  it("every new record's created_at is the time its id encodes", async () => {
    const contactId = await createContact();
    const contact = await api("GET", `/contacts/${contactId}/`);
    const other = await createContact();
    const records = [
      contact.body,
      (await api("POST", "/contacts/addresses/", { body: { contact_id: contactId, city: "Pune" } })).body,
      (
        await api("POST", "/contacts/banks/", {
          body: {
            contact_id: contactId,
            account_number: "123456789012",
            ifsc: "HDFC0001234",
            account_holder_name: "Ramesh Kumar",
          },
        })
      ).body,
      (
        await api("POST", "/contacts/relations/", {
          body: { contact: contactId, type: "guarantor", related_contact: other },
        })
      ).body,
    ];
    for (const r of records) expect(decodeTime(r.id), r.id).toBe(Date.parse(r.created_at));
  });

  it("concurrent creates list newest first by (created_at desc, id desc), in page and cursor mode, with date bounds", async () => {
    const tag = unique("order");
    const namespace = await namespaceOf();
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api("POST", "/contacts/", {
          body: {
            name: `Order ${i}`,
            namespace,
            status: "active",
            type: "individual",
            tags: [tag],
            props: [],
          },
        }),
      ),
    );
    for (const res of created) expect(res.status, res.text).toBe(201);
    const expected = created
      .map((r) => r.body as { id: string; created_at: string })
      .sort((a, b) =>
        a.created_at === b.created_at ? b.id.localeCompare(a.id) : b.created_at.localeCompare(a.created_at),
      )
      .map((r) => r.id);

    const page = await api("GET", `/contacts/?tags=${tag}&page_size=100`);
    expect(page.body.results.map((r: { id: string }) => r.id)).toEqual(expected);
    const ascending = await api("GET", `/contacts/?tags=${tag}&page_size=100&ordering=created_at`);
    expect(ascending.body.results.map((r: { id: string }) => r.id)).toEqual([...expected].reverse());

    const walked: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const res: {
        status: number;
        text: string;
        body: { results: { id: string }[]; next_cursor: string | null };
      } = await api("GET", `/contacts/?tags=${tag}&page_size=5&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, res.text).toBe(200);
      walked.push(...res.body.results.map((r: { id: string }) => r.id));
      cursor = res.body.next_cursor;
    }
    expect(walked).toEqual(expected);

    const first = created.map((r) => r.body.created_at as string).sort()[0] as string;
    const bounded = await api(
      "GET",
      `/contacts/?tags=${tag}&page_size=100&created_at_after=${encodeURIComponent(first)}&created_at_before=${encodeURIComponent(first)}`,
    );
    expect(bounded.body.results.map((r: { id: string }) => r.id)).toEqual(
      expected.filter((id) => created.find((r) => r.body.id === id)?.body.created_at === first),
    );
  });
});
