import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { namespaceOf } from "./helpers/fixtures";

/**
 * The update triggers of the search indexes (migrations/0022_fts_update_guards.sql): a write that leaves
 * the indexed text as it was does not touch the index; one that changes it is found by search at once,
 * and the old text no longer is.
 */
type Index = "contacts_fts" | "addresses_fts" | "bank_accounts_fts";

/** Every stored block of an index: any FTS5 write adds or rewrites at least one. */
const blocks = async (index: Index) =>
  (await env.DB.prepare(`select id, hex(block) as b from ${index}_data order by id`).all()).results;

async function ok(method: string, path: string, body?: unknown) {
  const res = await api(method, path, body === undefined ? {} : { body });
  expect(res.status, res.text).toBeLessThan(300);
  return res.body;
}

const found = async (path: string) =>
  (await ok("GET", path)).results.map((r: { id: string }) => r.id) as string[];

/** A contact with an address and a bank account, each carrying `word` (storage lasts the whole file). */
async function contactWithRecords(word: string, ref: string, bank: { name: string; account: string }) {
  const contact = await ok("POST", "/contacts/", {
    name: `${word} Sharma`,
    ref_id: ref,
    namespace: await namespaceOf(),
    type: "individual",
    status: "active",
    props: [],
  });
  const address = await ok("POST", "/contacts/addresses/", {
    contact_id: contact.id,
    address_line: `12, ${word} Road`,
    city: "Bengaluru",
    pincode: "560038",
    type: "current",
  });
  const account = await ok("POST", "/contacts/banks/", {
    contact_id: contact.id,
    account_number: bank.account,
    ifsc: "HDFC0001234",
    account_holder_name: `${word} Sharma`,
    bank_name: bank.name,
  });
  return { contact, address, bank: account };
}

describe("search index update triggers", () => {
  it("leave the index untouched when a write keeps the indexed text", async () => {
    const { contact, address, bank } = await contactWithRecords("Trigger", "TRG-0001", {
      name: "HDFC Bank",
      account: "501000123456",
    });
    const indexes = async () => ({
      contacts: await blocks("contacts_fts"),
      addresses: await blocks("addresses_fts"),
      banks: await blocks("bank_accounts_fts"),
    });
    const before = await indexes();

    // Name and ref_id sent back unchanged beside a real change (the read-first PATCH path sets them).
    const patched = await ok("PATCH", `/contacts/${contact.id}/`, {
      name: "Trigger Sharma",
      ref_id: "TRG-0001",
      tags: ["vip"],
    });
    expect(patched.version).toBe(contact.version + 1);
    await ok("PUT", `/contacts/${contact.id}/approve/`, { reason: "KYC done" });
    // Address: type and tags change, the indexed text does not (city sent back as it was).
    expect(
      (await ok("PATCH", `/contacts/addresses/${address.id}/`, { type: "office", city: "Bengaluru" })).type,
    ).toBe("office");
    // Bank: ifsc, branch and the primary flag are not indexed.
    const bankAfter = await ok("PATCH", `/contacts/banks/${bank.id}/`, {
      ifsc: "ICIC0000001",
      branch_name: "MG Road",
      is_primary: true,
      bank_name: "HDFC Bank",
    });
    expect(bankAfter.ifsc).toBe("ICIC0000001");

    expect(await indexes()).toEqual(before);
    expect(await found("/contacts/?search=trig%20sha")).toEqual([contact.id]);
    expect(await found("/contacts/addresses/?search=trigger%20beng")).toEqual([address.id]);
    expect(await found("/contacts/banks/?search=trigger%20hdfc")).toEqual([bank.id]);
  });

  it("reindex a changed name, ref_id, address or bank text: the new text is found, the old is not", async () => {
    const { contact, address, bank } = await contactWithRecords("Reindex", "TRG-0101", {
      name: "Canara Bank",
      account: "501000778812",
    });

    await ok("PATCH", `/contacts/${contact.id}/`, { name: "Reindex Iyer" });
    expect(await found("/contacts/?search=reind%20iyer")).toEqual([contact.id]);
    expect(await found("/contacts/?search=reind%20sha")).toEqual([]);
    await ok("PATCH", `/contacts/${contact.id}/`, { ref_id: "TRG-0102" });
    expect(await found("/contacts/?search=trg-0102")).toEqual([contact.id]);
    expect(await found("/contacts/?search=trg-0101")).toEqual([]);

    await ok("PATCH", `/contacts/addresses/${address.id}/`, { city: "Mysuru" });
    expect(await found("/contacts/addresses/?search=reindex%20mysuru")).toEqual([address.id]);
    expect(await found("/contacts/addresses/?search=reindex%20bengaluru")).toEqual([]);
    await ok("PATCH", `/contacts/addresses/${address.id}/`, { address_line: null });
    expect(await found("/contacts/addresses/?search=reindex")).toEqual([]);
    expect(await found("/contacts/addresses/?search=mysuru")).toEqual([address.id]);

    await ok("PATCH", `/contacts/banks/${bank.id}/`, { bank_name: "Axis Bank" });
    expect(await found("/contacts/banks/?search=reindex%20axis")).toEqual([bank.id]);
    expect(await found("/contacts/banks/?search=canara")).toEqual([]);
    await ok("PATCH", `/contacts/banks/${bank.id}/`, { account_number: "501000999977" });
    expect(await found("/contacts/banks/?search=9977")).toEqual([bank.id]);
    expect(await found("/contacts/banks/?search=8812")).toEqual([]);

    for (const index of ["contacts_fts", "addresses_fts", "bank_accounts_fts"] as const)
      await env.DB.prepare(`insert into ${index} (${index}, rank) values ('integrity-check', 0)`).run();
  });
});
