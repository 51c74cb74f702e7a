import { beforeAll, describe, expect, it } from "vitest";
import { api, apiWithEnv } from "./helpers/api";
import { fullScans, queryPlan, spyD1 } from "./helpers/d1-spy";
import { token } from "./helpers/tokens";

/**
 * Every query the repositories issue for lists, searches and lookups, captured from real requests,
 * must be served by an index: no step of its plan may read a whole table.
 */
let contactId = "";
let namespaceId = "";
let cursor = "";
let searchCursor = "";
let historyCursor = "";
let addressId = "";
let bankId = "";
let relationId = "";

beforeAll(async () => {
  const ns = await api("POST", "/namespaces/", { body: { name: "Plans", contact_pattern: "P-{seq:4}" } });
  namespaceId = ns.body.id;
  for (const name of ["Asha Verma", "Ravi Iyer", "Meena Das"]) {
    const res = await api("POST", "/contacts/", {
      body: {
        name,
        namespace: "Plans",
        status: "active",
        type: "individual",
        tags: ["vip"],
        props: [],
        rm_id: "RM1",
      },
    });
    contactId = res.body.id;
  }
  cursor = (await api("GET", "/contacts/?cursor=&page_size=1")).body.next_cursor;
  searchCursor = (await api("GET", "/contacts/?search=P-00&cursor=&page_size=1")).body.next_cursor;
  const other = (await api("GET", "/contacts/?page_size=2")).body.results[1].id;
  addressId = (
    await api("POST", "/contacts/addresses/", {
      body: {
        contact_id: contactId,
        address_line: "12, MG Road",
        city: "Bengaluru",
        state: "Karnataka",
        pincode: "560001",
        country: "India",
      },
    })
  ).body.id;
  bankId = (
    await api("POST", "/contacts/banks/", {
      body: {
        contact_id: contactId,
        account_number: "50100012345678",
        ifsc: "HDFC0001234",
        account_holder_name: "Meena Das",
        is_primary: true,
      },
    })
  ).body.id;
  relationId = (
    await api("POST", "/contacts/relations/", {
      body: { contact: contactId, type: "guarantor", related_contact: other },
    })
  ).body.id;
  historyCursor = (await api("GET", `/contacts/${contactId}/history/?cursor=&page_size=1`)).body.next_cursor;
});

const requests: [string, () => string, unknown?][] = [
  ["GET", () => "/namespaces/"],
  ["GET", () => "/namespaces/?search=pla&ordering=name"],
  ["GET", () => "/namespaces/?cursor=&ordering=-updated_at"],
  ["GET", () => `/namespaces/${namespaceId}/`],
  ["GET", () => "/contacts/"],
  ["GET", () => "/contacts/?ordering=name"],
  ["GET", () => "/contacts/?ordering=-updated_at&page=2&page_size=1"],
  ["GET", () => "/contacts/?status=active"],
  ["GET", () => "/contacts/?type=individual"],
  ["GET", () => "/contacts/?approval_status=pending"],
  ["GET", () => "/contacts/?namespace=plans"],
  ["GET", () => "/contacts/?rm_id=RM1"],
  ["GET", () => "/contacts/?branch_id=B1"],
  ["GET", () => "/contacts/?tags=vip"],
  ["GET", () => "/contacts/?created_at_after=2020-01-01&created_at_before=2099-12-31"],
  ["GET", () => "/contacts/?search=ra"],
  ["GET", () => "/contacts/?search=P-00&status=active"],
  ["GET", () => "/contacts/?search=P-00&page=2&page_size=1"],
  ["GET", () => "/contacts/?search=P-00&cursor="],
  ["GET", () => `/contacts/?search=P-00&cursor=${searchCursor}&page_size=1`],
  ["GET", () => "/contacts/?search=ra&ordering=name"],
  ["GET", () => "/contacts/?cursor="],
  ["GET", () => `/contacts/?cursor=${cursor}&page_size=1`],
  ["GET", () => `/contacts/${contactId}/`],
  ["GET", () => `/contacts/${contactId}/props/`],
  ["GET", () => `/contacts/${contactId}/history/`],
  ["GET", () => `/contacts/${contactId}/history/?cursor=`],
  ["GET", () => `/contacts/${contactId}/history/?cursor=${historyCursor}&page_size=1`],
  ["PATCH", () => `/contacts/${contactId}/`, { namespace: "Plans", name: "Meena Das Gupta" }],
  // Plain fields: compared and written in one batch, no read first.
  ["PATCH", () => `/contacts/${contactId}/`, { rm_id: "RM_9", tags: ["plans"], refs: { crm: "1" } }],
  ["PUT", () => `/contacts/${contactId}/approve/`, {}],
  ["PUT", () => `/contacts/${contactId}/props/`, [{ key: "k", value: "v", type: "text" }]],
  ["DELETE", () => `/contacts/${contactId}/props/?key=k`],
  [
    "POST",
    () => "/contacts/",
    { name: "New One", namespace: "Plans", status: "active", type: "individual", props: [] },
  ],
  ["GET", () => "/contacts/?expand=addresses,banks,relations"],
  ["GET", () => "/contacts/?expand=addresses,banks,relations&search=meena&cursor="],
  ["GET", () => `/contacts/${contactId}/?expand=addresses,banks,relations`],
  ["GET", () => "/contacts/addresses/"],
  ["GET", () => `/contacts/addresses/?contact=${contactId}&type=current&ordering=-updated_at`],
  ["GET", () => "/contacts/addresses/?search=beng&tags=x"],
  ["GET", () => "/contacts/addresses/?cursor="],
  ["GET", () => `/contacts/addresses/${addressId}/`],
  ["PATCH", () => `/contacts/addresses/${addressId}/`, { city: "Mysuru" }],
  ["GET", () => `/contacts/banks/?contact=${contactId}`],
  ["GET", () => "/contacts/banks/?ifsc=hdfc0001234&account_type=savings"],
  ["GET", () => "/contacts/banks/?search=5678"],
  ["GET", () => "/contacts/banks/?search=meena"],
  ["GET", () => `/contacts/banks/${bankId}/`],
  ["PATCH", () => `/contacts/banks/${bankId}/`, { is_primary: true, bank_name: "HDFC Bank" }],
  ["GET", () => `/contacts/relations/?contact=${contactId}`],
  ["GET", () => `/contacts/relations/?related_contact=${contactId}&type=guarantor`],
  ["GET", () => `/contacts/relations/${relationId}/`],
  ["POST", () => "/contacts/dedupe/", { contact_id: "__contact__" }],
  [
    "POST",
    () => "/contacts/dedupe/",
    { name: "Meena Das", props: [{ key: "pan", value: "ABCPK1234F", type: "text" }] },
  ],
  ["POST", () => "/contacts/dedupe/", { name: "Meena", namespace: "Plans", scope: "namespace" }],
  [
    "POST",
    () => "/contacts/?dedupe=block",
    {
      name: "Blocked",
      namespace: "Plans",
      status: "active",
      type: "individual",
      props: [{ key: "pan", value: "ABCPK1234F", type: "text" }],
    },
  ],
  // After the create above: the same PAN matches, so the dedupe also reads its matches' full rows.
  [
    "POST",
    () => "/contacts/dedupe/",
    { name: "Blocked", props: [{ key: "pan", value: "ABCPK1234F", type: "text" }] },
  ],
  ["DELETE", () => `/contacts/relations/${relationId}/`],
  ["DELETE", () => `/contacts/addresses/${addressId}/`],
  ["DELETE", () => `/contacts/banks/${bankId}/`],
  ["POST", () => `/contacts/${contactId}/erase/`, { reason: "DPDP request" }],
  ["DELETE", () => `/namespaces/${namespaceId}/`],
];

