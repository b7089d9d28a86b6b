// IPC routing core: sender validation and invoke routing (unknown ops refused, core errors mapped,
// internal details hidden). The daemon is a stand-in object passed as a parameter, not a module mock.
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import {
  GENERIC_ERROR_MESSAGE,
  isAdminOpName,
  parseExportRequest,
  routeInvoke,
  toBridgeError,
  validateSender,
  isTrustedFrame,
} from '../../electron/main/ipc.ts';
import { AppError } from '../../core/errors.ts';
import { adminOps } from '../../shared/contract.ts';
import type { Via } from '../../core/daemon-types.ts';

const fileRoot = join('/opt', 'akc', 'out', 'renderer');
const page = pathToFileURL(join(fileRoot, 'index.html')).href;

describe('validateSender', () => {
  const built = { fileRoot };
  const dev = { fileRoot, devUrl: 'http://localhost:5173' };

  it.each([page, `${page}#/agents`, `${page}#/prompt`, `${page}?x=1#/approvals`])(
    'accepts our renderer page %s',
    (url) => {
      expect(validateSender(url, built)).toBe(true);
    },
  );

  it.each([
    ['another file in the renderer folder', pathToFileURL(join(fileRoot, 'other.html')).href],
    ['a file outside the renderer folder', 'file:///tmp/index.html'],
    ['a sibling folder reached through ..', `file://${fileRoot}/../renderer-evil/index.html`],
    ['the renderer folder itself', pathToFileURL(fileRoot).href],
    ['a file URL with a host', `file://evil.example${join(fileRoot, 'index.html')}`],
    ['an https page', 'https://evil.example/index.html'],
    ['an http page', 'http://127.0.0.1:7717/'],
    ['the dev server when not in dev mode', 'http://localhost:5173/'],
    ['about:blank', 'about:blank'],
    ['a data URL', 'data:text/html,<script>1</script>'],
    ['an empty string', ''],
    ['garbage', 'not a url'],
  ])('rejects %s', (_why, url) => {
    expect(validateSender(url, built)).toBe(false);
  });

  it('accepts the dev server origin in dev mode, with any route', () => {
    expect(validateSender('http://localhost:5173/', dev)).toBe(true);
    expect(validateSender('http://localhost:5173/#/approvals', dev)).toBe(true);
  });

  it.each([
    ['another port', 'http://localhost:5174/'],
    ['another host for the same machine', 'http://127.0.0.1:5173/'],
    ['https on the same host', 'https://localhost:5173/'],
    ['a remote site', 'https://evil.example/'],
  ])('rejects %s in dev mode', (_why, url) => {
    expect(validateSender(url, dev)).toBe(false);
  });

  it('still accepts the built page in dev mode', () => {
    expect(validateSender(page, dev)).toBe(true);
  });

  it('a non-http dev URL grants nothing', () => {
    expect(validateSender('javascript:alert(1)', { fileRoot, devUrl: 'javascript:alert(1)' })).toBe(false);
  });
});

type Call = { name: string; input: unknown; via: string };
function recordingDaemon(behaviour: (name: string, input: unknown) => unknown) {
  const calls: Call[] = [];
  return {
    calls,
    daemon: {
      dispatch: async (name: string, input: unknown, via: Via): Promise<never> => {
        calls.push({ name, input, via });
        await Promise.resolve();
        return behaviour(name, input) as never;
      },
    },
  };
}

