// The process-level rule for unexpected errors (core/failure.ts): log where, never what; audit the stop;
// stop forwarding; tell the person; exit 70. The process is a plain EventEmitter passed in.
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { describeInternal, EXIT_INTERNAL_ERROR, installFailurePolicy } from '../../core/failure.ts';

const SECRET = 'sk-live-value-never-logged';

function harness(recordFails = false) {
  const proc = new EventEmitter();
  const seen = {
    logs: [] as string[],
    told: [] as string[],
    recorded: [] as string[],
    stops: 0,
    exits: [] as number[],
  };
  let exited: () => void = () => undefined;
  const done = new Promise<void>((r) => (exited = r));
  const remove = installFailurePolicy(proc, {
    record: (detail) => {
      if (recordFails) throw new Error('audit_unavailable');
      seen.recorded.push(detail);
    },
    stop: () => {
      seen.stops += 1;
      return Promise.resolve();
    },
    tell: (m) => seen.told.push(m),
    log: (l) => seen.logs.push(l),
    exit: (code) => {
      seen.exits.push(code);
      exited();
    },
  });
  return { proc, seen, done, remove };
}

describe('describeInternal', () => {
  it('names the kind, the code and the frames, never the message', () => {
    const err = Object.assign(new RangeError(`bad value ${SECRET}`), { code: 'ERR_X' });
    const line = describeInternal(err);
    expect(line).toMatch(/^RangeError \(ERR_X\) at .*failure-policy\.test\.ts/);
    expect(line).not.toContain(SECRET);
    expect(describeInternal(SECRET)).toBe('string');
    expect(describeInternal(null)).toBe('object');
  });
});

describe('installFailurePolicy', () => {
  it('on an uncaught exception: logs, audits, tells, stops, exits 70 — once', async () => {
    const h = harness();
    h.proc.emit('uncaughtException', new TypeError(SECRET));
    h.proc.emit('unhandledRejection', new Error('second'));
    await h.done;
    expect(h.seen.exits).toEqual([EXIT_INTERNAL_ERROR]);
    expect(h.seen.stops).toBe(1);
    expect(h.seen.recorded).toHaveLength(1);
    expect(h.seen.recorded[0]).toMatch(/^TypeError at /);
    expect(h.seen.told[0]).toMatch(
      /stopped after an unexpected error \(TypeError\).*The audit log records the stop/,
    );
    expect(JSON.stringify(h.seen)).not.toContain(SECRET);
  });

  it('on an unhandled rejection whose audit cannot be written: says so and still stops', async () => {
    const h = harness(true);
    h.proc.emit('unhandledRejection', SECRET);
    await h.done;
    expect(h.seen.told[0]).toContain('The audit log could not record the stop.');
    expect(h.seen.stops).toBe(1);
    expect(JSON.stringify(h.seen)).not.toContain(SECRET);
  });

  it('can be removed', () => {
    const h = harness();
    h.remove();
    expect(h.proc.listenerCount('uncaughtException')).toBe(0);
    expect(h.proc.listenerCount('unhandledRejection')).toBe(0);
  });
});
