// Session- and app-wide lockdown (DESIGN §7.6). Installed before the first window exists.
import { app, session } from 'electron';
import { contentSecurityPolicy } from './csp.ts';
import { validateSender, type RendererLocation } from './ipc.ts';

export function installHardening(location: RendererLocation): void {
  const ses = session.defaultSession;

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
    const guard = (event: { preventDefault: () => void; url: string }): void => {
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
