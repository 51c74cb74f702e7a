import { describe, expect, it } from "vitest";
import { MAX_NAME_CANDIDATES } from "../src/dedupe/dedupe.repository";
import { api } from "./helpers/api";
import { namespaceOf } from "./helpers/fixtures";
import { prop } from "./helpers/personal-data";

/**
 * Name candidates are capped (src/dedupe/dedupe.repository.ts rankedByName): the contacts sharing the
 * most name keys with the probe win, so a common name shared by more contacts than the cap does not
 * push out the one that also shares the date of birth, even when it is the oldest of them.
 */
describe("dedupe: name candidates ranked by shared keys", () => {
  it("finds the same-name contact with the same date of birth among more namesakes than the cap", async () => {
    const namespace = await namespaceOf();
    const create = async (dob: string) => {
      const res = await api("POST", "/contacts/", {
        body: {
          name: "Rahul Sharma",
          namespace,
          status: "active",
          type: "individual",
          props: [prop("dob", dob)],
        },
      });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    };
    const twin = await create("1988-07-14");
    const namesakes = MAX_NAME_CANDIDATES + 5;
    for (let i = 0; i < namesakes; i++) await create(`1970-01-${String((i % 28) + 1).padStart(2, "0")}`);

    const res = await api("POST", "/contacts/dedupe/", {
      body: { name: "Rahul Sharma", type: "individual", props: [prop("dob", "1988-07-14")] },
    });
    expect(res.status, res.text).toBe(200);
    const ids = (res.body.results as { contact: { id: string } }[]).map((r) => r.contact.id);
    expect(ids).toContain(twin);
    expect(ids[0]).toBe(twin);
  });
});
