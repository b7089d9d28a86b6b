import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatCountdown,
  formatDuration,
  formatMinor,
  formatUsd,
  maskedHint,
  meterIsHigh,
  meterText,
  relativeTime,
  toMinor,
} from '../../renderer/src/format.ts';
import { tabTitle, parseRoute, formatRoute } from '../../renderer/src/routes.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

describe('relativeTime', () => {
  it('reads past times in the largest whole unit', () => {
    expect(relativeTime(ago(2_000), NOW)).toBe('just now');
    expect(relativeTime(ago(42_000), NOW)).toBe('42 s ago');
    expect(relativeTime(ago(3 * 60_000 + 5_000), NOW)).toBe('3 min ago');
    expect(relativeTime(ago(5 * 3_600_000), NOW)).toBe('5 h ago');
    expect(relativeTime(ago(30 * 3_600_000), NOW)).toBe('yesterday');
    expect(relativeTime(ago(4 * 86_400_000), NOW)).toBe('4 d ago');
  });
  it('reads future times as "in …" and falls back to a date after a month', () => {
    expect(relativeTime(ago(-14 * 60_000), NOW)).toBe('in 14 min');
    expect(relativeTime(ago(-3_000), NOW)).toBe('just now');
    expect(relativeTime(ago(60 * 86_400_000), NOW)).toMatch(/2025/);
    expect(relativeTime('not a date', NOW)).toBe('—');
  });
});

describe('durations and counts', () => {
  it('formats countdowns and durations', () => {
    expect(formatCountdown(58_000)).toBe('0:58');
    expect(formatCountdown(57_100)).toBe('0:58');
    expect(formatCountdown(-5)).toBe('0:00');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
    expect(formatDuration(12_000)).toBe('12 s');
    expect(formatDuration(125 * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400_000)).toBe('3 d');
    expect(formatCount(12034)).toBe('12,034');
  });
  it('titles the tab with the waiting count', () => {
    expect(tabTitle(0)).toBe('Agent Keychain');
    expect(tabTitle(2)).toBe('(2) Agent Keychain');
  });
});

describe('money', () => {
  it('formats minor units per currency', () => {
    expect(formatMinor(4200, 'usd')).toBe('$42.00 USD');
    expect(formatMinor(10000, 'USD')).toBe('$100.00 USD');
    expect(formatMinor(4200, 'jpy')).toBe('¥4,200 JPY');
  });
  it('converts typed amounts to minor units and refuses what it cannot read', () => {
    expect(toMinor('25', 'usd')).toBe(2500);
    expect(toMinor('25.5', 'usd')).toBe(2550);
    expect(toMinor('0.01', 'usd')).toBe(1);
    expect(toMinor('4200', 'jpy')).toBe(4200);
    expect(toMinor('1.234', 'usd')).toBeNull();
    expect(toMinor('0', 'usd')).toBeNull();
    expect(toMinor('-3', 'usd')).toBeNull();
    expect(toMinor('1e3', 'usd')).toBeNull();
  });
  it('shows tiny costs with enough digits', () => {
    expect(formatUsd(0.0004)).toBe('$0.0004');
    expect(formatUsd(5)).toBe('$5.00');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
  });
});

describe('meters and hints', () => {
  it('turns amber from 80 %', () => {
    expect(meterIsHigh({ used: 15, limit: 20 })).toBe(false);
    expect(meterIsHigh({ used: 16, limit: 20 })).toBe(true);
    expect(meterIsHigh({ used: 0, limit: 0 })).toBe(true);
  });
  it('prints compact meter text', () => {
    expect(meterText({ used: 14, limit: 20, unit: 'emails' })).toBe('14/20');
    expect(meterText({ used: 118, limit: 200, unit: 'usd' })).toBe('$118/$200');
    expect(meterText({ used: 1.5, limit: 5, unit: 'usd' })).toBe('$1.50/$5');
  });
  it('masks key hints to the last four characters', () => {
    expect(maskedHint('abcd')).toBe('••••abcd');
    expect(maskedHint('xyzabcd')).toBe('••••abcd');
  });
});

describe('routes', () => {
  it('parses and formats hash routes', () => {
    expect(parseRoute('#/agents/agt_abc123')).toEqual({ name: 'agents', agentId: 'agt_abc123' });
    expect(parseRoute('#/agents/new')).toEqual({ name: 'agent-new' });
    expect(parseRoute('#/agents/../../x')).toEqual({ name: 'agents', agentId: null });
    expect(parseRoute('#/activity?agent=mail-bot&outcome=denied')).toEqual({
      name: 'activity',
      params: 'agent=mail-bot&outcome=denied',
    });
    expect(parseRoute('')).toEqual({ name: 'agents', agentId: null });
    expect(formatRoute({ name: 'activity', params: 'a=1' })).toBe('#/activity?a=1');
    expect(formatRoute({ name: 'agents', agentId: 'agt_x' })).toBe('#/agents/agt_x');
  });
});
