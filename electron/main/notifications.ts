// OS notifications only announce ("Approval needed: mail-bot"); the decision is always made in our window,
// because notification action buttons are unreliable on Linux and unpackaged Windows builds.
import { Notification } from 'electron';
import type { ApprovalView } from '../../shared/models.ts';

export function createApprovalNotifier(openApprovals: () => void): (approval: ApprovalView) => void {
  // Referenced until closed or clicked: a garbage-collected Notification loses its click handler.
  const live = new Set<Notification>();
  return (approval) => {
    if (!Notification.isSupported()) return;
    const n = new Notification({
      title: `Approval needed: ${approval.agentName}`,
      // No request details on the lock screen; the window shows them.
      body: 'Open Agent Keychain to approve or deny.',
      silent: false,
    });
    live.add(n);
    n.on('click', () => {
      live.delete(n);
      openApprovals();
    });
    n.on('close', () => live.delete(n));
    n.show();
  };
}
