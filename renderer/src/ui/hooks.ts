// Small React hooks: the current hash route, a ticking clock for relative times.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { parseRoute, type Route } from '../routes.ts';

function subscribeHash(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useHash(): string {
  return useSyncExternalStore(subscribeHash, () => window.location.hash);
}

export function useRoute(): Route {
  return parseRoute(useHash());
}

export function navigate(hash: string): void {
  if (window.location.hash !== hash) window.location.hash = hash;
}

/** Replaces the hash without a new history entry (filter edits). */
export function replaceHash(hash: string): void {
  if (window.location.hash === hash) return;
  history.replaceState(null, '', hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** Epoch ms, refreshed every `intervalMs`. */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

export const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const modKey = isMac ? '⌘' : 'Ctrl';
