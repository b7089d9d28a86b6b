// The approval prompt's own window (docs/ARCHITECTURE.md, "Electron shell"): small, always on top, shown without taking
// focus so a keystroke meant for another app can never answer it. It closes when nothing is waiting.
import { BrowserWindow } from 'electron';
import type { ApprovalView } from '../../shared/models.ts';
import { approvalWindowOptions } from './window-options.ts';
import { loadRoute } from './renderer-load.ts';
import type { ShellContext } from './shell-context.ts';

/** The renderer's compact approval prompt (renderer/src/routes.ts: "#/prompt"). */
export const APPROVAL_ROUTE = '/prompt';

export interface ApprovalWindowController {
  /** Shows the window while approvals wait, closes it when none do. */
  sync(approvals: readonly ApprovalView[]): void;
  current(): BrowserWindow | null;
  close(): void;
}

export function createApprovalWindowController(ctx: ShellContext): ApprovalWindowController {
  let win: BrowserWindow | null = null;
  // Approvals on screen when the owner closed the window: it reopens only for a new request, not for an
  // update of one already seen (merged count, process details).
  let dismissed = new Set<string>();
  let shown = new Set<string>();
  let closingByUs = false;
  const alive = (): BrowserWindow | null => (win && !win.isDestroyed() ? win : null);

  return {
    sync(approvals) {
      const existing = alive();
      if (approvals.length === 0) {
        dismissed = new Set();
        if (existing) {
          closingByUs = true;
          existing.close();
        }
        return;
      }
      shown = new Set(approvals.map((a) => a.id));
      if (existing) {
        if (!existing.isVisible()) existing.showInactive();
        return;
      }
      if (approvals.every((a) => dismissed.has(a.id))) return;
      const created = new BrowserWindow(
        approvalWindowOptions({ preload: ctx.preload, devTools: ctx.devTools }),
      );
      win = created;
      // 'floating' keeps it above normal windows without covering full-screen or system UI.
      created.setAlwaysOnTop(true, 'floating');
      created.once('ready-to-show', () => {
        if (!created.isDestroyed()) created.showInactive();
      });
      created.on('closed', () => {
        if (!closingByUs) dismissed = new Set(shown);
        closingByUs = false;
        if (win === created) win = null;
      });
      loadRoute(created, ctx.location, APPROVAL_ROUTE).catch(() => {
        // Nothing to show: the main window's Approvals screen and the tray still list the request.
      });
    },
    current: alive,
    close() {
      const existing = alive();
      if (existing) {
        closingByUs = true;
        existing.close();
      }
    },
  };
}
