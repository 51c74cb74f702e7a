// Baseline 3: the raw D1 write of a contact create, without the API (no Hono, Zod, drizzle, auth, identifier
// normalisation or mapping). POST /contacts with the bench's create body runs ONE batch of the statements
// createContact issues: the namespace read, the contact insert (namespace and ref_id resolved in SQL from
// the namespace row, marked as read by history for its `created` entry: migrations/0021), the counter
// update, the identifier index rows (one insert from one JSON parameter: a new contact has no rows to
// delete) and the read back with the namespace name. The triggers (FTS, contact_counts) fire as they do for the API. Tenant and user are fixed ("bench").
const TENANT = "bench";
const USER = "bench-user";
const B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Time-ordered ids (as the API's ULIDs): new rows land at the end of the id index, not at random places.
function newId() {
  let time = Date.now();
  let head = "";
  for (let i = 0; i < 10; i++) {
    head = B32[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const random = crypto.getRandomValues(new Uint8Array(16));
  let tail = "";
  for (const b of random) tail += B32[b % 32];
  return head + tail;
}

// The index rows the API would derive for the bench body, by plain string work (no checksums, no HMAC),
// in the compact form migrations/0020 gives the table (src/dedupe/index-form.ts: kinds as one letter,
// fields without `props.`, none for name keys).
function indexRows(body) {
  const rows = [];
  for (const p of body.props ?? []) {
    if (p.key === "pan_no") rows.push({ kind: "p", value: p.value.toUpperCase(), field: "pan_no" });
    else if (p.key === "mobile")
      rows.push({ kind: "m", value: p.value.replace(/\D/g, "").slice(-10), field: "mobile" });
    else if (p.key === "email") rows.push({ kind: "e", value: p.value.toLowerCase(), field: "email" });
    else if (p.key === "dob") rows.push({ kind: "dob", value: p.value, field: "dob" });
  }
  const words = body.name.toLowerCase().split(/\s+/).filter(Boolean);
  rows.push({ kind: "n", value: words.join(" "), field: "" });
  if (words.length > 1) rows.push({ kind: "n", value: [...words].sort().join(" "), field: "" });
  return rows;
}

const NS = "n.tenant_id = ?1 and lower(n.name) = lower(?2)";

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return new Response("POST only", { status: 405 });
    const body = await request.json();
    const id = newId();
    const now = new Date();
    const at = now.toISOString();
    const y = String(now.getUTCFullYear());
    const m = String(now.getUTCMonth() + 1).padStart(2, "0");
    const d = String(now.getUTCDate()).padStart(2, "0");
    const tags = JSON.stringify(body.tags ?? []);
    const props = JSON.stringify(body.props ?? []);
    const inserted = "exists (select 1 from contacts where tenant_id = ?1 and id = ?3)";
    const db = env.DB;
    const statements = [
      db.prepare(`select n.id from namespaces n where ${NS}`).bind(TENANT, body.namespace),
      db
        .prepare(
          `insert into contacts (id, tenant_id, namespace_id, ref_id, name, type, status, approval_status, tags, refs,
             props, rm_id, branch_id, created_entry, version, created_at, created_by, updated_at, updated_by)
           select ?3, ?1, n.id,
             case when n.contact_pattern is null then null else printf(replace(replace(replace(
               replace(replace(replace(replace(n.contact_pattern, '{yyyy}', ?9), '{yy}', ?10), '{mm}', ?11), '{dd}', ?12),
               '{seq}', '%d'), '{seq:', '%0'), '}', 'd'), n.contact_counter) end,
             ?4, ?5, ?6, 'pending', ?7, null, ?8, null, null, 0, 1, ?13, ?14, ?13, null
           from namespaces n where ${NS} and (n.contact_pattern is null or n.contact_counter < 9007199254740991)`,
        )
        .bind(
          TENANT,
          body.namespace,
          id,
          body.name,
          body.type,
          body.status,
          tags,
          props,
          y,
          y.slice(2),
          m,
          d,
          at,
          USER,
        ),
      db
        .prepare(
          `update namespaces set contact_counter = contact_counter + 1, version = version + 1
           where id = (select n.id from namespaces n where ${NS}) and contact_pattern is not null and ${inserted}`,
        )
        .bind(TENANT, body.namespace, id),
      db
        .prepare(
          `insert into contact_identifiers (tenant_id, contact_id, kind, value, field)
           select ?1, c.rowid, json_extract(j.value, '$.kind'), json_extract(j.value, '$.value'),
             json_extract(j.value, '$.field')
           from contacts c, json_each(?3) j where c.tenant_id = ?1 and c.id = ?2
           on conflict do nothing`,
        )
        .bind(TENANT, id, JSON.stringify(indexRows(body))),
      db
        .prepare(
          `select c.*, n.name as namespace_name from contacts c join namespaces n on n.id = c.namespace_id
           where c.tenant_id = ?1 and c.id = ?2`,
        )
        .bind(TENANT, id),
    ];
    const results = await db.batch(statements);
    const row = results.at(-1).results[0];
    if (!row)
      return new Response('{"status":400}', { status: 400, headers: { "content-type": "application/json" } });
    return Response.json(row, { status: 201 });
  },
};
