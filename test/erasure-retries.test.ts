import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, type RequestOptions } from "./helpers/api";
import {
  contactBody,
  createContact,
  expectProblem,
  type HistoryEntry,
  historyOf,
  namespaceOf,
  unique,
} from "./helpers/fixtures";
import { prop, randomDigits, randomLetters } from "./helpers/personal-data";
import { createRelation, RELATIONS } from "./helpers/sub-resources";

// Erasure (API.md, Personal data) and what outlives it: the history of the contacts on the other side
// of its relations, and responses stored for Idempotency-Key retries (Safe retries).

const erase = (id: string, options: RequestOptions = {}) =>
  api("POST", `/contacts/${id}/erase/`, { body: { reason: "DPDP request" }, ...options });

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** The relation_deleted entries of a contact's history, by relation id. */
const deletedEntries = (history: HistoryEntry[]) =>
  new Map(history.filter((h) => h.action === "relation_deleted").map((h) => [h.subject.id, h]));

describe("erasure records relation_deleted on the other side of each relation", () => {
  it("like a DELETE of each relation would, on both directions; the erased side gets none", async () => {
    const a = await createContact("t1", "Anil Erased");
    const b = await createContact("t1", "Bina Other");
    const asContact = await createRelation({
      contact: a,
      type: "guarantor",
      related_contact: b,
      tags: ["loan"],
    });
    const asRelated = await createRelation({ contact: b, type: "father", related_contact: a });
    const alone = await createRelation({ contact: a, type: "friend" });
    // A relation changed before the erasure: its created entry is stored, not derived.
    expect((await api("PATCH", `${RELATIONS}${asRelated.id}/`, { body: { tags: ["x"] } })).status).toBe(200);
    const before = await historyOf(b);

    const erased = await erase(a);
    expect(erased.status, erased.text).toBe(200);
    for (const r of [asContact, asRelated, alone])
      expect((await api("GET", `${RELATIONS}${r.id}/`)).status).toBe(404);

    const after = await historyOf(b);
    // The two new entries come first; the earlier ones are untouched (the other side keeps their fields).
    expect(after.slice(2)).toEqual(before);
    const deleted = deletedEntries(after.slice(0, 2));
    const common = { at: erased.body.erased_at, actor: "u1", action: "relation_deleted", reason: null };
    expect(deleted.get(asContact.id)).toEqual({
      ...common,
      id: expect.stringMatching(ULID),
      subject: { type: "relation", id: asContact.id },
      changes: {
        contact: [a, null],
        type: ["guarantor", null],
        related_contact: [b, null],
        tags: [["loan"], null],
      },
    });
    expect(deleted.get(asRelated.id)).toEqual({
      ...common,
      id: expect.stringMatching(ULID),
      subject: { type: "relation", id: asRelated.id },
      changes: {
        contact: [b, null],
        type: ["father", null],
        related_contact: [a, null],
        tags: [["x"], null],
      },
    });
    // Every entry id of the contact is its own.
    expect(new Set(after.map((h) => h.id)).size).toBe(after.length);

    // The erased contact's history: no relation_deleted, every earlier entry redacted.
    const own = await historyOf(a);
    expect(own[0]).toMatchObject({ action: "erased", reason: "DPDP request" });
    expect(own.map((h) => h.action)).not.toContain("relation_deleted");
    for (const entry of own.slice(1)) expect(entry).toMatchObject({ changes: {}, reason: null });

    // A second erase is a no-op: nothing more on the other side.
    expect((await erase(a)).status).toBe(200);
    expect(await historyOf(b)).toEqual(after);
  });

  it("the entry on the other side matches what a DELETE of the relation records there", async () => {
    const a = await createContact("t1", "Asha");
    const b = await createContact("t1", "Bala");
    const c = await createContact("t1", "Chitra");
    const d = await createContact("t1", "Dev");
    const deletedOne = await createRelation({ contact: c, type: "spouse", related_contact: d });
    const erasedOne = await createRelation({ contact: a, type: "spouse", related_contact: b });
    expect((await api("DELETE", `${RELATIONS}${deletedOne.id}/`)).status).toBe(204);
    expect((await erase(a)).status).toBe(200);
    const byDelete = deletedEntries(await historyOf(d)).get(deletedOne.id);
    const byErasure = deletedEntries(await historyOf(b)).get(erasedOne.id);
    const shape = (h: HistoryEntry | undefined) => ({
      ...h,
      id: undefined,
      at: undefined,
      subject: h?.subject.type,
      changes: Object.keys(h?.changes ?? {}).sort(),
    });
    expect(shape(byErasure)).toEqual(shape(byDelete));
  });

  it("an erasure that does not apply (stale If-Match, 412) records nothing on the other side", async () => {
    const a = await createContact("t1", "Stale Erase");
    const b = await createContact("t1", "Stale Other");
    const r = await createRelation({ contact: a, type: "witness", related_contact: b });
    const before = await historyOf(b);
    const stale = await erase(a, { headers: { "If-Match": '"9"' } });
    expectProblem(stale, 412, "/problems/precondition_failed");
    expect((await api("GET", `${RELATIONS}${r.id}/`)).status).toBe(200);
    expect(await historyOf(b)).toEqual(before);
    const stored = await env.DB.prepare(
      "select count(*) as n from contact_history where subject_id = ? and action = 'relation_deleted'",
    )
      .bind(r.id)
      .first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });
});

