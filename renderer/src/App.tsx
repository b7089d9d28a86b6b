// The app frame: picks the full-window vault/login panels or the shell with sidebar and screens.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Unplug } from 'lucide-react';
import { useStore } from './store/store.ts';
import { tabTitle } from './routes.ts';
import { useRoute } from './ui/hooks.ts';
import { Toasts } from './ui/Toasts.tsx';
import { Sidebar } from './screens/Sidebar.tsx';
import { Loading, LoginNeeded, Offline, VaultLocked, VaultSetup } from './screens/VaultScreens.tsx';
import { AgentsScreen } from './screens/AgentsScreen.tsx';
import { EditAgent, NewAgent } from './screens/NewAgent.tsx';
import { ApprovalsScreen } from './screens/ApprovalsScreen.tsx';
import { ActivityScreen } from './screens/ActivityScreen.tsx';
import { ProvidersScreen } from './screens/ProvidersScreen.tsx';
import { SettingsScreen } from './screens/SettingsScreen.tsx';
import { ApprovalModal, PromptWindow } from './screens/ApprovalModal.tsx';
import { OwnerPromptModal } from './screens/OwnerPromptModal.tsx';
import { RevokeDialog } from './screens/RevokeDialog.tsx';
import { CommandPalette } from './screens/CommandPalette.tsx';
import { RotateDialog } from './screens/RotateDialog.tsx';
import { Shortcuts } from './screens/Shortcuts.tsx';
import { KeySourceOffer } from './screens/KeySource.tsx';

/** Announces new approvals assertively ("Approval needed: mail-bot"), once each. */
function ApprovalAnnouncer(): ReactNode {
  const approvals = useStore((s) => s.approvals);
  const seen = useRef(new Set<string>());
  const [text, setText] = useState('');
  useEffect(() => {
    const fresh = approvals.filter((a) => !seen.current.has(a.id));
    for (const a of fresh) seen.current.add(a.id);
    const last = fresh[fresh.length - 1];
    if (last)
      setText(`Approval needed: ${last.agentName}${fresh.length > 1 ? ` and ${fresh.length - 1} more` : ''}`);
  }, [approvals]);
  return (
    <div className="sr-only" role="status" aria-live="assertive">
      {text}
    </div>
  );
}

/** The daemon stopped answering: say so above every screen until it is back. */
function OfflineBanner(): ReactNode {
  const unreachable = useStore((s) => s.unreachable);
  const boot = useStore((s) => s.boot);
  if (!unreachable) return null;
  return (
    <div className="offline-banner" role="alert" data-testid="offline-banner">
      <Unplug size={16} aria-hidden="true" />
      <span>
        The keychain daemon is not answering. What you see may be out of date and changes will fail until it
        is back; agents cannot use it either. Start it again (npm start); this page reconnects by itself.
      </span>
      <button type="button" className="btn btn-sm" onClick={() => void boot()}>
        Retry now
      </button>
    </div>
  );
}

function Screen(): ReactNode {
  const route = useRoute();
  switch (route.name) {
    case 'agents':
      return <AgentsScreen agentId={route.agentId} />;
    case 'agent-new':
      return <NewAgent />;
    case 'agent-edit':
      return <EditAgent agentId={route.agentId} />;
    case 'approvals':
      return <ApprovalsScreen />;
    case 'activity':
      return <ActivityScreen params={route.params} />;
    case 'providers':
      return <ProvidersScreen add={route.add} />;
    case 'settings':
      return <SettingsScreen />;
    case 'prompt':
      return null;
  }
}

export function App(): ReactNode {
  const conn = useStore((s) => s.conn);
  const vault = useStore((s) => s.status?.vault);
  const setupHold = useStore((s) => s.setupHold);
  const pending = useStore((s) => s.approvals.length);
  const route = useRoute();

  useEffect(() => {
    document.title = tabTitle(pending);
  }, [pending]);

  let body: ReactNode;
  if (conn === 'login') body = <LoginNeeded />;
  else if (conn === 'offline') body = <Offline />;
  else if (conn === 'loading' || !vault) body = <Loading />;
  else if (vault === 'uninitialized' || setupHold) body = <VaultSetup />;
  else if (vault === 'locked') body = <VaultLocked />;
  else if (route.name === 'prompt') body = <PromptWindow />;
  else {
    body = (
      <div className="shell">
        <Sidebar route={route} />
        <div className="main-col">
          <OfflineBanner />
          <main className="main" id="main">
            <Screen />
          </main>
        </div>
        {route.name !== 'approvals' && <ApprovalModal />}
        <RevokeDialog />
        <RotateDialog />
        <Shortcuts />
        <KeySourceOffer />
        <CommandPalette />
        <ApprovalAnnouncer />
      </div>
    );
  }
  return (
    <>
      {body}
      <OwnerPromptModal />
      <Toasts />
    </>
  );
}
