// Policy engine: decide() itself — action keys, no mutation of its input, the same input gives the same decision.
import { describe, expect, it } from 'vitest';
import { actionKeyOf, decide } from '../../core/policy/engine.ts';
import { MemoryCounters, NOW, card, llm, mail, makeAgent, payment, run, secret } from './policy-fixtures.ts';
import { MINUTE_START, openai, mailScope, pay, vault } from './policy-table.ts';

describe('decide() contract', () => {
  it('action keys', () => {
    expect(actionKeyOf(secret('crm_api_key'))).toBe('secret.read:crm_api_key');
    expect(actionKeyOf(mail(['a@b.co']))).toBe('email.send:resend');
    expect(actionKeyOf(payment())).toBe('payment.create:stripe');
    const d = run(openai, llm({ estimatedUsd: 0.01 }));
    expect(d.outcome === 'allow' && d.actionKey).toBe('llm.request:openai');
  });

  it('does not mutate its input (works on deeply frozen input)', () => {
    const deepFreeze = <T>(o: T): T => {
      if (o !== null && typeof o === 'object') {
        for (const v of Object.values(o)) deepFreeze(v);
        Object.freeze(o);
      }
      return o;
    };
    const agent = deepFreeze(makeAgent({ ...openai, ...mailScope, ...pay, ...vault }));
    const inputs = [
      llm({ estimatedUsd: 0.01 }),
      mail(['bob@gmail.com']),
      payment(),
      card(),
      secret('crm_api_key'),
    ].map((f) => deepFreeze(f));
    for (const facts of inputs) {
      const d = decide({ agent, facts, counters: new MemoryCounters(), grants: deepFreeze([]), now: NOW });
      expect(d.outcome).toBe('allow');
    }
  });

  it('the same input gives the same decision', () => {
    const store = new MemoryCounters().set('rate:openai', MINUTE_START, { count: 10 });
    const a = run(openai, llm({ model: 'gpt-4o' }), { counters: store });
    const b = run(openai, llm({ model: 'gpt-4o' }), { counters: store });
    expect(a).toEqual(b);
  });
});
