import { describe, expect, it } from 'vitest';
import { Scopes } from '../../shared/scopes.ts';
import { buildFromDraft, draftFromScopes, templateDraft } from '../../renderer/src/scopeDraft.ts';
import { changeSummary, diffScopes } from '../../shared/scope-diff.ts';
import {
  didYouMean,
  envLines,
  issuePath,
  previewSentences,
  validateScopesJson,
} from '../../renderer/src/scopeForm.ts';
import { coversText, endedNotice, processLine, programName } from '../../renderer/src/approvalText.ts';
import { readmeOpenai } from './scope-fixtures.ts';

describe('the agent form draft (New agent and Edit share it)', () => {
  it('builds valid scopes from each template', () => {
    const llm = templateDraft('llm', 'openai');
    const p0 = llm.providers[0];
    if (!p0) throw new Error('no provider section');
    const r1 = buildFromDraft({
      ...llm,
      providers: [{ ...p0, models: 'gpt-4o-mini, gpt-4o', budgetUsd: '5' }],
    });
    expect(r1).toEqual({
      ok: true,
      scopes: {
        providers: { openai: { models: ['gpt-4o-mini', 'gpt-4o'], budget: { usd: 5, per: 'day' } } },
      },
    });
    const email = templateDraft('email', 'resend');
    if (!email.email) throw new Error('no email section');
    expect(
      buildFromDraft({
        ...email,
        email: { ...email.email, domains: 'Example.com gmail.com', dailyLimit: '50' },
      }),
    ).toEqual({
      ok: true,
      scopes: { email: { provider: 'resend', allowedDomains: ['example.com', 'gmail.com'], dailyLimit: 50 } },
    });
    const pay = templateDraft('payments', 'stripe');
    if (!pay.payments) throw new Error('no payments section');
    expect(
      buildFromDraft({ ...pay, payments: { ...pay.payments, maxAmount: '42.50', currency: 'USD' } }),
    ).toEqual({
      ok: true,
      scopes: {
        payments: { oneTime: true, provider: 'stripe', maxAmount: 4250, currency: 'usd', approval: 'always' },
      },
    });
    const vault = templateDraft('vault');
    if (!vault.vault) throw new Error('no vault section');
    expect(buildFromDraft({ ...vault, vault: { secrets: 'crm_api_key', ttlMinutes: '60' } })).toEqual({
      ok: true,
      scopes: { vault: { readOnly: ['crm_api_key'], ttlSeconds: 3600 } },
    });
  });

  it('names the wrong fields and still returns a draft', () => {
    const d = templateDraft('payments', 'Stripe!');
    if (!d.payments) throw new Error('no payments section');
    const r = buildFromDraft({ ...d, payments: { ...d.payments, maxAmount: 'lots', currency: 'dollars' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.key).sort()).toEqual(['payments.currency', 'payments.maxAmount']);
      expect(r.draft.payments?.oneTime).toBe(true);
    }
    const llm = templateDraft('llm', '');
    const bad = buildFromDraft(llm);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]?.key).toBe(`p${llm.providers[0]?.uid ?? 0}.providerId`);
  });

  it('scopes → form → scopes keeps every field, also those the form does not show', () => {
    const scopes: Scopes = {
      providers: {
        openai: { ...readmeOpenai, budget: { usd: 2, per: 'week' }, approval: { above: 50 } },
        anthropic: { approval: 'first-use' },
      },
      email: { provider: 'resend', allowedAddresses: ['bob@example.com'], dailyLimit: 5, approval: 'always' },
      payments: {
        provider: 'stripe',
        maxAmount: 10000,
        currency: 'usd',
        oneTime: true,
        dailyLimit: 3,
        approval: 'never',
      },
      vault: { readOnly: ['crm_api_key'], ttlSeconds: 3600, approval: 'always' },
    };
    const back = buildFromDraft(draftFromScopes(scopes));
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.scopes).toEqual(scopes);
  });

  it('the form edits what it shows: models, budget and the approval rule per provider', () => {
    const d = draftFromScopes({
      providers: { openai: { models: ['gpt-4o-mini'], budget: { usd: 2, per: 'day' } } },
    });
    const p = d.providers[0];
    if (!p) throw new Error('no section');
    const r = buildFromDraft({
      ...d,
      providers: [{ ...p, models: 'gpt-4o-mini, gpt-4.1', budgetUsd: '5', approval: 'above', above: '0.25' }],
    });
    expect(r).toEqual({
      ok: true,
      scopes: {
        providers: {
          openai: {
            models: ['gpt-4o-mini', 'gpt-4.1'],
            budget: { usd: 5, per: 'day' },
            approval: { above: 25 },
          },
        },
      },
    });
  });
});

