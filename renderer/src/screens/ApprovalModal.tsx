// In the console, a new approval opens as a modal alertdialog over whatever screen is shown (except the
// Approvals screen itself, which lists them). Also the body of the desktop app's compact prompt window.
import { useRef, type ReactNode } from 'react';
import { useStore } from '../store/store.ts';
import { countByAgent } from '../approvalText.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { ApprovalPrompt, usePromptIds } from './ApprovalPrompt.tsx';

export function ApprovalModal(): ReactNode {
  const approvals = useStore((s) => s.approvals);
  const decide = useStore((s) => s.decide);
  const head = approvals[0] ?? null;
  const denyRef = useRef<HTMLButtonElement>(null);
  const shown = useRef({ id: '', at: 0 });
  const ids = usePromptIds();
  if (!head) return null;
  if (shown.current.id !== head.id) shown.current = { id: head.id, at: Date.now() };
  const onCancel = (): void => {
    // Esc with focus outside the prompt body (e.g. on the queue link): deny, after the first second.
    if (Date.now() - shown.current.at >= 1000) void decide(head.id, 'deny').catch(() => undefined);
  };
  const waiting = countByAgent(approvals).get(head.agentId) ?? 1;
  return (
    <Dialog
      key={head.id}
      open
      // Esc inside the prompt is handled there; the native cancel must never just close the prompt.
      onCancel={onCancel}
      role="alertdialog"
      labelledBy={ids.title}
      describedBy={ids.desc}
      initialFocus={denyRef}
      className="dialog-prompt"
      testId={`approval-${head.id}`}
    >
      <ApprovalPrompt approval={head} ids={ids} inDialog denyRef={denyRef} waitingFromAgent={waiting} />
      {approvals.length > 1 && (
        <p className="prompt-queue small muted">
          {approvals.length - 1} more waiting ·{' '}
          <a href="#/approvals" className="link">
            Open the queue
          </a>
        </p>
      )}
    </Dialog>
  );
}

export function PromptWindow(): ReactNode {
  const approvals = useStore((s) => s.approvals);
  const head = approvals[0] ?? null;
  const ids = usePromptIds();
  if (!head) {
    return (
      <main className="prompt-window">
        <p className="muted">Nothing is waiting for you.</p>
      </main>
    );
  }
  return (
    <main className="prompt-window">
      <ApprovalPrompt
        key={head.id}
        approval={head}
        ids={ids}
        autoFocus
        waitingFromAgent={countByAgent(approvals).get(head.agentId) ?? 1}
      />
      {approvals.length > 1 && (
        <p className="prompt-queue small muted">{approvals.length - 1} more waiting after this one</p>
      )}
    </main>
  );
}
