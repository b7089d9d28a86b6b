// A real daemon with `openai` and `anthropic` providers on two local fake upstreams: what the tests of the
// official SDKs through the proxy, `akc run` and the coding agents' key helpers all start from.
import { startDaemonWithProviders, type TestDaemon } from './daemon.ts';
import type { FakeUpstream, Handler } from './upstream.ts';

/** The providers' master keys: the tests check that they reach the upstream and nothing else. */
export const LLM_KEYS = {
  openai: 'sk-openai-MASTER-key-for-llm-tests-0001',
  anthropic: 'sk-ant-MASTER-key-for-llm-tests-0002',
} as const;

export interface LlmDaemon {
  /** Its stop() also closes both upstreams. */
  t: TestDaemon;
  openaiUp: FakeUpstream;
  anthropicUp: FakeUpstream;
}

/**
 * The upstreams answer with these handlers (by default the fake's own answer). The providers have the real
 * default shapes: OpenAI's base URL ends in /v1, Anthropic's does not.
 */
export async function startLlmDaemon(
  handlers: { openai?: Handler; anthropic?: Handler } = {},
): Promise<LlmDaemon> {
  const { t, up } = await startDaemonWithProviders({
    openai: { key: LLM_KEYS.openai, handler: handlers.openai, basePath: '/v1' },
    anthropic: { key: LLM_KEYS.anthropic, handler: handlers.anthropic },
  });
  return { t, openaiUp: up.openai, anthropicUp: up.anthropic };
}
