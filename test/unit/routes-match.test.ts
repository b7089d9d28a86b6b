// The route matcher: literal routes win, parameters are decoded, a wrong method answers with what is
// allowed, and the literal-prefix pre-check never changes what a route's pattern would match.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile, match, sortRoutes, type Route } from '../../core/server/routes.ts';

const route = (method: string, path: string): Route => ({
  method,
  path,
  auth: 'none',
  consoleAllowed: false,
  handler: () => undefined,
});

const ROUTES = sortRoutes(
  [
    route('GET', '/'),
    route('GET', '/admin/v1/agents'),
    route('POST', '/admin/v1/agents/revoke-all'),
    route('GET', '/admin/v1/agents/:id'),
    route('DELETE', '/admin/v1/agents/:id/grants/:grantId'),
    route('*', '/v1/proxy/:provider/*'),
    route('GET', '/console/*'),
  ].map(compile),
);

describe('route prefixes', () => {
  it('are the literal segments before the first parameter', () => {
    const prefixes = Object.fromEntries(ROUTES.map((r) => [r.path, r.prefix]));
    expect(prefixes).toEqual({
      '/': '/',
      '/admin/v1/agents': '/admin/v1/agents',
      '/admin/v1/agents/revoke-all': '/admin/v1/agents/revoke-all',
      '/admin/v1/agents/:id': '/admin/v1/agents/',
      '/admin/v1/agents/:id/grants/:grantId': '/admin/v1/agents/',
      '/v1/proxy/:provider/*': '/v1/proxy/',
      '/console/*': '/console',
    });
  });
});

describe('match', () => {
  it('finds literal routes before parameter routes, decodes parameters and keeps the rest raw', () => {
    const lit = match(ROUTES, 'POST', '/admin/v1/agents/revoke-all');
    expect(lit !== null && 'route' in lit ? lit.route.path : null).toBe('/admin/v1/agents/revoke-all');
    const byId = match(ROUTES, 'GET', '/admin/v1/agents/agt%5F1');
    expect(byId !== null && 'route' in byId ? byId.params : null).toEqual({ id: 'agt_1' });
    const proxied = match(ROUTES, 'POST', '/v1/proxy/openai/v1/chat%2Fcompletions');
    expect(proxied !== null && 'route' in proxied ? proxied.params : null).toEqual({
      provider: 'openai',
      rest: '/v1/chat%2Fcompletions',
    });
    expect(match(ROUTES, 'PUT', '/admin/v1/agents')).toEqual({ allowed: ['GET'] });
    expect(match(ROUTES, 'GET', '/admin/v1/agentsx')).toBeNull();
    expect(match(ROUTES, 'GET', '/v1/proxy')).toBeNull();
    expect(() => match(ROUTES, 'GET', '/admin/v1/agents/%E0%A4%A')).toThrow(/percent-encoding/);
  });

  it('matches exactly what the patterns alone match, for any path', () => {
    const segment = fc.constantFrom(
      'admin',
      'v1',
      'agents',
      'revoke-all',
      'proxy',
      'openai',
      'console',
      'x',
      '',
      '%41',
    );
    const paths = fc.array(segment, { maxLength: 6 }).map((segs) => `/${segs.join('/')}`);
    fc.assert(
      fc.property(paths, fc.constantFrom('GET', 'POST', 'DELETE'), (path, method) => {
        const expected = ROUTES.filter((r) => r.regex.test(path));
        const found = match(ROUTES, method, path);
        const byMethod = expected.find((r) => r.method === '*' || r.method === method);
        if (byMethod !== undefined)
          expect(found !== null && 'route' in found ? found.route : null).toBe(byMethod);
        else if (expected.length > 0) expect(found).toEqual({ allowed: expected.map((r) => r.method) });
        else expect(found).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});
