// Requests whose cost no estimate made from their own bytes can bound, because the provider bills work the
// request only points at: a document fetched by URL or named by a file id (a 100-page PDF is ~150k input
// tokens), or a server-side tool (web search, web fetch, code execution, file search, MCP servers) that
// runs its own loop at the provider, re-reading the growing context on every turn and adding per-use fees.
// Adapters leave such a request without an estimate, so a budget refuses it and an {above: N} approval rule
// holds it (core/policy/rules/provider.ts costUnbounded). Images by URL stay bounded: they are counted as a
// generous flat number of tokens (estimate.ts).

/** Tool types that the provider runs itself (Anthropic's versioned names start with these; OpenAI's too). */
const SERVER_TOOLS = [
  'web_search',
  'web_fetch',
  'code_execution',
  'code_interpreter',
  'file_search',
  'image_generation',
  'mcp',
];
/** Blocks whose content the provider fetches or loads by reference. */
const DOCUMENT_TYPES = new Set(['document', 'file', 'input_file', 'container_upload']);

function isServerTool(tool: unknown): boolean {
  if (typeof tool !== 'object' || tool === null) return false;
  const type = (tool as Record<string, unknown>).type;
  return typeof type === 'string' && SERVER_TOOLS.some((t) => type === t || type.startsWith(`${t}_`));
}

function walk(value: unknown, depth: number): boolean {
  // Deeper than any real request: treated as unbounded rather than walked further (fail safe).
  if (depth > 64) return true;
  if (Array.isArray(value)) return value.some((item) => walk(item, depth + 1));
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.tools) && record.tools.some(isServerTool)) return true;
  if (Array.isArray(record.mcp_servers) && record.mcp_servers.length > 0) return true;
  if (record.web_search_options !== undefined) return true;
  if (typeof record.file_id === 'string' || typeof record.file_url === 'string') return true;
  const source = record.source;
  if (
    typeof record.type === 'string' &&
    DOCUMENT_TYPES.has(record.type) &&
    typeof source === 'object' &&
    source !== null &&
    ['url', 'file'].includes(String((source as Record<string, unknown>).type))
  )
    return true;
  return Object.values(record).some((item) => walk(item, depth + 1));
}

/** True when the request makes the provider bill input or work that its own bytes do not show. */
export function unboundedInput(body: unknown): boolean {
  return walk(body, 0);
}
