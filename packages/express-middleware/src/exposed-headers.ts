/**
 * The response headers a browser app needs to read on polytoken's answers, for the host's CORS `exposedHeaders`
 * (`cors({ exposedHeaders: EXPOSED_HEADERS })`): a cross-origin script sees only the CORS-safelisted ones otherwise
 * (Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified, Pragma). The security
 * headers token-generator sends (X-Frame-Options, ...) are for the browser, not for scripts, and are not listed.
 * test/host-app/ checks the list against every header the dialects send.
 */
export const EXPOSED_HEADERS: readonly string[] = Object.freeze([
  // 401 challenges (every dialect), 405 methods, 503 back-off (password-hashing queue, store outage, sagrada).
  'WWW-Authenticate',
  'Allow',
  'Retry-After',
  // sagrada: the server's clock, for clients to correct their skew.
  'X-Timestamp',
  // token-generator: the caller's token echoed, the request id and the time taken, as the Rails original.
  'X-token',
  'X-Request-Id',
  'X-Runtime',
])