/** The tables keyed by tenant first whose walk over a whole tenant is a scan in all but name, with their aliases in `sql`. */
function tenantKeyedNames(sql: string): Set<string> {
  const names = new Set(["contact_identifiers", "contact_history"]);
  for (const [, , alias] of sql.matchAll(/"?(contact_identifiers|contact_history)"?\s+(?:as\s+)?"?(\w+)"?/gi))
    if (alias && !/^(where|on|set|join|cross|inner|left|select|values|order|group|limit|union)$/i.test(alias))
      names.add(alias);
  return names;
}

describe("query plans", () => {
  for (const [method, path, body] of requests) {
    it(`${method} ${path.toString().replace(/^\(\) => /, "")} uses indexes only`, async () => {
      const { binding, spy } = spyD1();
      const res = await apiWithEnv({ DB: binding }, method, path(), await token(), {
        body: body === undefined ? undefined : JSON.stringify(body).replace("__contact__", contactId),
        headers: body === undefined ? {} : { "content-type": "application/json" },
      });
      expect(res.status, res.text).toBeLessThan(500);
      expect(res.status, res.text).not.toBe(400);
      expect(res.status, res.text).not.toBe(404);
      expect(spy.statements.length).toBeGreaterThan(0);
      if (path() === "/contacts/dedupe/" && JSON.stringify(body).includes('"Blocked"'))
        expect(JSON.parse(res.text).results?.length ?? 0, res.text).toBeGreaterThan(0);
      for (const { sql, params } of spy.statements) {
        const plan = await queryPlan(sql, params);
        expect(fullScans(plan), `${sql}\n${plan.join("\n")}`).toEqual([]);
        // A search on a leading tenant_id alone walks the whole tenant: as costly as a scan. The plan
        // names a table by its alias when the query gives one (`contact_identifiers ci`).
        const walked = tenantKeyedNames(sql);
        expect(
          plan.filter((line) => {
            const search = /SEARCH (\S+) USING (PRIMARY KEY|(COVERING )?INDEX \S+) \(tenant_id=\?\)$/.exec(
              line,
            );
            return search !== null && walked.has(search[1] ?? "");
          }),
          `${sql}\n${plan.join("\n")}`,
        ).toEqual([]);
        // A write reads only the rows it is about: never a whole tenant, nor an open range after it.
        if (/^\s*(insert|update|delete)\b/i.test(sql))
          expect(
            plan.filter((line) => /^SEARCH .*\(tenant_id=\?( AND \w+[<>]\?)?\)$/.test(line)),
            `${sql}\n${plan.join("\n")}`,
          ).toEqual([]);
        // A search is driven by its FTS matches, never by walking the tenant's rows.
        // (A search's count with no other filter reads the FTS index alone, no contact rows.)
        if (sql.includes("contacts_fts match") && sql.includes('"contacts"'))
          expect(plan.join("\n")).toContain("USING INTEGER PRIMARY KEY");
        // Without `ordering`, a search's page walks the matches' rowids newest first: no sort of all
        // matches (the count reads them all, to stay exact, but sorts nothing).
        if (sql.includes("contacts_fts match") && !path().includes("ordering="))
          expect(plan.join("\n")).not.toContain("USE TEMP B-TREE FOR ORDER BY");
      }
    });
  }
});
