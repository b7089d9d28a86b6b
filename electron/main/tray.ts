// The tray: a native Menu rebuilt from tray-model.ts on every state change (debounced). Never relies on
// tray click events, which Linux desktops deliver inconsistently; everything is in the context menu.
import { Menu, Tray, dialog, type MenuItemConstructorOptions } from 'electron';
import type { DaemonHandle } from '../../core/daemon-types.ts';
import {
  buildTrayModel,
  findItem,
  type TrayAction,
  type TrayMenuItem,
  type TrayModel,
} from './tray-model.ts';
import type { ShellState } from './tray-state.ts';
import { toBridgeError } from './ipc.ts';
import { trayIcon } from './icons.ts';

export const TRAY_DEBOUNCE_MS = 100;
/** Relative times ("active 2 min ago") are refreshed at least this often. */
const CLOCK_REFRESH_MS = 60_000;

export interface TrayDeps {
  daemon: Pick<DaemonHandle, 'dispatch'>;
  state(): ShellState;
  openRoute(route: string): void;
  quit(): void;
}

export interface TrayController {
  /** Rebuilds the menu soon; many calls within the debounce window cause one rebuild. */
  schedule(): void;
  /** The model the current menu was built from. */
  model(): TrayModel;
  /** Performs a menu item's action by id, as a click would (also used by the e2e hook). */
  perform(id: string): Promise<void>;
  destroy(): void;
}

function escapeLabel(label: string): string {
  // Windows treats "&" as a mnemonic marker; agent names must show as typed.
  return process.platform === 'win32' ? label.replaceAll('&', '&&') : label;
}

async function showError(title: string, err: unknown): Promise<void> {
  await dialog.showMessageBox({
    type: 'error',
    title,
    message: title,
    detail: toBridgeError(err).message,
    buttons: ['OK'],
  });
}

export function createTray(deps: TrayDeps): TrayController {
  let current = buildTrayModel({ ...deps.state(), now: Date.now() });
  // Held for the app's life: a Tray that is garbage-collected disappears from the panel.
  const tray = new Tray(trayIcon(current.icon));
  let timer: NodeJS.Timeout | null = null;
  let destroyed = false;

  async function confirmRevoke(agentId: string, agentName: string): Promise<void> {
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      title: `Revoke ${agentName}`,
      message: `Revoke ${agentName}?`,
      detail: 'Its key stops working now; requests in flight are cut; you can create a new agent later.',
      buttons: ['Revoke', 'Cancel'],
      // One native confirmation with Revoke focused; Esc/close means Cancel.
      defaultId: 0,
      cancelId: 1,
      noLink: true,
    });
    if (response !== 0) return;
    try {
      await deps.daemon.dispatch(
        'agentRevoke',
        { id: agentId, reason: 'tray quick revoke', severity: 'medium' },
        'tray',
      );
    } catch (err) {
      await showError(`Could not revoke ${agentName}`, err);
    }
  }

  async function confirmRevokeAll(count: number): Promise<void> {
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      title: 'Revoke all agents',
      message: `Revoke all agents (${count})?`,
      detail: 'Every agent key stops working now and requests in flight are cut. This cannot be undone.',
      buttons: ['Cancel', 'Revoke all'],
      // Cancel is the default for the panic button: Enter or Esc never revokes everything by accident.
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    });
    if (response !== 1) return;
    try {
      await deps.daemon.dispatch('agentsRevokeAll', { reason: 'tray revoke all', severity: 'high' }, 'tray');
    } catch (err) {
      await showError('Could not revoke all agents', err);
    }
  }

  async function run(action: TrayAction): Promise<void> {
    switch (action.kind) {
      case 'open':
        deps.openRoute(action.route);
        return;
      case 'revoke':
        await confirmRevoke(action.agentId, action.agentName);
        return;
      case 'revokeAll':
        await confirmRevokeAll(action.count);
        return;
      case 'lock':
        try {
          await deps.daemon.dispatch('vaultLock', {}, 'tray');
        } catch (err) {
          await showError('Could not lock the vault', err);
        }
        return;
      case 'quit':
        deps.quit();
        return;
    }
  }

  function toTemplate(items: readonly TrayMenuItem[]): MenuItemConstructorOptions[] {
    return items.map((item): MenuItemConstructorOptions => {
      if (item.type === 'separator') return { type: 'separator' };
      if (item.type === 'submenu') {
        return {
          id: item.id,
          label: escapeLabel(item.label),
          enabled: item.enabled,
          submenu: toTemplate(item.submenu ?? []),
        };
      }
      const action = item.action;
      return {
        id: item.id,
        label: escapeLabel(item.label),
        enabled: item.enabled,
        click: action ? () => void run(action) : undefined,
      };
    });
  }

  function rebuild(): void {
    timer = null;
    if (destroyed) return;
    current = buildTrayModel({ ...deps.state(), now: Date.now() });
    tray.setImage(trayIcon(current.icon));
    tray.setToolTip(current.tooltip);
    // Linux (AppIndicator) only picks up a changed menu when setContextMenu is called again.
    tray.setContextMenu(Menu.buildFromTemplate(toTemplate(current.items)));
  }

  const clock = setInterval(rebuild, CLOCK_REFRESH_MS);
  rebuild();

  return {
    schedule() {
      if (timer === null && !destroyed) timer = setTimeout(rebuild, TRAY_DEBOUNCE_MS);
    },
    model: () => current,
    async perform(id) {
      const item = findItem(current.items, id);
      if (item?.action && item.enabled) await run(item.action);
    },
    destroy() {
      destroyed = true;
      clearInterval(clock);
      if (timer) clearTimeout(timer);
      tray.destroy();
    },
  };
}