describe('routeInvoke', () => {
  it('dispatches a contract operation with via "ipc" and returns its value', async () => {
    const { daemon, calls } = recordingDaemon(() => ({ agents: [] }));
    const result = await routeInvoke(daemon, 'agentsList', {});
    expect(result).toEqual({ ok: true, value: { agents: [] } });
    expect(calls).toEqual([{ name: 'agentsList', input: {}, via: 'ipc' }]);
  });

  it('passes a missing input as an empty object for the schema to judge', async () => {
    const { daemon, calls } = recordingDaemon(() => 'ok');
    await routeInvoke(daemon, 'status', undefined);
    expect(calls[0]?.input).toEqual({});
  });

  it.each([
    ['evalInMain'],
    ['__proto__'],
    ['constructor'],
    ['toString'],
    ['hasOwnProperty'],
    [''],
    [42],
    [null],
    [{ name: 'status' }],
  ])('rejects unknown operation %j with bad_request and never dispatches', async (name) => {
    const { daemon, calls } = recordingDaemon(() => 'ok');
    const result = await routeInvoke(daemon, name, {});
    expect(result).toEqual({ ok: false, error: { code: 'bad_request', message: 'Unknown operation.' } });
    expect(calls).toHaveLength(0);
  });

  it('accepts exactly the admin contract names', () => {
    for (const name of Object.keys(adminOps)) expect(isAdminOpName(name)).toBe(true);
    expect(isAdminOpName('agentsDeleteEverything')).toBe(false);
  });

  it('maps an AppError to its code, message and field path', async () => {
    const { daemon } = recordingDaemon(() => {
      throw new AppError('bad_request', 'must be a positive integer', { path: 'scopes.email.dailyLimit' });
    });
    const result = await routeInvoke(daemon, 'agentCreate', {
      name: 'x',
      scopes: { email: { dailyLimit: -1 } },
    });
    expect(result).toEqual({
      ok: false,
      error: { code: 'bad_request', message: 'must be a positive integer', path: 'scopes.email.dailyLimit' },
    });
  });

  it('maps an AppError without a path, leaving path out', async () => {
    const { daemon } = recordingDaemon(() => {
      throw new AppError('vault_locked', 'The vault is locked.');
    });
    const result = await routeInvoke(daemon, 'secretsList', {});
    expect(result).toEqual({ ok: false, error: { code: 'vault_locked', message: 'The vault is locked.' } });
  });

  it('hides the details of an unexpected error behind a generic message', async () => {
    const reported: string[] = [];
    const { daemon } = recordingDaemon(() => {
      throw new Error(
        'SQLITE_CORRUPT: database disk image is malformed at /home/owner/.local/share/agent-keychain/akc.db',
      );
    });
    const result = await routeInvoke(daemon, 'auditVerify', {}, (name) => reported.push(name));
    expect(result).toEqual({ ok: false, error: { code: 'internal_error', message: GENERIC_ERROR_MESSAGE } });
    expect(JSON.stringify(result)).not.toContain('SQLITE');
    expect(JSON.stringify(result)).not.toContain('/home/owner');
    expect(reported).toEqual(['auditVerify']);
  });

  it('hides Node system errors whose code is not a contract code', async () => {
    const { daemon } = recordingDaemon(() => {
      throw Object.assign(new Error("ENOENT: no such file, open '/secret/place'"), {
        code: 'ENOENT',
        path: '/secret/place',
      });
    });
    const result = await routeInvoke(daemon, 'status', {});
    expect(result).toEqual({ ok: false, error: { code: 'internal_error', message: GENERIC_ERROR_MESSAGE } });
  });

  it('never throws, whatever is thrown', async () => {
    for (const thrown of ['a string', 42, null, undefined, { code: 7 }]) {
      const { daemon } = recordingDaemon(() => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- non-Error throws are the case under test
        throw thrown;
      });
      await expect(routeInvoke(daemon, 'status', {})).resolves.toEqual({
        ok: false,
        error: { code: 'internal_error', message: GENERIC_ERROR_MESSAGE },
      });
    }
  });

  it('toBridgeError passes AppError-like objects with a contract code', () => {
    expect(toBridgeError({ code: 'not_found', message: 'No such agent.' })).toEqual({
      code: 'not_found',
      message: 'No such agent.',
    });
  });
});

describe('parseExportRequest', () => {
  it('accepts filters and a format', () => {
    expect(parseExportRequest({ agentId: 'agt_abc', action: 'proxy.*' }, 'csv')).toEqual({
      ok: true,
      value: { query: { agentId: 'agt_abc', action: 'proxy.*' }, format: 'csv' },
    });
  });

  it('treats a missing query as no filter', () => {
    expect(parseExportRequest(undefined, 'jsonl')).toEqual({
      ok: true,
      value: { query: {}, format: 'jsonl' },
    });
  });

  it('rejects an unknown format with the field path', () => {
    const r = parseExportRequest({}, 'xlsx');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'bad_request', path: 'format' });
  });

  it('rejects unknown filter fields (strict) and paging fields', () => {
    const unknown = parseExportRequest({ sql: 'drop table' }, 'csv');
    expect(unknown.ok).toBe(false);
    const paging = parseExportRequest({ cursor: '10' }, 'csv');
    expect(paging.ok).toBe(false);
  });
});

describe('isTrustedFrame', () => {
  const location = { fileRoot };
  it('accepts only the top frame of our page', () => {
    expect(isTrustedFrame({ url: page, parent: null }, location)).toBe(true);
    expect(isTrustedFrame({ url: page, parent: {} }, location)).toBe(false); // an iframe, even of our page
    expect(isTrustedFrame({ url: 'https://evil.example/', parent: null }, location)).toBe(false);
    expect(isTrustedFrame(null, location)).toBe(false);
    expect(isTrustedFrame(undefined, location)).toBe(false);
  });
});

describe('routeInvoke against the real core', () => {
  it('creates an agent, maps validation errors with their path, and maps core errors', async () => {
    const { startTestDaemon } = await import('../helpers/daemon.ts');
    const t = await startTestDaemon();
    try {
      const created = await routeInvoke(t.daemon, 'agentCreate', {
        name: 'ipc-bot',
        scopes: { vault: { readOnly: ['x'] } },
      });
      expect(created.ok).toBe(true);
      if (created.ok) expect((created.value as { token: string }).token).toMatch(/^akc_/);
      expect((await t.admin.agents.list()).map((a) => a.name)).toEqual(['ipc-bot']);
      const audit = (await t.admin.audit.list({ action: 'agent.created' })).entries[0];
      expect(audit?.facts).toMatchObject({ via: 'ipc' });

      const invalid = await routeInvoke(t.daemon, 'agentCreate', {
        name: 'x',
        scopes: { email: { allowedDomain: [] } },
      });
      expect(invalid).toMatchObject({
        ok: false,
        error: { code: 'bad_request', path: 'scopes.email.allowedDomain' },
      });

      await routeInvoke(t.daemon, 'vaultLock', {});
      const locked = await routeInvoke(t.daemon, 'secretPut', { name: 'k', value: 'secret-value-123' });
      expect(locked).toMatchObject({ ok: false, error: { code: 'vault_locked' } });
    } finally {
      await t.stop();
    }
  });
});
