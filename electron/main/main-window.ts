// The main window: created on demand, one at a time; closing it destroys it (the app lives on in the tray).
import { BrowserWindow } from 'electron';
import { mainWindowOptions } from './window-options.ts';
import { loadRoute } from './renderer-load.ts';
import type { ShellContext } from './shell-context.ts';

export interface MainWindowController {
  /** Creates or focuses the main window, navigating to `route` when one is given. */
  show(route?: string): BrowserWindow;
  current(): BrowserWindow | null;
}

export function createMainWindowController(ctx: ShellContext): MainWindowController {
  let win: BrowserWindow | null = null;

  function navigate(target: BrowserWindow, route: string): void {
    loadRoute(target, ctx.location, route).catch(() => {
      // A failed load leaves the window on its previous page; the renderer shows its own errors.
    });
  }

  return {
    show(route) {
      if (win && !win.isDestroyed()) {
        if (route) navigate(win, route);
        if (win.isMinimized()) win.restore();
        win.show();
        win.focus();
        return win;
      }
      const created = new BrowserWindow(mainWindowOptions({ preload: ctx.preload, devTools: ctx.devTools }));
      win = created;
      created.once('ready-to-show', () => {
        created.show();
        created.focus();
      });
      created.on('closed', () => {
        if (win === created) win = null;
      });
      navigate(created, route ?? '/agents');
      return created;
    },
    current() {
      return win && !win.isDestroyed() ? win : null;
    },
  };
}
