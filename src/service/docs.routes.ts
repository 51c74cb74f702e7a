import { createRouter } from "../lib/router";

// The reference UI's script and stylesheet are Worker static assets (public/docs/assets), never a CDN.
// No inline script: the page starts Swagger UI from /docs/init.js, so the CSP can forbid inline code.
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
<script src="/docs/init.js"></script>
</body>
</html>`;

// persistAuthorization false: a token typed into the page lives in memory only, never in localStorage.
const init = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#reference", deepLinking: true,
  persistAuthorization: false, tryItOutEnabled: true, validatorUrl: null });
`;

/**
 * Scripts, styles, images and requests from this origin only (Swagger UI sets inline style attributes and
 * uses data: images), no framing, no referrer: a page that holds a bearer token is never embedded or leaked.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = {
  "Content-Security-Policy": DOCS_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cache-Control": "public, max-age=300",
};

export const docsRouter = createRouter()
  .get("/docs", (c) => c.html(page, 200, securityHeaders))
  .get("/docs/init.js", (c) =>
    c.body(init, 200, { ...securityHeaders, "Content-Type": "text/javascript; charset=utf-8" }),
  );
