// The Node recipes of docs/clients.md, each with the real package against a real daemon and a local fake
// provider: a call, a stream where the client streams, and a refusal whose reason shows in the client's own
// error message. The code in each test is the recipe (only the URL and token come from the harness).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { Resend } from 'resend';
import { generateText, streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { ChatOpenAI } from '@langchain/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled } from '@openai/agents';
import { ANTHROPIC_MODEL, KEYS, OPENAI_MODEL, startHarness, type Harness } from './harness.ts';
import { rejection as caught } from '../helpers/rejection.ts';
import { stripeClient } from './stripe-client.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

/** The upstream got the master key, never the agent's token. */
function sawMasterKeyOnly(kind: 'openai' | 'anthropic' | 'stripe' | 'resend'): void {
  const last = h.up[kind].received.at(-1);
  if (!last) throw new Error(`${kind} upstream received nothing`);
  const headers = JSON.stringify(last.headers);
  expect(headers).toContain(KEYS[kind]);
  expect(headers + last.body).not.toContain(h.token);
}

describe('openai (Node)', () => {
  const client = (): OpenAI => new OpenAI({ baseURL: h.base.openai, apiKey: h.token });

  it('calls, streams, and shows a refusal', async () => {
    const done = await client().chat.completions.create({
      model: OPENAI_MODEL,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(done.choices[0]?.message.content).toBe('hello from upstream');
    sawMasterKeyOnly('openai');

    const stream = await client().chat.completions.create({
      model: OPENAI_MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('hello stream');

    const responses = await client().responses.create({ model: OPENAI_MODEL, input: 'hi' });
    expect(responses.output_text).toBe('hello from responses');

    const err = await caught(
      client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(err.message).toContain('providers.openai.models');
  });
});

describe('@anthropic-ai/sdk', () => {
  const client = (): Anthropic => new Anthropic({ baseURL: h.base.anthropic, apiKey: h.token });

  it('calls, streams, and shows a refusal', async () => {
    const msg = await client().messages.create({
      model: ANTHROPIC_MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'hello from claude' });
    sawMasterKeyOnly('anthropic');

    const stream = client().messages.stream({
      model: ANTHROPIC_MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    stream.on('text', (t) => {
      text += t;
    });
    const final = await stream.finalMessage();
    expect(text).toBe('hello from claude');
    expect(final.usage.output_tokens).toBe(3);

    const err = await caught(
      client().messages.create({
        model: 'claude-opus-4-1',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(err.message).toContain('providers.anthropic.models');
  });
});

describe('stripe-node through its httpClient option', () => {
  it('creates a payment intent and shows a refusal', async () => {
    const stripe = stripeClient(h.t.url, h.token);
    const pi = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd' });
    expect(pi).toMatchObject({ id: 'pi_123', amount: 1200, currency: 'usd' });
    expect(h.up.stripe.received.at(-1)?.url).toBe('/v1/payment_intents');
    sawMasterKeyOnly('stripe');
    const err = await caught(stripe.paymentIntents.create({ amount: 9000, currency: 'usd' }));
    expect(err.message).toContain('payments.maxAmount');
  });
});

describe('resend', () => {
  it('sends an email and returns a refusal as its error', async () => {
    const resend = new Resend(h.token, { baseUrl: h.base.resend });
    const sent = await resend.emails.send({
      from: 'bot@example.com',
      to: 'bob@example.com',
      subject: 'hi',
      text: 'hello',
    });
    expect(sent.error).toBeNull();
    expect(sent.data?.id).toBe('email_123');
    sawMasterKeyOnly('resend');
    const refused = await resend.emails.send({
      from: 'bot@example.com',
      to: 'eve@evil.test',
      subject: 'hi',
      text: 'hello',
    });
    expect(refused.error?.message).toContain('email.allowedDomains');
  });
});

describe('Vercel AI SDK', () => {
  it('OpenAI provider: generateText, streamText, refusal', async () => {
    const openai = createOpenAI({ baseURL: h.base.openai, apiKey: h.token });
    const { text } = await generateText({ model: openai(OPENAI_MODEL), prompt: 'hi' });
    expect(text).toBe('hello from responses');
    const chat = await generateText({ model: openai.chat(OPENAI_MODEL), prompt: 'hi' });
    expect(chat.text).toBe('hello from upstream');
    const streamed = streamText({ model: openai.chat(OPENAI_MODEL), prompt: 'hi' });
    let out = '';
    for await (const part of streamed.textStream) out += part;
    expect(out).toBe('hello stream');
    const err = await caught(generateText({ model: openai.chat('gpt-4o'), prompt: 'hi' }));
    expect(err.message).toContain('providers.openai.models');
  });

  it('Anthropic provider (baseURL ends in /v1): generateText, streamText, refusal', async () => {
    const anthropic = createAnthropic({ baseURL: `${h.base.anthropic}/v1`, apiKey: h.token });
    const { text } = await generateText({ model: anthropic(ANTHROPIC_MODEL), prompt: 'hi' });
    expect(text).toBe('hello from claude');
    const streamed = streamText({ model: anthropic(ANTHROPIC_MODEL), prompt: 'hi' });
    let out = '';
    for await (const part of streamed.textStream) out += part;
    expect(out).toBe('hello from claude');
    const err = await caught(generateText({ model: anthropic('claude-opus-4-1'), prompt: 'hi' }));
    expect(err.message).toContain('providers.anthropic.models');
  });
});

describe('LangChain JS', () => {
  it('ChatOpenAI: invoke, stream, refusal', async () => {
    const llm = new ChatOpenAI({
      model: OPENAI_MODEL,
      apiKey: h.token,
      configuration: { baseURL: h.base.openai },
    });
    expect((await llm.invoke('hi')).content).toBe('hello from upstream');
    let out = '';
    for await (const chunk of await llm.stream('hi')) out += chunk.text;
    expect(out).toBe('hello stream');
    const denied = new ChatOpenAI({
      model: 'gpt-4o',
      apiKey: h.token,
      maxRetries: 0,
      configuration: { baseURL: h.base.openai },
    });
    expect((await caught(denied.invoke('hi'))).message).toContain('providers.openai.models');
  });

  it('ChatAnthropic: invoke, stream, refusal', async () => {
    const llm = new ChatAnthropic({
      model: ANTHROPIC_MODEL,
      apiKey: h.token,
      anthropicApiUrl: h.base.anthropic,
    });
    expect((await llm.invoke('hi')).content).toBe('hello from claude');
    let out = '';
    for await (const chunk of await llm.stream('hi')) out += chunk.text;
    expect(out).toBe('hello from claude');
    const denied = new ChatAnthropic({
      model: 'claude-opus-4-1',
      apiKey: h.token,
      maxRetries: 0,
      anthropicApiUrl: h.base.anthropic,
    });
    expect((await caught(denied.invoke('hi'))).message).toContain('providers.anthropic.models');
  });
});

describe('OpenAI Agents SDK', () => {
  it('runs an agent, streams it, and shows a refusal (tracing export off)', async () => {
    // Tracing would export to api.openai.com with OPENAI_API_KEY: turn it off.
    setTracingDisabled(true);
    setDefaultOpenAIClient(new OpenAI({ baseURL: h.base.openai, apiKey: h.token }));
    const agent = new Agent({ name: 'helper', instructions: 'Be brief.', model: OPENAI_MODEL });
    const result = await run(agent, 'hi');
    expect(result.finalOutput).toBe('hello from responses');
    expect(h.up.openai.received.at(-1)?.url).toBe('/v1/responses');

    const streamed = await run(agent, 'hi', { stream: true });
    let out = '';
    for await (const piece of streamed.toTextStream()) out += piece;
    await streamed.completed;
    expect(out).toBe('hello from responses');

    const denied = new Agent({ name: 'helper', instructions: 'Be brief.', model: 'gpt-4o' });
    expect((await caught(run(denied, 'hi'))).message).toContain('providers.openai.models');
  });
});
