// Suspend and resume with the result said in a toast: the same words from the agent's buttons and from the
// command palette.
import type { AgentView } from '../../shared/models.ts';
import { useStore } from './store/store.ts';
import { errorMessage } from './transport/types.ts';

/** "· 2 requests cut" after a revoke or suspend that cut requests in flight; "" when none were. */
export function cutText(cut: number): string {
  return cut ? ` · ${cut} request${cut === 1 ? '' : 's'} cut` : '';
}

export async function suspendSaying(agent: Pick<AgentView, 'id' | 'name'>): Promise<void> {
  const s = useStore.getState();
  try {
    const cut = await s.suspendAgent(agent.id);
    s.toast(`${agent.name} suspended${cutText(cut)}; Resume gives its key back its power`);
  } catch (err) {
    s.toast(errorMessage(err), 'error');
  }
}

export async function resumeSaying(agent: Pick<AgentView, 'id' | 'name'>): Promise<void> {
  const s = useStore.getState();
  try {
    await s.resumeAgent(agent.id);
    s.toast(`${agent.name} resumed`);
  } catch (err) {
    s.toast(errorMessage(err), 'error');
  }
}
