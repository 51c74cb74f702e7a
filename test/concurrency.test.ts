import { describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { createContact, historyOf } from "./helpers/fixtures";

// API.md, Safe retries: without If-Match a write is last-writer-wins and never fails for contention.
describe("concurrent writes without If-Match", () => {
  it("30 concurrent PATCHes of one contact all succeed: version 31, 30 history entries", async () => {
    const id = await createContact();
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api("PATCH", `/contacts/${id}/`, { body: { rm_id: `RM${i}` } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    const after = await api("GET", `/contacts/${id}/`);
    expect(after.body.version).toBe(31);
    const history = await historyOf(id);
    expect(history.filter((h) => h.action === "updated")).toHaveLength(30);
  });

  it("30 concurrent props PUTs with distinct keys all succeed and every key is present", async () => {
    const id = await createContact();
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        api("PUT", `/contacts/${id}/props/`, { body: [{ key: `k${i}`, value: `v${i}`, type: "text" }] }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    const props = await api("GET", `/contacts/${id}/props/`);
    const keys = (props.body.props as { key: string }[]).map((p) => p.key);
    for (let i = 0; i < 30; i++) expect(keys).toContain(`k${i}`);
  });
});
