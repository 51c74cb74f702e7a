// Baseline 2: one raw D1 lookup by key per request on the same database as the API (no Hono, Zod, drizzle,
// auth or mapping): GET /contacts/<id> answers the bench tenant's contact row as JSON, 404 when missing.
// The key is (tenant_id, id), the one key a contact has (migrations/0018), as the API's retrieve uses it.
const TENANT = "bench";

export default {
  async fetch(request, env) {
    const id = new URL(request.url).pathname.split("/")[2] ?? "";
    const row = await env.DB.prepare("select * from contacts where tenant_id = ? and id = ?")
      .bind(TENANT, id)
      .first();
    if (!row)
      return new Response('{"status":404}', { status: 404, headers: { "content-type": "application/json" } });
    return Response.json(row);
  },
};
