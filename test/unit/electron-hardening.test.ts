// The session and app lockdown, driven through stand-ins for the Electron runtime (which cannot start on
// these machines): permissions denied, our CSP on every response, navigation and new windows blocked.
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import {
  applyHardening,
  type NavigationEvent,
  type SessionLike,
  type WebContentsLike,
} from '../../electron/main/hardening-rules.ts';

const fileRoot = join('/opt', 'akc', 'out', 'renderer');
const page = pathToFileURL(join(fileRoot, 'index.html')).href;

function electronStandIns() {
  const h: Record<string, (...args: never[]) => unknown> = {};
  const ses = {
    setPermissionRequestHandler: (f: never) => (h.permissionRequest = f),
    setPermissionCheckHandler: (f: never) => (h.permissionCheck = f),
    setDevicePermissionHandler: (f: never) => (h.device = f),
    setDisplayMediaRequestHandler: (f: never) => (h.displayMedia = f),
    webRequest: { onHeadersReceived: (f: never) => (h.headers = f) },
  } as unknown as SessionLike;
  const contentsHandlers: Record<string, (event: NavigationEvent) => void> = {};
  let openHandler: (() => { action: string }) | undefined;
  const contents = {
    on: (name: string, f: (event: NavigationEvent) => void) => (contentsHandlers[name] = f),
    setWindowOpenHandler: (f: () => { action: string }) => (openHandler = f),
  } as unknown as WebContentsLike;
  let created: ((event: unknown, c: WebContentsLike) => void) | undefined;
  const app = { on: (_name: string, f: (event: unknown, c: WebContentsLike) => void) => (created = f) };
  return { h, ses, app, contents, contentsHandlers, created: () => created, openHandler: () => openHandler };
}

function nav(url: string): { prevented: boolean; event: NavigationEvent } {
  const result = { prevented: false, event: { url, preventDefault: () => undefined } as NavigationEvent };
  result.event.preventDefault = () => {
    result.prevented = true;
  };
  return result;
}

describe('applyHardening', () => {
  const s = electronStandIns();
  applyHardening(s.ses, s.app, { fileRoot });
  s.created()?.({}, s.contents);

  it('denies every permission request and check', () => {
    let granted: boolean | undefined;
    (s.h.permissionRequest as (c: unknown, p: string, cb: (g: boolean) => void) => void)(
      {},
      'media',
      (g) => (granted = g),
    );
    expect(granted).toBe(false);
    expect((s.h.permissionCheck as () => boolean)()).toBe(false);
    expect((s.h.device as () => boolean)()).toBe(false);
    let streams: unknown = 'unset';
    (s.h.displayMedia as (r: unknown, cb: (x: unknown) => void) => void)({}, (x) => (streams = x));
    expect(streams).toBeNull();
  });

  it('replaces any Content-Security-Policy with ours on every response', () => {
    let out: Record<string, string[]> = {};
    (s.h.headers as (d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void)(
      { responseHeaders: { 'content-security-policy': ['default-src *'], 'x-other': ['1'] } },
      (r) => (out = r.responseHeaders),
    );
    expect(out['content-security-policy']).toBeUndefined();
    expect(out['Content-Security-Policy']?.[0]).toContain("default-src 'self'");
    expect(out['Content-Security-Policy']?.[0]).toContain("object-src 'none'");
    expect(out['x-other']).toEqual(['1']);
  });

  it('blocks navigation away from our page, new windows and webviews', () => {
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const away = nav('https://evil.example/');
      s.contentsHandlers[name]?.(away.event);
      expect(away.prevented, name).toBe(true);
      const stay = nav(`${page}#/agents`);
      s.contentsHandlers[name]?.(stay.event);
      expect(stay.prevented, name).toBe(false);
    }
    expect(s.openHandler()?.()).toEqual({ action: 'deny' });
    const webview = nav('about:blank');
    s.contentsHandlers['will-attach-webview']?.(webview.event);
    expect(webview.prevented).toBe(true);
  });
});
