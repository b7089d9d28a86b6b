// Issue 4: GET /openapi.json is OpenAPI 3.1 for both APIs, generated from the schemas the server uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { adminOps } from '../../shared/contract.ts';

let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon({ init: false });
});
afterAll(() => t.stop());

interface Doc {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        requestBody?: {
          content: Record<
            string,
            { schema: { properties?: Record<string, unknown>; additionalProperties?: unknown } }
          >;
        };
      }
    >
  >;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

describe('openapi.json', () => {
  it('describes every admin operation and the agent routes, with the validated schemas', async () => {
    const res = await raw(t.url, { path: '/openapi.json' });
    expect(res.status).toBe(200);
    const doc = res.json() as Doc;
    expect(doc.openapi).toBe('3.1.0');
    for (const [name, def] of Object.entries(adminOps)) {
      const path = def.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(doc.paths[path]?.[def.method.toLowerCase()]?.operationId, `${name} ${def.method} ${path}`).toBe(
        name,
      );
    }
    for (const p of [
      '/v1/whoami',
      '/v1/secrets/{name}',
      '/v1/proxy/{providerId}/{path}',
      '/admin/v1/events',
      '/admin/v1/audit/export',
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
    // The agent-create body carries the real Scopes schema: strict objects, so unknown fields are refused.
    const create = doc.paths['/admin/v1/agents']?.post?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(create?.properties ?? {})).toEqual(
      expect.arrayContaining(['name', 'scopes', 'expiresAt']),
    );
    expect(create?.additionalProperties).toBe(false);
    expect(Object.keys(doc.components.schemas.Scopes?.properties ?? {})).toEqual([
      'providers',
      'email',
      'payments',
      'vault',
    ]);
    expect(JSON.stringify(doc)).not.toContain(t.daemon.adminToken);
  });
});
