// The approvals queue; "Deny all from <agent>" when several of one agent wait.
import type { ReactNode } from 'react';
import { BellRing } from 'lucide-react';
import type { ApprovalView } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { countByAgent } from '../approvalText.ts';
import { Empty } from '../ui/Empty.tsx';
import { ScreenHead } from '../ui/ScreenHead.tsx';
import { ApprovalPrompt, usePromptIds } from './ApprovalPrompt.tsx';

function QueuedPrompt({
  a,
  first,
  waiting,
}: {
  a: ApprovalView;
  first: boolean;
  waiting: number;
}): ReactNode {
  const ids = usePromptIds();
  return <ApprovalPrompt approval={a} ids={ids} autoFocus={first} waitingFromAgent={waiting} />;
}

export function ApprovalsScreen(): ReactNode {
  const approvals = useStore((s) => s.approvals);
  const denyAllFrom = useStore((s) => s.denyAllFrom);
  const byAgent = countByAgent(approvals);
  const multi = [...byAgent.entries()].filter(([, n]) => n > 1);

  return (
    <div className="screen">
      <ScreenHead
        title="Approvals"
        sub={
          approvals.length
            ? `${approvals.length} waiting, oldest first`
            : 'Requests that a rule holds for you appear here.'
        }
      >
        {multi.length > 0 && (
          <div className="head-actions">
            {multi.map(([agentId, n]) => {
              const name = approvals.find((a) => a.agentId === agentId)?.agentName ?? agentId;
              return (
                <button
                  key={agentId}
                  type="button"
                  className="btn"
                  onClick={() => void denyAllFrom(agentId)}
                  data-testid={`deny-all-${agentId}`}
                >
                  Deny all from {name} ({n})
                </button>
              );
            })}
          </div>
        )}
      </ScreenHead>
      {approvals.length === 0 ? (
        <Empty
          icon={<BellRing size={28} />}
          text="Nothing is waiting for you."
          action={
            <a href="#/activity" className="btn">
              See activity
            </a>
          }
        />
      ) : (
        <div className="queue">
          {approvals.map((a, i) => (
            <QueuedPrompt key={a.id} a={a} first={i === 0} waiting={byAgent.get(a.agentId) ?? 1} />
          ))}
        </div>
      )}
    </div>
  );
}
