/**
 * The docs page's HTML. Every URL in it is relative to the page, so it works wherever the router is mounted
 * (`app.use('/auth', router)`) and behind a proxy that serves it under a prefix of its own: the page at
 * `<mount>/api/docs` loads `docs/assets/…` (beside it) and `../openapi.json` (the router's).
 */
export function docsPage(docsPath: string, version: string, title: string): string {
  const segments = docsPath.split('/').slice(1)
  const assets = `${segments.at(-1)!}/assets/${version}`
  const openapi = `${'../'.repeat(segments.length - 1)}openapi.json`
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} API</title>
<link rel="stylesheet" href="${assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="${assets}/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="${assets}/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui" data-openapi="${openapi}"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script src="${assets}/init.js"></script>
</body>
</html>
`
}

/**
 * The page's own policy, when the host set none (a host's helmet wins: its policy is the host's decision). Scripts
 * and styles from the router only; swagger-ui sets style attributes and shows data: images; "Try it out" and the
 * OpenAPI document are same-origin requests; no framing, so no one overlays the page's Execute button.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
