// GET /openapi.json: OpenAPI 3.1 for the agent and admin APIs, generated from the same zod schemas the
// server validates with, so the document cannot drift from what is enforced.
import { z } from 'zod';
import {
  ApprovalHeld,
  ErrorEnvelope,
  adminOps,
  agentOps,
  type AdminOpName,
  type AgentOpName,
} from '../../shared/contract.ts';
import { Scopes } from '../../shared/scopes.ts';
import { VERSION } from '../core.ts';
import type { Route } from './routes.ts';
import { sendJson } from './respond.ts';

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out.$schema;
  return out;
}

const ErrorSchema: Json = schemaOf(ErrorEnvelope, 'output');

const errorResponse = {
  description: 'Error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

export function buildOpenApi(): Json {
  const paths: Record<string, Json> = {};
  for (const name of Object.keys(adminOps) as AdminOpName[]) {
    const def = adminOps[name];
    const oaPath = def.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...def.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const input = schemaOf(def.input, 'input');
    const op: Json = {
      operationId: name,
      summary: def.summary,
      tags: ['admin'],
      security: [{ admin: [] }],
      parameters: params,
      responses: {
        [name === 'agentCreate' ? '201' : '200']: {
          description: 'OK',
          content: { 'application/json': { schema: schemaOf(def.output, 'output') } },
        },
        default: errorResponse,
      },
    };
    if (def.method === 'GET') {
      const props = (input.properties ?? {}) as Record<string, Json>;
      for (const [k, v] of Object.entries(props))
        if (!params.some((p) => p.name === k))
          (op.parameters as Json[]).push({ name: k, in: 'query', required: false, schema: v });
    } else if (def.method !== 'DELETE') {
      op.requestBody = { required: true, content: { 'application/json': { schema: input } } };
    }
    paths[oaPath] = { ...(paths[oaPath] ?? {}), [def.method.toLowerCase()]: op };
  }
  const agentSecurity = [{ agentBearer: [] }, { agentApiKey: [] }];
  for (const name of Object.keys(agentOps) as AgentOpName[]) {
    const def = agentOps[name];
    const oaPath = def.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const input = schemaOf(def.input, 'input');
    const props = (input.properties ?? {}) as Record<string, Json>;
    paths[oaPath] = {
      ...(paths[oaPath] ?? {}),
      [def.method.toLowerCase()]: {
        operationId: name,
        summary: def.summary,
        tags: ['agent'],
        security: agentSecurity,
        parameters: [...def.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
          name: m[1],
          in: 'path',
          required: true,
          schema: props[m[1] ?? ''] ?? { type: 'string' },
        })),
        responses: {
          200: {
            description: 'OK',
            content: { 'application/json': { schema: schemaOf(def.output, 'output') } },
          },
          default: errorResponse,
        },
      },
    };
  }
  paths['/v1/proxy/{providerId}/{path}'] = {
    parameters: [
      { name: 'providerId', in: 'path', required: true, schema: { type: 'string' } },
      {
        name: 'path',
        in: 'path',
        required: true,
        schema: { type: 'string' },
        description: 'The provider path, forwarded after policy.',
      },
    ],
    ...Object.fromEntries(
      ['get', 'post', 'put', 'patch', 'delete'].map((m) => [
        m,
        {
          operationId: `proxy_${m}`,
          tags: ['agent'],
          summary: 'Forward to the provider after policy, with the master key injected',
          security: agentSecurity,
          responses: {
            202: {
              description: 'Held for the owner’s approval (sent with Prefer: respond-async)',
              content: { 'application/json': { schema: schemaOf(ApprovalHeld, 'output') } },
            },
            default: {
              description:
                'The provider’s response. Refusals by Agent Keychain come in the provider’s own error format (OpenAI, Anthropic, Stripe, Resend; our envelope for http providers), with x-akc-error and x-akc-request-id headers.',
            },
          },
        },
      ]),
    ),
  };
  paths['/admin/v1/events'] = {
    get: {
      operationId: 'events',
      tags: ['admin'],
      summary: 'Server-sent events',
      security: [{ admin: [] }],
      responses: { 200: { description: 'text/event-stream' } },
    },
  };
  paths['/admin/v1/audit/export'] = {
    get: {
      operationId: 'auditExport',
      tags: ['admin'],
      summary: 'Streamed export (format=jsonl|csv)',
      security: [{ admin: [] }],
      responses: { 200: { description: 'JSONL or CSV' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Agent Keychain',
      version: VERSION,
      description: 'Loopback API: agent routes (/v1) and admin routes (/admin/v1).',
    },
    servers: [{ url: 'http://127.0.0.1:7717' }],
    paths,
    components: {
      schemas: { Error: ErrorSchema, Scopes: schemaOf(Scopes, 'input') },
      securitySchemes: {
        admin: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin credential from the data directory’s admin-token file.',
        },
        agentBearer: { type: 'http', scheme: 'bearer', description: 'An agent credential (akc_…).' },
        agentApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
  };
}

export function openapiRoute(): Route {
  let cached: string | null = null;
  return {
    method: 'GET',
    path: '/openapi.json',
    auth: 'none',
    consoleAllowed: true,
    handler: (ctx) => {
      cached ??= JSON.stringify(buildOpenApi());
      sendJson(ctx.res, 200, JSON.parse(cached));
    },
  };
}
