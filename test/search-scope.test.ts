import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { namespaceOf } from "./helpers/fixtures";

/**
 * Searches in a database that holds one tenant (the per-tenant deployment) leave the tenant token out
 * of the FTS query (src/lib/search.ts ftsMatch); once another tenant has contacts, it is back in. Both
 * ways, results and counts are exactly the tenant's. This file's database starts empty.
 */
async function seed(tenant: string, names: string[]) {
  const namespace = await namespaceOf(tenant);
  const ids: string[] = [];
  for (const name of names) {
    const res = await api("POST", "/contacts/", {
      body: { name, namespace, status: "active", type: "individual", props: [] },
      tenant,
    });
    expect(res.status, res.text).toBe(201);
    ids.push(res.body.id);
    const address = await api("POST", "/contacts/addresses/", {
      body: { contact_id: res.body.id, city: "Bhubaneswar", address_line: `${name} House` },
      tenant,
    });
    expect(address.status, address.text).toBe(201);
    const bank = await api("POST", "/contacts/banks/", {
      body: {
        contact_id: res.body.id,
        account_number: "123456784321",
        ifsc: "SBIN0001234",
        account_holder_name: name,
      },
      tenant,
    });
    expect(bank.status, bank.text).toBe(201);
  }
  return ids;
}

const search = async (tenant: string, path: string) => {
  const res = await api("GET", path, { tenant });
  expect(res.status, res.text).toBe(200);
  return {
    count: res.body.count as number,
    ids: (res.body.results as { id: string; contact_id?: string }[]).map((r) => r.contact_id ?? r.id),
  };
};

describe("search scope: one tenant, then two", () => {
  it("finds exactly the tenant's records, with exact counts, before and after another tenant arrives", async () => {
    const solo = await seed("solo", ["Prakash Sahu", "Prakash Saha", "Meena Das"]);
    const check = async () => {
      const contacts = await search("solo", "/contacts/?search=prak%20sah");
      expect(contacts.count).toBe(2);
      expect(contacts.ids.sort()).toEqual([solo[0], solo[1]].sort());
      expect((await search("solo", "/contacts/?search=prak%20sah&page_size=1")).count).toBe(2);
      const addresses = await search("solo", "/contacts/addresses/?search=prakash%20house");
      expect(addresses.count).toBe(2);
      expect(addresses.ids.sort()).toEqual([solo[0], solo[1]].sort());
      const banks = await search("solo", "/contacts/banks/?search=4321");
      expect(banks.count).toBe(3);
      expect((await search("solo", "/contacts/banks/?search=meena")).ids).toEqual([solo[2]]);
    };
    await check();

    const other = await seed("other", ["Prakash Sahu", "Meena Dasgupta"]);
    await check();
    const theirs = await search("other", "/contacts/?search=prak%20sah");
    expect(theirs).toEqual({ count: 1, ids: [other[0]] });
    expect((await search("other", "/contacts/banks/?search=4321")).count).toBe(2);
    expect((await search("other", "/contacts/addresses/?search=meena")).ids).toEqual([other[1]]);
  });
});
