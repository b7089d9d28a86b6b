// Which requests make a provider bill work their own bytes do not show (documents by reference, server-side
// tools): those get no estimate, so budgets refuse them and {above} approvals hold them.
import { describe, expect, it } from 'vitest';
import { unboundedInput } from '../../core/providers/unbounded-input.ts';

const user = (content: unknown) => ({ model: 'm', messages: [{ role: 'user', content }] });

describe('unboundedInput', () => {
  it.each([
    [
      'an Anthropic document by URL',
      user([{ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' } }]),
    ],
    [
      'an Anthropic document by file id',
      user([{ type: 'document', source: { type: 'file', file_id: 'f1' } }]),
    ],
    ['an OpenAI file part by id', user([{ type: 'file', file: { file_id: 'file-1' } }])],
    [
      'a Responses input_file by URL',
      { model: 'm', input: [{ type: 'input_file', file_url: 'https://x/a.pdf' }] },
    ],
    ['Anthropic web search', { ...user('hi'), tools: [{ type: 'web_search_20250305', name: 'web_search' }] }],
    ['Anthropic code execution', { ...user('hi'), tools: [{ type: 'code_execution_20250522', name: 'c' }] }],
    ['OpenAI Responses file_search', { model: 'm', input: 'hi', tools: [{ type: 'file_search' }] }],
    ['an MCP tool', { model: 'm', input: 'hi', tools: [{ type: 'mcp', server_url: 'https://x' }] }],
    ['Anthropic MCP servers', { ...user('hi'), mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }] }],
    ['chat web_search_options', { ...user('hi'), web_search_options: {} }],
    [
      'a batch whose request uses a server tool',
      { requests: [{ params: { ...user('hi'), tools: [{ type: 'web_fetch_20250910' }] } }] },
    ],
  ])('%s has no bound', (_what, body) => expect(unboundedInput(body)).toBe(true));

  it.each([
    ['plain text', user('hi')],
    [
      'an image by URL (counted flat)',
      user([{ type: 'image', source: { type: 'url', url: 'https://x/a.png' } }]),
    ],
    ['an inline base64 document', user([{ type: 'document', source: { type: 'base64', data: 'AAAA' } }])],
    [
      'client tools',
      {
        ...user('hi'),
        tools: [
          { name: 'f', input_schema: {} },
          { type: 'function', function: {} },
        ],
      },
    ],
    ['client-run Anthropic tools', { ...user('hi'), tools: [{ type: 'bash_20250124', name: 'bash' }] }],
  ])('%s is bounded', (_what, body) => expect(unboundedInput(body)).toBe(false));
});
