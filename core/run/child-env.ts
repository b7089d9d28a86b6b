// The environment of a command started by `akc run`: every provider key variable we know is removed
// (the child must reach providers only through the keychain), then the session's own variables are set.
const KNOWN = new Set([
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_API_BASE',
  'OPENAI_ORG_ID',
  'OPENAI_ORGANIZATION',
  'OPENAI_PROJECT_ID',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'STRIPE_API_KEY',
  'STRIPE_SECRET_KEY',
  'RESEND_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'MISTRAL_API_KEY',
  'GROQ_API_KEY',
  'COHERE_API_KEY',
  'CO_API_KEY',
  'OPENROUTER_API_KEY',
  'DEEPSEEK_API_KEY',
  'XAI_API_KEY',
  'TOGETHER_API_KEY',
  'FIREWORKS_API_KEY',
  'PERPLEXITY_API_KEY',
  'HF_TOKEN',
  'HUGGING_FACE_HUB_TOKEN',
  'REPLICATE_API_TOKEN',
  // Our own: an agent credential or owner material from the parent never reaches the child.
  'AKC_TOKEN',
  'AKC_URL',
  'AKC_ADMIN_TOKEN',
  'AKC_ADMIN_TOKEN_FILE',
  'AKC_PASSPHRASE_FILE',
]);
/** Variables of providers we know by prefix, ending in a key, token or secret. */
const PATTERN =
  /^(OPENAI|ANTHROPIC|STRIPE|RESEND|AZURE_OPENAI|GEMINI|GOOGLE_GENERATIVE_AI|MISTRAL|GROQ|COHERE|OPENROUTER|DEEPSEEK|XAI|TOGETHER|FIREWORKS|PERPLEXITY)_\w*(KEY|TOKEN|SECRET)\w*$/;

/** Marks a session's process tree, so that `akc run` inside it refuses at once (the daemon refuses too). */
export const SESSION_MARKER = 'AKC_RUN_SESSION';

export function isProviderKeyVar(name: string): boolean {
  return KNOWN.has(name) || PATTERN.test(name);
}

export function childEnv(
  parent: NodeJS.ProcessEnv,
  session: Record<string, string>,
  sessionId: string,
  sandboxed: boolean,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined || isProviderKeyVar(k)) continue;
    // In the sandbox the session bus is hidden; do not even tell the child where it was.
    if (sandboxed && k === 'DBUS_SESSION_BUS_ADDRESS') continue;
    env[k] = v;
  }
  return { ...env, ...session, [SESSION_MARKER]: sessionId };
}
