import { describe, expect, it } from 'vitest';
import { AuditQuery } from '../../shared/contract.ts';
import type { AuditEntry } from '../../shared/models.ts';
import {
  entryMatches,
  entryText,
  filterToParams,
  formatQualifiers,
  paramsToFilter,
  parseQualifiers,
  toAuditQuery,
} from '../../renderer/src/activityQuery.ts';
import { makeEmailEntry } from './view-fixtures.ts';

const AGENTS = [
  { id: 'agt_mail1', name: 'mail-bot' },
  { id: 'agt_res2', name: 'research bot' },
];
const NOW = Date.parse('2025-06-01T12:00:00Z');

function entry(over: Partial<AuditEntry>): AuditEntry {
  return makeEmailEntry({
    time: '2025-06-01T11:59:00.000Z',
    agentId: 'agt_mail1',
    agentName: 'mail-bot',
    latencyMs: 3,
    ...over,
  });
}

describe('qualifier search', () => {
  it('maps qualifiers to an AuditQuery the contract accepts', () => {
    const { filter, errors } = parseQualifiers('agent:mail-bot outcome:denied action:email.* since:1h');
    expect(errors).toEqual([]);
    expect(filter).toEqual({ agent: 'mail-bot', outcome: 'denied', action: 'email.*', since: '1h' });
    const r = toAuditQuery(filter, AGENTS, NOW);
    expect(r).toEqual({
      ok: true,
      query: {
        agentId: 'agt_mail1',
        decision: 'denied',
        action: 'email.*',
        since: '2025-06-01T11:00:00.000Z',
      },
    });
    if (r.ok) expect(AuditQuery.safeParse(r.query).success).toBe(true);
  });

  it('accepts friendly outcome words and quoted agent names', () => {
    expect(parseQualifiers('outcome:blocked').filter.outcome).toBe('deny');
    expect(parseQualifiers('outcome:allowed').filter.outcome).toBe('allow');
    expect(parseQualifiers('outcome:timed-out').filter.outcome).toBe('timeout');
    const { filter } = parseQualifiers('agent:"research bot" gpt-4o');
    expect(filter).toEqual({ agent: 'research bot', text: 'gpt-4o' });
    expect(toAuditQuery(filter, AGENTS, NOW)).toEqual({ ok: true, query: { agentId: 'agt_res2' } });
  });

  it('reports unknown qualifiers and bad values instead of dropping them', () => {
    const r = parseQualifiers('colour:red outcome:maybe action:EMAIL!! since:yesterdayish');
    expect(r.errors).toHaveLength(4);
    expect(r.filter).toEqual({});
    expect(toAuditQuery({ agent: 'ghost' }, AGENTS, NOW)).toEqual({
      ok: false,
      error: 'No agent named "ghost".',
    });
  });

  it('passes agent ids through and resolves ISO dates', () => {
    const r = toAuditQuery({ agent: 'agt_zzz', until: '2025-05-01' }, [], NOW);
    expect(r).toEqual({ ok: true, query: { agentId: 'agt_zzz', until: '2025-05-01T00:00:00.000Z' } });
  });

  it('round-trips filters through the search box and the URL', () => {
    const f = {
      agent: 'research bot',
      outcome: 'deny' as const,
      action: 'proxy.*',
      since: '7d',
      text: 'gpt',
    };
    expect(parseQualifiers(formatQualifiers(f)).filter).toEqual(f);
    expect(paramsToFilter(filterToParams(f))).toEqual(f);
    expect(filterToParams({ agent: 'mail-bot', outcome: 'denied' })).toBe('agent=mail-bot&outcome=denied');
  });

  it('drops unreadable URL values', () => {
    expect(paramsToFilter('outcome=nope&action=A%20B&since=soon&agent=x')).toEqual({ agent: 'x' });
  });
});

describe('entries', () => {
  it('matches live entries against the loaded query', () => {
    const e = entry({ seq: 5 });
    expect(entryMatches(e, {})).toBe(true);
    expect(entryMatches(e, { agentId: 'agt_mail1', action: 'email.*', decision: 'allow' })).toBe(true);
    expect(entryMatches(e, { action: 'email.send' })).toBe(true);
    expect(entryMatches(e, { action: 'email' })).toBe(false);
    expect(entryMatches(e, { action: 'proxy.*' })).toBe(false);
    expect(entryMatches(e, { agentId: 'agt_other' })).toBe(false);
    expect(entryMatches(e, { decision: 'deny' })).toBe(false);
    expect(entryMatches(e, { since: '2025-06-01T11:59:30Z' })).toBe(false);
    expect(entryMatches(e, { until: '2025-06-01T11:58:00Z' })).toBe(false);
  });

  it('writes the plain-text half of a row from typed facts', () => {
    expect(
      entryText(
        entry({
          action: 'proxy.request',
          path: '/chat/completions',
          facts: { model: 'gpt-4o-mini' },
          costUsd: 0.0004,
        }),
      ),
    ).toBe('POST /chat/completions · gpt-4o-mini · $0.0004');
    expect(entryText(entry({ facts: { recipients: ['a@x.com', 'b@y.com', 'c@z.com'] } }))).toBe(
      'POST /emails · to a@x.com, b@y.com +1',
    );
    expect(entryText(entry({ path: '/v1/payment_intents', facts: { amount: 4200, currency: 'usd' } }))).toBe(
      'POST /v1/payment_intents · $42.00 USD',
    );
    expect(
      entryText(entry({ method: null, path: null, facts: { type: 'secret', name: 'crm_api_key' } })),
    ).toBe('read crm_api_key');
    expect(entryText(entry({ method: null, path: null, facts: { name: 'openai' } }))).toBe('openai');
    expect(
      entryText(
        entry({
          actor: 'owner',
          action: 'agent.rotated',
          method: null,
          path: null,
          rule: 'New credential akc_…hv2q',
        }),
      ),
    ).toBe('New credential akc_…hv2q');
    expect(
      entryText(
        entry({ actor: 'owner', action: 'agent.revoked', method: null, path: null, reason: 'agent.revoked' }),
      ),
    ).toBe('');
  });
});
