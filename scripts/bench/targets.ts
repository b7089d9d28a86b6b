// The targets of docs/benchmarks.md by figure name, and how a figure's unit is read off its name:
// …PerSec → /s, …Ms → ms, …Seconds → s, …MB → MB, …Ratio → ×, …Count / …Pct / others as they are.
export interface TargetDef {
  text: string;
  met: (v: number) => boolean;
}

const EXACT: Record<string, TargetDef> = {
  'policy.realCounters.perSec': { text: '≥ 200,000/s', met: (v) => v >= 200_000 },
  'policy.agents.10000.to10Ratio': { text: '≥ 0.9× (within 10 %)', met: (v) => v >= 0.9 },
  'proxy.seq.added.p50Ms': { text: '≤ 0.35 ms', met: (v) => v <= 0.35 },
  'proxy.seq.added.p99Ms': { text: '≤ 1.5 ms', met: (v) => v <= 1.5 },
  'proxy.c32.proxiedToPassthroughRatio': { text: '≥ 0.5×', met: (v) => v >= 0.5 },
  'proxy.c32.cpuPerReqToPassthroughRatio': { text: '≤ 2×', met: (v) => v <= 2 },
  'proxy.listeners.1.toNoneRatio': { text: '≥ 0.9×', met: (v) => v >= 0.9 },
  'proxy.agents.10000.to10Ratio': { text: '≥ 0.9× (within 10 %)', met: (v) => v >= 0.9 },
  'soak.rssAt60sMB': { text: '≤ 150 MB', met: (v) => v <= 150 },
  'soak.rssGrowthMB': { text: '≤ 10 MB (flat)', met: (v) => v <= 10 },
  'proxy.errorsCount': { text: '0', met: (v) => v === 0 },
  'revoke.upstreamAfterRevokeCount': { text: '0', met: (v) => v === 0 },
  'revoke.auditAllowsAfterRevokeCount': { text: '0', met: (v) => v === 0 },
  'revoke.a2xxSentAfterRevokeCount': { text: '0', met: (v) => v === 0 },
  'revoke.streamCutMs': { text: '≤ 50 ms', met: (v) => v <= 50 },
  'revoke.bSuccessAfterPct': { text: '100 %', met: (v) => v === 100 },
  'startup.readyLine.medianMs': { text: '≤ 1000 ms', met: (v) => v <= 1000 },
  'startup.daemonJson.medianMs': { text: '≤ 1000 ms', met: (v) => v <= 1000 },
  'audit.append.perSec': { text: '≥ 20,000/s', met: (v) => v >= 20_000 },
  'audit.verify.ok': { text: '1', met: (v) => v === 1 },
  'audit.verifyAfterRestart.incrementalMs': { text: '≤ 1000 ms', met: (v) => v <= 1000 },
  'audit10m.checkAtUnlockMs': { text: '≤ 1000 ms', met: (v) => v <= 1000 },
  'audit10m.verifyIncremental10kNewMs': { text: '≤ 1000 ms', met: (v) => v <= 1000 },
  'startup.audit10mAgents10k.readyLine.medianMs': { text: '≤ 1000 ms', met: (v) => v <= 1000 },
  'audit.groupCommit.perSec': { text: '≥ 20,000/s', met: (v) => v >= 20_000 },
  'audit.groupCommit.verifyOk': { text: '1', met: (v) => v === 1 },
  'approval.sseSeen.p50Ms': { text: '≤ 50 ms', met: (v) => v <= 50 },
  'approval.sseSeen.maxMs': { text: '≤ 50 ms', met: (v) => v <= 50 },
};

export function targetFor(key: string): TargetDef | undefined {
  const exact = EXACT[key];
  if (exact) return exact;
  if (key.startsWith('audit.query.') && key.endsWith('Ms')) return { text: '≤ 20 ms', met: (v) => v <= 20 };
  return undefined;
}

function grouped(v: number, digits: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatValue(key: string, v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (key.endsWith('PerSec') || key.endsWith('perSec')) return `${grouped(v, 0)}/s`;
  if (key.endsWith('Ms')) return `${v.toFixed(3)} ms`;
  if (key.endsWith('Seconds') || key.endsWith('seconds')) return `${v.toFixed(2)} s`;
  if (key.endsWith('MB')) return `${v.toFixed(1)} MB`;
  if (key.endsWith('Ratio')) return `${v.toFixed(2)}×`;
  if (key.endsWith('Pct')) return `${v.toFixed(2)} %`;
  return grouped(v, Number.isInteger(v) ? 0 : 2);
}
