import { createRouter } from "../lib/router";

// The reference UI's script and stylesheet are Worker static assets (public/docs/assets), never a CDN.
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Contact API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#reference", deepLinking: true,
  persistAuthorization: true, tryItOutEnabled: true, validatorUrl: null });
</script>
</body>
</html>`;

export const docsRouter = createRouter().get("/docs", (c) =>
  c.html(page, 200, { "Cache-Control": "public, max-age=300" }),
);
