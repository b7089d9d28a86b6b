// The one Content-Security-Policy of our renderer, wherever it is served: the Electron window
// (electron/main/csp.ts adds it to every response) and the headless browser console
// (core/server/console-routes.ts). renderer/index.html repeats it as a meta tag, checked by a test.

/** Only our own files; no inline or remote script, no plugins, no framing, no form submission. */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
