import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";

/**
 * Lists filtered only on namespace, status, type and approval_status read their `count` from the
 * trigger-kept contact_counts table. Adding any other filter that matches every row
 * (created_at_after far in the past) forces a real count: the two must always agree.
 */
async function bothCounts(query: string, tenant: string) {
  const grouped = await api("GET", `/contacts/?page_size=1&${query}`, { tenant });
  const counted = await api("GET", `/contacts/?page_size=1&created_at_after=2000-01-01&${query}`, { tenant });
  expect(grouped.status).toBe(200);
  expect(counted.status).toBe(200);
  return [grouped.body.count, counted.body.count];
}

describe("list counts kept by triggers", () => {
  it("agree with a real count through creates, status and approval changes, and namespace moves", async () => {
    const tenant = "counts";
    for (const name of ["Alpha", "Beta"]) await api("POST", "/namespaces/", { body: { name }, tenant });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await api("POST", "/contacts/", {
        tenant,
        body: {
          name: `Person ${i}`,
          namespace: i % 3 === 0 ? "Beta" : "Alpha",
          status: i % 4 === 0 ? "inactive" : "active",
          type: i % 2 ? "corporate" : "individual",
          props: [],
        },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    await api("PUT", `/contacts/${ids[1]}/approve/`, { tenant });
    await api("PUT", `/contacts/${ids[2]}/reject/`, { tenant });
    await api("PUT", `/contacts/${ids[3]}/inactive/`, { tenant });
    await api("PUT", `/contacts/${ids[0]}/active/`, { tenant });
    await api("PATCH", `/contacts/${ids[5]}/`, {
      tenant,
      body: { namespace: "Beta", type: "individual", status: "inactive" },
    });
    // A refused change moves nothing.
    expect((await api("PUT", `/contacts/${ids[3]}/approve/`, { tenant })).status).toBe(409);

    const queries = [
      "",
      "status=active",
      "status=inactive",
      "type=corporate",
      "approval_status=approved",
      "approval_status=pending&status=active",
      "namespace=beta",
      "namespace=alpha&type=individual",
      "namespace=nowhere",
    ];
    for (const query of queries) {
      const [grouped, counted] = await bothCounts(query, tenant);
      expect(grouped, query).toBe(counted);
    }
    expect((await bothCounts("", tenant))[0]).toBe(12);
    expect((await bothCounts("namespace=beta", tenant))[0]).toBe(5);
  });
});
