import { describe, expect, it } from 'vitest';
import { Scopes } from '../../shared/scopes.ts';
import {
  DEFAULT_VALUES,
  buildScopes,
  envLines,
  issuePath,
  previewSentences,
  validateScopesJson,
} from '../../renderer/src/scopeForm.ts';
import { coversText, endedNotice, processLine, programName } from '../../renderer/src/approvalText.ts';

describe('templates', () => {
  it('builds valid scopes from each template', () => {
    const llm = buildScopes('llm', {
      ...DEFAULT_VALUES,
      providerId: 'openai',
      models: 'gpt-4o-mini, gpt-4o',
      budgetUsd: '5',
    });
    expect(llm).toEqual({
      ok: true,
      scopes: {
        providers: { openai: { models: ['gpt-4o-mini', 'gpt-4o'], budget: { usd: 5, per: 'day' } } },
      },
    });
    const email = buildScopes('email', {
      ...DEFAULT_VALUES,
      providerId: 'resend',
      domains: 'Example.com gmail.com',
      dailyLimit: '50',
    });
    expect(email).toEqual({
      ok: true,
      scopes: { email: { provider: 'resend', allowedDomains: ['example.com', 'gmail.com'], dailyLimit: 50 } },
    });
    const pay = buildScopes('payments', {
      ...DEFAULT_VALUES,
      providerId: 'stripe',
      maxAmount: '42.50',
      currency: 'USD',
    });
    expect(pay).toEqual({
      ok: true,
      scopes: {
        payments: { provider: 'stripe', maxAmount: 4250, currency: 'usd', oneTime: true, approval: 'always' },
      },
    });
    const vault = buildScopes('vault', { ...DEFAULT_VALUES, secretName: 'crm_api_key', ttlMinutes: '60' });
    expect(vault).toEqual({ ok: true, scopes: { vault: { readOnly: ['crm_api_key'], ttlSeconds: 3600 } } });
    for (const r of [llm, email, pay, vault]) if (r.ok) expect(Scopes.safeParse(r.scopes).success).toBe(true);
  });

  it('names the wrong fields and still returns a draft', () => {
    const r = buildScopes('payments', {
      ...DEFAULT_VALUES,
      providerId: 'Stripe!',
      maxAmount: 'lots',
      currency: 'dollars',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.field).sort()).toEqual(['currency', 'maxAmount', 'providerId']);
      expect(r.draft.payments?.oneTime).toBe(true);
    }
  });
});

describe('scope JSON editor', () => {
  it('reports schema issues at their exact path', () => {
    const r = validateScopesJson(
      JSON.stringify({ providers: { openai: { models: [42], approvl: 'never' } } }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const paths = r.issues.map((i) => i.path);
      expect(paths).toContain('providers.openai.models[0]');
      expect(paths.some((p) => p === 'providers.openai')).toBe(true);
    }
  });
  it('reports JSON syntax errors and accepts valid scopes', () => {
    const bad = validateScopesJson('{ "email": ');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]?.path).toBe('(JSON)');
    expect(validateScopesJson('{"vault":{"readOnly":["a"]}}')).toEqual({
      ok: true,
      scopes: { vault: { readOnly: ['a'] } },
    });
  });
  it('formats odd keys in brackets', () => {
    expect(issuePath(['providers', 'my provider', 'paths', 2])).toBe('providers["my provider"].paths[2]');
    expect(issuePath([])).toBe('(top level)');
  });
});

describe('preview and environment lines', () => {
  it('describes scopes in sentences', () => {
    expect(
      previewSentences({ email: { allowedDomains: ['gmail.com', 'outlook.com'], dailyLimit: 50 } }),
    ).toEqual(['Can send up to 50 emails a day to gmail.com or outlook.com; anything else is refused.']);
    expect(
      previewSentences({
        payments: { maxAmount: 10000, currency: 'usd', oneTime: true, approval: 'always' },
      }),
    ).toEqual(['Can create one-time payments of up to $100.00 USD; each request needs your approval.']);
    expect(previewSentences({})).toEqual(['Can do nothing yet: every request will be refused.']);
  });

  it('writes SDK lines for OpenAI and Anthropic providers, AKC_* otherwise', () => {
    expect(envLines('http://127.0.0.1:7717/', 'akc_x', [{ id: 'openai', kind: 'openai' }])).toEqual([
      { name: 'OPENAI_BASE_URL', value: 'http://127.0.0.1:7717/v1/proxy/openai' },
      { name: 'OPENAI_API_KEY', value: 'akc_x' },
    ]);
    expect(
      envLines('http://h', 't', [{ id: 'claude', kind: 'anthropic' }]).map((l) => `${l.name}=${l.value}`),
    ).toEqual(['ANTHROPIC_BASE_URL=http://h/v1/proxy/claude', 'ANTHROPIC_API_KEY=t']);
    expect(envLines('http://h', 't', [{ id: 'stripe', kind: 'stripe' }])).toEqual([
      { name: 'AKC_URL', value: 'http://h' },
      { name: 'AKC_TOKEN', value: 't' },
    ]);
  });
});

describe('approval words', () => {
  it('says what a timed grant covers and who asks', () => {
    const facts = {
      type: 'proxy' as const,
      providerId: 'resend',
      providerKind: 'resend' as const,
      method: 'POST',
      path: '/emails',
      action: 'email.send' as const,
      recipients: ['bob@example.com', 'amy@example.com'],
    };
    expect(coversText({ agentName: 'mail-bot', actionKind: 'email.send', facts })).toBe(
      'mail-bot · send email · to example.com',
    );
    expect(
      coversText({
        agentName: 'v',
        actionKind: 'secret.read',
        facts: { type: 'secret', action: 'secret.read', name: 'crm' },
      }),
    ).toBe('v · read crm');
    expect(processLine({ pid: 4312, command: 'python3', parents: [], note: null })).toBe(
      'via python3 · pid 4312',
    );
    expect(
      processLine({ pid: 7, command: '/usr/bin/python3 /home/me/agent.py --x', parents: [], note: null }),
    ).toBe('via python3 · pid 7');
    expect(programName('C:\\Python\\python.exe run.py')).toBe('python.exe');
    expect(processLine({ pid: null, command: null, parents: [], note: 'no peer info' })).toBe(
      'process unknown',
    );
  });
});

describe('a prompt that ends without an answer says why', () => {
  it('names the request, the agent and what happened', () => {
    const a = { summary: 'Charge $42.00 USD', agentName: 'pay-bot' };
    expect(endedNotice(a, 'timeout')).toBe(
      '“Charge $42.00 USD” from pay-bot timed out and was denied: nobody answered before its deadline.',
    );
    expect(endedNotice(a, 'cancelled')).toMatch(
      /^“Charge \$42\.00 USD” from pay-bot is no longer waiting: .*Nothing was sent\.$/,
    );
  });
});
