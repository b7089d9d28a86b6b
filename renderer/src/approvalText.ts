// Words for approval prompts: what a timed grant would cover, who asks, how long is left. Pure and DOM-free.
import type { ApprovalView } from '../../shared/models.ts';
import { formatMinor } from './format.ts';

const ACTION_WORDS: Record<string, string> = {
  'llm.request': 'call the model',
  'email.send': 'send email',
  'payment.create': 'create payments',
  'card.create': 'create cards',
  'http.request': 'make requests',
  'secret.read': 'read secret',
};

export function actionWords(kind: string): string {
  return ACTION_WORDS[kind] ?? kind;
}

function domainsOf(recipients: readonly string[]): string[] {
  return [...new Set(recipients.map((r) => r.slice(r.lastIndexOf('@') + 1)).filter(Boolean))];
}

/** What "Approve for N min" would cover, in words: "mail-bot · send email · to example.com". */
export function coversText(a: Pick<ApprovalView, 'agentName' | 'actionKind' | 'facts'>): string {
  const parts = [a.agentName, actionWords(a.actionKind)];
  const f = a.facts;
  if (f.type === 'secret') parts[1] = `read ${f.name}`;
  else {
    if (f.recipients?.length) parts.push(`to ${domainsOf(f.recipients).join(', ')}`);
    else if (f.model) parts.push(f.model);
    else if (typeof f.amount === 'number' && f.currency)
      parts.push(`up to ${formatMinor(f.amount, f.currency)}`);
    else parts.push(`${f.method} ${f.path}`);
  }
  return parts.join(' · ');
}

/** The program name of a command line: "/usr/bin/python3 agent.py" → "python3". */
export function programName(command: string): string {
  const first = command.trim().split(/\s+/)[0] ?? '';
  return first.slice(Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\')) + 1) || command;
}

/** "via python3 · pid 4312" or "process unknown"; the full command line goes in the popover. */
export function processLine(p: ApprovalView['process']): string {
  if (p.pid === null) return 'process unknown';
  return `via ${p.command ? programName(p.command) : 'unknown program'} · pid ${p.pid}`;
}

/** Approvals grouped by agent, in arrival order: for "Deny all from <agent>". */
export function countByAgent(approvals: readonly Pick<ApprovalView, 'agentId'>[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of approvals) m.set(a.agentId, (m.get(a.agentId) ?? 0) + 1);
  return m;
}

/**
 * What the owner is told when a prompt ends without their answer: the request timed out (and was denied at the
 * server's deadline), or it was withdrawn (the agent hung up or exited, was revoked or suspended, or was cut).
 */
export function endedNotice(
  a: Pick<ApprovalView, 'summary' | 'agentName'>,
  decision: 'timeout' | 'cancelled',
): string {
  return decision === 'timeout'
    ? `“${a.summary}” from ${a.agentName} timed out and was denied: nobody answered before its deadline.`
    : `“${a.summary}” from ${a.agentName} is no longer waiting: the agent hung up or exited, or was revoked, suspended or cut off. Nothing was sent.`;
}