describe("erasure and stored Idempotency-Key responses", () => {
  // The stored answer is sealed and names the contact only inside: the replay checks it (idempotency.ts).
  it("a keyed create repeated after the contact's erasure no longer replays its data, and creates nothing", async () => {
    const ns = await namespaceOf();
    const name = `Keyed ${randomLetters(6)}`;
    const passport = `${randomLetters(1)}${randomDigits(7)}`;
    const key = unique("em");
    const body = contactBody(ns, { name, props: [prop("passport", passport)] });
    const keyed = () =>
      api("POST", "/contacts/", { body, headers: { "Idempotency-Key": key }, settle: true });
    const first = await keyed();
    expect(first.status, first.text).toBe(201);
    expect(first.text).toContain(passport);
    expect((await keyed()).headers.get("idempotent-replayed")).toBe("true");

    expect((await erase(first.body.id)).status).toBe(200);
    const repeat = await keyed();
    expect(repeat.status, repeat.text).toBe(409);
    expect(repeat.body.type).toBe("/problems/contact_erased");
    expect(repeat.text).not.toContain(passport);
    expect(repeat.text).not.toContain(name);
    const same = await api("GET", `/contacts/?search=${encodeURIComponent(name)}`);
    expect(same.body.count).toBe(0);
  });

  it("an address's stored answer is refused too; a keyed erase repeated still replays its tombstone", async () => {
    const ns = await namespaceOf();
    const created = await api("POST", "/contacts/", {
      body: contactBody(ns, { name: `Keyed ${randomLetters(6)}` }),
    });
    expect(created.status, created.text).toBe(201);
    const line = `${randomDigits(3)} ${randomLetters(8)} Road`;
    const addressKey = unique("addr");
    const address = () =>
      api("POST", "/contacts/addresses/", {
        body: { contact_id: created.body.id, address_line: line, city: "Pune", type: "current" },
        headers: { "Idempotency-Key": addressKey },
        settle: true,
      });
    expect((await address()).status).toBe(201);
    const eraseKey = unique("erase");
    const keyedErase = () =>
      api("POST", `/contacts/${created.body.id}/erase/`, {
        body: { reason: "asked" },
        headers: { "Idempotency-Key": eraseKey },
        settle: true,
      });
    const erased = await keyedErase();
    expect(erased.status, erased.text).toBe(200);

    const repeat = await address();
    expect(repeat.status, repeat.text).toBe(409);
    expect(repeat.body.type).toBe("/problems/contact_erased");
    expect(repeat.text).not.toContain(line);
    const again = await keyedErase();
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(erased.text);
  });
});
