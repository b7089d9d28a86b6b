// The key redactor: every encoded form, split at every byte boundary, is masked; nothing else is held back.
import { describe, expect, it } from 'vitest';
import { keyForms, redactText, StreamRedactor } from '../../core/providers/redact.ts';

const KEY = 'sk-ant-api03-MASTER/key+0123456789_abcdefghij';
const forms = keyForms(KEY);

function run(parts: Buffer[]): string {
  const r = new StreamRedactor(forms);
  return Buffer.concat([...parts.map((p) => r.push(p)), r.end()]).toString('utf8');
}

describe('StreamRedactor', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const samples = [
    KEY,
    b64(KEY),
    b64(`u:${KEY}`),
    b64(`ab:${KEY}`).replace(/\+/g, '-').replace(/\//g, '_'),
    encodeURIComponent(KEY),
    Array.from(KEY, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  ];

  it('masks each form wherever the stream is split, keeping the length', () => {
    for (const sample of samples) {
      const text = Buffer.from(`data: {"x":"${sample}"}\n\n`);
      for (let cut = 0; cut <= text.length; cut++) {
        const out = run([text.subarray(0, cut), text.subarray(cut)]);
        expect(out.length).toBe(text.length);
        expect(out).not.toContain(sample);
        expect(out).toContain('[redacted]');
      }
      const dripped = run([...text].map((b) => Buffer.from([b])));
      expect(dripped).not.toContain(sample);
    }
  });

  it('holds nothing back when the tail cannot start a form, and only the possible start otherwise', () => {
    const r = new StreamRedactor(forms);
    expect(r.push(Buffer.from('data: {"a":1}\n\n')).toString()).toBe('data: {"a":1}\n\n');
    expect(r.push(Buffer.from('data: sk-ant')).toString()).toBe('data: ');
    expect(r.push(Buffer.from('-other\n')).toString()).toBe('sk-ant-other\n');
    expect(r.end().length).toBe(0);
  });

  it('redactText masks headers-sized strings too; short keys are not looked for', () => {
    expect(redactText(`Bearer ${KEY}`, forms)).not.toContain(KEY);
    expect(keyForms('short').bytes).toEqual([]);
  });

  it('masks an answer that ends part-way through a key, from 8 bytes on, streamed or whole', () => {
    // An answer cut off mid-echo (a size limit the agent pads up to) must not give away most of the key.
    for (const missing of [1, 2, 3, KEY.length - 8]) {
      const partial = KEY.slice(0, KEY.length - missing);
      const text = `{"error":"Incorrect API key provided: ${partial}`;
      for (const out of [run([Buffer.from(text)]), redactText(text, forms)]) {
        expect(out.length).toBe(text.length);
        expect(out).not.toContain(partial);
        expect(out).toMatch(/Incorrect API key provided: (\[redacted\]\**|\*{8,9})$/);
      }
    }
    // Fewer than 8 bytes of a start is ordinary text, and passed on.
    expect(run([Buffer.from('see sk-ant-')])).toBe('see sk-ant-');
    expect(redactText('see sk-ant-', forms)).toBe('see sk-ant-');
  });
});
