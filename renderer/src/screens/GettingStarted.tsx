// The first-run checklist: add a provider → create an agent → run a call through it. Each step ticks
// itself from the live store (providers, agents, an agent's first request), and the checklist goes away
// once an agent has made a call.
import type { ReactNode } from 'react';
import { Check } from 'lucide-react';
import { useStore } from '../store/store.ts';

const SNIPPET = `from openai import OpenAI
client = OpenAI()  # reads OPENAI_BASE_URL and OPENAI_API_KEY
print(client.chat.completions.create(model="gpt-4o-mini",
      messages=[{"role": "user", "content": "hello"}]).choices[0].message.content)`;

export function GettingStarted(): ReactNode {
  const providers = useStore((s) => s.providers.length);
  const agents = useStore((s) => s.agents);
  const seen = agents.some((a) => a.lastSeenAt !== null);
  if (seen) return null;
  const steps = [
    {
      done: providers > 0,
      title: 'Add a provider',
      text: 'Store a master key (OpenAI, Anthropic, Stripe, Resend or any HTTP API). Agents never see it.',
      action: { href: '#/providers', label: 'Add provider' },
    },
    {
      done: agents.length > 0,
      title: 'Create an agent',
      text: 'Give one script its own key, limited to what it needs.',
      action: { href: '#/agents/new', label: 'New agent' },
    },
    {
      done: false,
      title: 'Run a call through it',
      text: 'Paste the export lines shown with the agent’s key into a shell, then start your agent. For example, in Python:',
      snippet: SNIPPET,
    },
  ];
  const next = steps.findIndex((s) => !s.done);
  return (
    <section className="card checklist" aria-labelledby="gs-title" data-testid="getting-started">
      <h2 id="gs-title">Get started</h2>
      <ol>
        {steps.map((s, i) => (
          <li
            key={s.title}
            className={s.done ? 'step-done' : i === next ? 'step-next' : ''}
            data-testid={`step-${i + 1}`}
            data-done={s.done ? 'true' : 'false'}
          >
            <span className="step-mark" aria-hidden="true">
              {s.done ? <Check size={14} /> : i + 1}
            </span>
            <div className="step-body">
              <strong>
                {s.title}
                {s.done ? <span className="sr-only"> (done)</span> : null}
              </strong>
              {!s.done && (
                <p className="muted small">{i === next || !s.snippet ? s.text : s.text.split('. ')[0]}</p>
              )}
              {!s.done && i === next && s.action && (
                <a href={s.action.href} className="btn btn-primary btn-sm">
                  {s.action.label}
                </a>
              )}
              {!s.done && i === next && s.snippet && <pre className="env-block">{s.snippet}</pre>}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
