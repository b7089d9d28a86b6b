// How a zod issue's path is written for people and in error envelopes ("providers.openai.models[0]"):
// one format for the HTTP API, IPC, the renderer's forms and received events.

/** `["providers", "openai", "models", 0]` → `providers.openai.models[0]`; odd keys as `["a b"]`; `[]` → "". */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      out += /^[A-Za-z_$][\w$-]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}
