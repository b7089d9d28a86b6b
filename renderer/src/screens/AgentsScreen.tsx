// Agents: list and detail side by side. Each row has a red-outlined Revoke button.
import { useMemo, type ReactNode } from 'react';
import { Bot, Plus } from 'lucide-react';
import type { AgentView } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { relativeTime, absoluteTime } from '../format.ts';
import { StatusPill } from '../ui/Pill.tsx';
import { Meter } from '../ui/Meter.tsx';
import { Empty } from '../ui/Empty.tsx';
import { ScreenHead } from '../ui/ScreenHead.tsx';
import { useNow } from '../ui/hooks.ts';
import { AgentDetail } from './AgentDetail.tsx';
import { GettingStarted } from './GettingStarted.tsx';

const ORDER: Record<AgentView['status'], number> = { active: 0, suspended: 1, expired: 2, revoked: 3 };

function sortAgents(list: readonly AgentView[]): AgentView[] {
  return list.slice().sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.name.localeCompare(b.name));
}

export function NewAgentButton(): ReactNode {
  return (
    <a href="#/agents/new" className="btn btn-primary" data-testid="new-agent">
      <Plus size={15} aria-hidden="true" />
      New agent
    </a>
  );
}

function AgentRow({ agent, selected, now }: { agent: AgentView; selected: boolean; now: number }): ReactNode {
  const openRevoke = useStore((s) => s.openRevoke);
  const dead = agent.status === 'revoked' || agent.status === 'expired';
  return (
    <li
      className={`agent-row ${selected ? 'agent-row-selected' : ''} ${dead ? 'agent-row-dead' : ''}`}
      data-testid={`agent-row-${agent.id}`}
    >
      <a
        href={`#/agents/${agent.id}`}
        className="agent-row-main"
        aria-current={selected ? 'true' : undefined}
      >
        <span className="agent-row-top">
          <span className="agent-name">{agent.name}</span>
          <StatusPill status={agent.status} />
        </span>
        <span
          className="agent-row-seen muted small"
          title={agent.lastSeenAt ? absoluteTime(agent.lastSeenAt) : undefined}
        >
          {agent.lastSeenAt ? `Last seen ${relativeTime(agent.lastSeenAt, now)}` : 'Never seen'}
        </span>
        {agent.usage.length > 0 && !dead && (
          <span className="agent-row-meters">
            {agent.usage.slice(0, 2).map((m) => (
              <Meter key={m.key} m={m} />
            ))}
          </span>
        )}
      </a>
      {!dead && (
        <button
          type="button"
          className="btn btn-sm btn-danger-outline"
          aria-label={`Revoke ${agent.name}`}
          data-testid={`revoke-${agent.id}`}
          onClick={() => openRevoke({ agentId: agent.id })}
        >
          Revoke
        </button>
      )}
    </li>
  );
}

export function AgentsScreen({ agentId }: { agentId: string | null }): ReactNode {
  const agents = useStore((s) => s.agents);
  const providers = useStore((s) => s.providers.length);
  const now = useNow(30_000);
  const sorted = useMemo(() => sortAgents(agents), [agents]);
  const selectedId = agentId ?? sorted[0]?.id ?? null;
  const selected = sorted.find((a) => a.id === selectedId) ?? null;
  const active = agents.filter((a) => a.status === 'active').length;

  return (
    <div className="screen">
      <ScreenHead
        title="Agents"
        sub={
          agents.length ? `${active} active of ${agents.length}` : 'Each agent gets its own key and scopes.'
        }
      >
        <NewAgentButton />
      </ScreenHead>
      <GettingStarted />
      {agents.length === 0 ? (
        providers === 0 ? null : (
          <Empty
            icon={<Bot size={28} />}
            text="No agents yet. Create one to give a script its own key."
            action={
              <a href="#/agents/new" className="btn btn-primary">
                <Plus size={15} aria-hidden="true" />
                New agent
              </a>
            }
          />
        )
      ) : (
        <div className="split">
          <ul className="agent-list" aria-label="Agents">
            {sorted.map((a) => (
              <AgentRow key={a.id} agent={a} selected={a.id === selectedId} now={now} />
            ))}
          </ul>
          <section className="detail" aria-label="Agent details">
            {selected ? <AgentDetail agent={selected} /> : <p className="muted">Agent not found.</p>}
          </section>
        </div>
      )}
    </div>
  );
}
