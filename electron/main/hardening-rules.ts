// Session- and app-wide lockdown (docs/ARCHITECTURE.md, invariant 6), written against the few Electron methods it uses so it
// can be unit-tested with stand-ins for the Electron runtime (which these machines cannot start).
import { contentSecurityPolicy } from './csp.ts';
import { validateSender, type RendererLocation } from './ipc.ts';

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
  setDisplayMediaRequestHandler(handler: (request: unknown, callback: (streams: null) => void) => void): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

export interface NavigationEvent {
  preventDefault: () => void;
  url: string;
}

export interface WebContentsLike {
  on(
    event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect',
    listener: (event: NavigationEvent) => void,
  ): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault: () => void }) => void): void;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
}

export interface AppLike {
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): void;
}

export function applyHardening(ses: SessionLike, app: AppLike, location: RendererLocation): void {
  // No web permission (camera, mic, notifications, clipboard, geolocation, HID, serial…) is ever granted
  // to page content: the renderer needs none, and the OS notifications come from the main process.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback(null));

  // Every response carries our CSP, so even a script injected into a page could load nothing from elsewhere.
  const csp = contentSecurityPolicy(location.devUrl);
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') Reflect.deleteProperty(headers, name);
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });

  app.on('web-contents-created', (_event, contents) => {
    // Navigation may only stay on our own renderer page; anything else (links, redirects, drag-dropped
    // files, injected location changes) is cancelled.
    const guard = (event: NavigationEvent): void => {
      if (!validateSender(event.url, location)) event.preventDefault();
    };
    contents.on('will-navigate', guard);
    contents.on('will-frame-navigate', guard);
    contents.on('will-redirect', guard);
    // No new windows from page content (window.open, target=_blank).
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    // <webview> is disabled in webPreferences; refuse attachment too in case anything re-enables it.
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
