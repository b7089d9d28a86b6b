// The CSP header every renderer response carries (docs/ARCHITECTURE.md, "Electron shell"): one policy for
// the Electron window, the browser console and the page's own meta tag.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentSecurityPolicy } from '../../electron/main/csp.ts';
import { STRICT_CSP } from '../../shared/csp.ts';

const directives = (csp: string): Map<string, string> =>
  new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );

describe('content security policy', () => {
  const prod = directives(contentSecurityPolicy());

  it.each([
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self' 'unsafe-inline'"],
    ['img-src', "'self' data:"],
    ['connect-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['frame-ancestors', "'none'"],
    ['form-action', "'none'"],
  ])('production: %s %s', (name, value) => {
    expect(prod.get(name)).toBe(value);
  });

  it('production has no other directives and no unsafe-eval', () => {
    expect(prod.size).toBe(9);
    expect(STRICT_CSP).not.toContain('unsafe-eval');
  });

  it('dev server: inline script for React refresh and the HMR websocket of that origin only', () => {
    const dev = directives(contentSecurityPolicy('http://localhost:5173'));
    expect(dev.get('script-src')).toBe("'self' 'unsafe-inline'");
    expect(dev.get('connect-src')).toBe("'self' ws://localhost:5173");
    expect(dev.get('object-src')).toBe("'none'");
    expect(dev.get('frame-ancestors')).toBe("'none'");
  });

  it('a malformed dev URL falls back to the strict policy', () => {
    expect(contentSecurityPolicy('::not a url')).toBe(STRICT_CSP);
  });

  it('the renderer page carries the same policy as a meta tag (frame-ancestors only works as a header)', () => {
    const html = readFileSync(join(import.meta.dirname, '..', '..', 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    const expected = new Map(prod);
    expected.delete('frame-ancestors');
    expect(directives(meta)).toEqual(expected);
  });
});
