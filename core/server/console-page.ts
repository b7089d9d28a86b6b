// The few pages the daemon writes itself (not the React console): a login link that no longer works, the
// console still being built. Styled like the app's full-window panels, light and dark, with inline CSS only
// (the console's CSP allows inline style, never inline script). Every dynamic part is escaped.

const PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f7f7f8;--surface:#fff;--surface-2:#f3f3f5;--border:#e1e1e5;--text:#1b1b1f;
--text-2:#4f4f57;--accent:#2f5bd3;--accent-text:#fff;--amber:#8a5300;--amber-soft:#fff5e0;--amber-border:#f0d08f}
@media (prefers-color-scheme:dark){:root{--bg:#17171a;--surface:#212126;--surface-2:#29292f;--border:#34343b;
--text:#ececf0;--text-2:#b9b9c2;--accent:#7a9bff;--accent-text:#0c1330;--amber:#f2b866;--amber-soft:#35291a;
--amber-border:#6b5126}}
*{box-sizing:border-box}
html,body{margin:0;min-height:100%;background:var(--bg);color:var(--text);
font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Ubuntu,Cantarell,sans-serif}
main{min-height:100vh;display:grid;place-items:center;padding:32px}
.card{width:100%;max-width:520px;background:var(--surface);border:1px solid var(--border);border-radius:12px;
padding:28px;box-shadow:0 12px 32px rgb(0 0 0/.14),0 2px 6px rgb(0 0 0/.06);display:flex;flex-direction:column;gap:12px}
.icon{width:48px;height:48px;border-radius:12px;display:grid;place-items:center;background:var(--surface-2);
color:var(--text-2)}
h1{font-size:19px;margin:0}
p,ol{margin:0;color:var(--text-2)}
ol{padding-left:20px;display:flex;flex-direction:column;gap:6px}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;background:var(--surface-2);
border:1px solid var(--border);border-radius:4px;padding:0 4px}
.note{background:var(--amber-soft);border:1px solid var(--amber-border);color:var(--amber);border-radius:8px;padding:8px 10px}
a.btn{align-self:flex-start;background:var(--accent);color:var(--accent-text);text-decoration:none;border-radius:6px;
padding:7px 14px;font-weight:500}
a.btn:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
`;

/** Icons as inline SVG (lucide's key-round and clock), so no font or file is needed. */
const ICONS = {
  key:
    '<path d="M2.586 17.414A2 2 0 0 0 2 18.828V21a1 1 0 0 0 1 1h3a1 1 0 0 0 1-1v-1a1 1 0 0 1 1-1h1a1 1 0 0 0 1-1v-1a1 1 0 0 1 1-1h.172a2 2 0 0 0 1.414-.586l.814-.814a6.5 6.5 0 1 0-4-4z"/>' +
    '<circle cx="16.5" cy="7.5" r=".5" fill="currentColor"/>',
  clock: '<circle cx="12" cy="12" r="10"/><path d="M12 6v6l4 2"/>',
} as const;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

interface PageContent {
  title: string;
  icon: keyof typeof ICONS;
  /** Trusted HTML for the body, built by the caller with escapeHtml for anything dynamic. */
  bodyHtml: string;
  /** Reload the page by itself after this many seconds. */
  refreshSeconds?: number;
}

/** A full HTML page in the app's look. */
function consolePage(c: PageContent): string {
  const refresh =
    c.refreshSeconds !== undefined ? `<meta http-equiv="refresh" content="${c.refreshSeconds}">` : '';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">' +
    `${refresh}<title>${escapeHtml(c.title)} · Agent Keychain</title><style>${PAGE_CSS}</style></head>` +
    `<body><main><div class="card"><div class="icon" aria-hidden="true"><svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${ICONS[c.icon]}</svg></div>` +
    `<h1>${escapeHtml(c.title)}</h1>${c.bodyHtml}</div></main></body></html>`
  );
}

/** The login link was used already, expired, or came from an earlier run of the daemon. */
export function linkExpiredPage(): string {
  return consolePage({
    title: 'This login link no longer works',
    icon: 'key',
    bodyHtml:
      '<p>Each link opens the console once, within 10 minutes, and only for the run of the keychain that ' +
      'printed it. This one was already used, has expired, or was printed before the keychain restarted ' +
      '(a restart signs every tab out).</p>' +
      '<ol>' +
      '<li>Look in the terminal where <code>npm start</code> runs: the keychain prints a fresh link each time ' +
      'it starts. Open the newest one.</li>' +
      '<li>No link there? Run <code>npm start</code> in a second terminal. It asks for a new link: allow it ' +
      'in the desktop app or a console tab that is still signed in, or type the vault passphrase when it asks.</li>' +
      '<li>Nothing signed in and no passphrase vault? Stop the keychain (Ctrl+C in its terminal) and start ' +
      'it again: it prints a new link.</li>' +
      '</ol>' +
      '<p class="note">A login link is owner access: never paste one into an agent, a chat or a ticket.</p>' +
      '<a class="btn" href="/">Open the console</a>',
  });
}

/** First start: the console's files are not there yet. */
export function consoleBuildingPage(): string {
  return consolePage({
    title: 'The console is still being built',
    icon: 'clock',
    refreshSeconds: 3,
    bodyHtml:
      '<p>This happens once, on the first start (or after the sources changed). This page reloads by ' +
      'itself; the login link printed in the terminal works as soon as the build is done.</p>',
  });
}
