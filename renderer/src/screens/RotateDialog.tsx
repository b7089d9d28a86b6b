// Rotate key: the one confirmation for every way in (the agent's button, the command palette), since it
// breaks the running agent; then the new key, shown once, in the same dialog. The token lives only here.
import { useEffect, useState, type ReactNode } from 'react';
import { useStore } from '../store/store.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { CredentialOnce } from './CredentialOnce.tsx';

export function RotateDialog(): ReactNode {
  const target = useStore((s) => s.rotateTarget);
  const agent = useStore((s) => s.agents.find((a) => a.id === target) ?? null);
  const openRotate = useStore((s) => s.openRotate);
  const rotateAgent = useStore((s) => s.rotateAgent);
  const toast = useStore((s) => s.toast);
  const [token, setToken] = useState<string | null>(null);

  useEffect(() => setToken(null), [target]);

  if (!target || !agent) return null;
  const close = (): void => {
    setToken(null);
    openRotate(null);
  };

  if (token)
    return (
      <Dialog
        open
        onCancel={close}
        labelledBy="rotated-title"
        className="dialog-wide"
        testId="rotated-dialog"
      >
        <CredentialOnce
          agent={agent}
          token={token}
          onDone={close}
          title={`New key for ${agent.name}`}
          headingId="rotated-title"
        />
      </Dialog>
    );
  return (
    <ConfirmDialog
      id="rotate"
      title={`Rotate the key of ${agent.name}`}
      description="Its current key stops working now and requests in flight are cut: the running agent fails until you give it the new key, which is shown once. Scopes, limits and history stay."
      action="Rotate key"
      busyAction="Rotating…"
      onConfirm={async () => {
        setToken(await rotateAgent(agent.id));
        toast(`New key for ${agent.name}; the old one stopped working`);
      }}
      onCancel={close}
      testId="rotate-dialog"
      confirmTestId="rotate-confirm"
    />
  );
}