describe('what an edit changes', () => {
  it('lists added models and a raised budget as widening, in words', () => {
    const d = diffScopes(
      { providers: { openai: { models: ['gpt-4o-mini'], budget: { usd: 2, per: 'day' } } } },
      { providers: { openai: { models: ['gpt-4o-mini', 'gpt-4.1'], budget: { usd: 5, per: 'day' } } } },
    );
    expect(d.changes.map((c) => c.text)).toEqual([
      'openai models: + gpt-4.1',
      'openai budget $2.00 a day → $5.00 a day',
    ]);
    expect(d.widens).toBe(true);
    expect(changeSummary(d.changes)).toBe(
      'openai models: + gpt-4.1, openai budget $2.00 a day → $5.00 a day',
    );
  });

  it('narrowing is not widening; relaxing an approval rule is', () => {
    const narrow = diffScopes(
      {
        providers: { openai: { models: ['a', 'b'], budget: { usd: 5, per: 'day' } } },
        email: { dailyLimit: 5 },
      },
      { providers: { openai: { models: ['a'], budget: { usd: 1, per: 'day' } } } },
    );
    expect(narrow.widens).toBe(false);
    expect(narrow.changes.map((c) => c.text)).toContain('− email sending');
    const relax = diffScopes(
      { payments: { maxAmount: 100, currency: 'usd', approval: 'always' } },
      { payments: { maxAmount: 100, currency: 'usd', approval: { above: 5000 } } },
    );
    expect(relax.changes.map((c) => c.text)).toEqual(['payments approval always → above $50.00 USD']);
    expect(relax.widens).toBe(true);
    const anyModel = diffScopes({ providers: { openai: { models: ['a'] } } }, { providers: { openai: {} } });
    expect(anyModel.widens).toBe(true);
    expect(diffScopes({}, { vault: { readOnly: ['x'] } }).widens).toBe(true);
    expect(diffScopes({ vault: { readOnly: ['x'] } }, { vault: { readOnly: ['x'] } }).changes).toEqual([]);
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
    if (!bad.ok) expect(bad.issues[0]?.path).toMatch(/^\(JSON/);
    expect(validateScopesJson('{"vault":{"readOnly":["a"]}}')).toEqual({
      ok: true,
      scopes: { vault: { readOnly: ['a'] } },
    });
  });
  it('says what is allowed: "did you mean", the approval values, the line of a syntax error', () => {
    const typo = validateScopesJson(JSON.stringify({ providers: { openai: { aproval: 'never' } } }));
    expect(typo.ok).toBe(false);
    if (!typo.ok) {
      expect(typo.issues[0]?.message).toContain('Unknown field "aproval". Did you mean "approval"?');
      expect(typo.issues[0]?.message).toContain(
        'Allowed here: models, methods, paths, rateLimit, budget, approval',
      );
    }
    const value = validateScopesJson(JSON.stringify({ email: { approval: 'sometimes' } }));
    expect(value.ok).toBe(false);
    if (!value.ok)
      expect(value.issues[0]?.message).toBe('must be "never", "always", "first-use" or {"above": <amount>}');
    const syntax = validateScopesJson('{\n  "email": {\n    "dailyLimit": 5,\n  }\n}');
    expect(syntax.ok).toBe(false);
    if (!syntax.ok) expect(syntax.issues[0]?.line).toBe(4);
    expect(didYouMean('payment', ['providers', 'email', 'payments', 'vault'])).toBe('payments');
    expect(didYouMean('zzzz', ['providers', 'email'])).toBeNull();
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
