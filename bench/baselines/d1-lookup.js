// Baseline 2: one raw D1 primary-key lookup per request on the same database as the API (no Hono, Zod,
// drizzle, auth or mapping): GET /contacts/<id> answers the contact row as JSON, 404 when missing.
export default {
  async fetch(request, env) {
    const id = new URL(request.url).pathname.split("/")[2] ?? "";
    const row = await env.DB.prepare("select * from contacts where id = ?").bind(id).first();
    if (!row)
      return new Response('{"status":404}', { status: 404, headers: { "content-type": "application/json" } });
    return Response.json(row);
  },
};
