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

/**
 * The first issue of a failed parse as `path: message`, for errors about data received from the other side;
 * `whole` names the value when the issue is about all of it (an empty path).
 */
export function describeIssue(
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
  whole: string,
): string {
  const issue = issues[0];
  if (!issue) return `${whole}: invalid`;
  return `${formatIssuePath(issue.path) || whole}: ${issue.message}`;
}
