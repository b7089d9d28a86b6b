// Revoke under load (target in docs/benchmarks.md: nothing allowed after revoke returns; an open stream cut within 50 ms).
// Agents A and B hammer the proxy (16 clients each, from the load process) while one streaming request of A
// is open (the upstream sends a chunk every 20 ms); this process revokes A through the admin API and
// watches the stream. Three independent witnesses for "allowed after revoke": the upstream's arrival log,
// the clients' statuses, and the daemon's own audit log.
import http from 'node:http';
import { z } from 'zod';
import { AgentKeychain } from '../../client/index.ts';
import { progress, sleep, wallNow, type Child } from './common.ts';
import type { Target } from './http-load.ts';
import { startDaemonProcess, startLoad, startUpstream } from './processes.ts';
import { PROXY_CHAT_PATH, chatBody } from './scopes.ts';

const CONCURRENCY = 16;
const BEFORE_MS = 2000;
const AFTER_MS = 2000;

const Counts = z.object({
  total: z.number(),
  okBefore: z.number(),
  doneBefore: z.number(),
  sentAfter: z.number(),
  okSentAfter: z.number(),
  okReceivedAfter: z.number(),
  refusedAfter: z.number(),
});
const TaggedReply = z.object({ type: z.literal('tagged'), summary: z.record(z.string(), Counts) });
const Arrivals = z.object({
  type: z.literal('arrivals'),
  total: z.number(),
  after: z.number(),
  lastAt: z.number(),
});

/** Opens A's streaming request; resolves once the first chunk is in, with a promise of when the stream ends. */
function openStream(url: string, token: string): Promise<{ ended: Promise<number>; chunks: () => number }> {
  return new Promise((resolve, reject) => {
    const body = chatBody('A', true);
    let chunks = 0;
    let markEnd: (at: number) => void = () => undefined;
    const ended = new Promise<number>((r) => (markEnd = r));
    const u = new URL(PROXY_CHAT_PATH, url);
    const req = http.request(
      {
        host: u.hostname,
        port: Number(u.port),
        path: u.pathname,
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`the stream got HTTP ${res.statusCode ?? 0}`));
          res.resume();
          return;
        }
        res.on('data', () => {
          chunks += 1;
          if (chunks === 1) resolve({ ended, chunks: () => chunks });
        });
        res.on('error', () => markEnd(wallNow()));
        res.on('close', () => markEnd(wallNow()));
      },
    );
    req.on('error', (err) => {
      markEnd(wallNow());
      if (chunks === 0) reject(err);
    });
    req.end(body);
  });
}

async function auditAllowsAfter(
  admin: AgentKeychain,
  agentId: string,
): Promise<{ revokeSeq: number; allowsAfter: number }> {
  const revoked = await admin.audit.list({ agentId, action: 'agent.revoked', limit: 1 });
  const revokeSeq = revoked.entries[0]?.seq ?? Number.POSITIVE_INFINITY;
  let allowsAfter = 0;
  let cursor: string | undefined;
  // Newest first: page until the entries are older than the revoke (bounded).
  for (let page = 0; page < 50; page += 1) {
    const res = await admin.audit.list({
      agentId,
      action: 'llm.request',
      decision: 'allow',
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    let older = false;
    for (const e of res.entries) {
      if (e.seq > revokeSeq) allowsAfter += 1;
      else older = true;
    }
    if (older || res.nextCursor === null) break;
    cursor = res.nextCursor;
  }
  return { revokeSeq, allowsAfter };
}

const pct = (part: number, whole: number): number => (whole === 0 ? Number.NaN : (100 * part) / whole);

export async function benchRevoke(): Promise<Record<string, number>> {
  const stops: Child[] = [];
  try {
    const upstream = await startUpstream(true);
    stops.push(upstream.child);
    progress('starting the daemon with agents A and B…');
    const daemon = await startDaemonProcess(upstream.url, ['A', 'B']);
    stops.push(daemon.child);
    const load = await startLoad();
    stops.push(load);
    const a = daemon.info.agents.A;
    const b = daemon.info.agents.B;
    if (!a || !b) throw new Error('the daemon did not create agents A and B');
    const admin = new AgentKeychain({ baseUrl: daemon.info.url, adminToken: daemon.info.adminToken });
    await admin.agents.list(); // warms fetch, so the revoke call is not charged for its first use

    const stream = await openStream(daemon.info.url, a.token);
    const target = (name: string, token: string): Target => ({
      name,
      url: daemon.info.url,
      path: PROXY_CHAT_PATH,
      headers: { authorization: `Bearer ${token}` },
      body: chatBody(name),
    });
    load.send({
      type: 'tagged',
      targets: [target('A', a.token), target('B', b.token)],
      concurrency: CONCURRENCY,
      maxMs: 20_000,
    });
    await load.next(z.object({ type: z.literal('started') }));
    progress(
      `A and B hammering the proxy (${CONCURRENCY} clients each), A's stream open; revoking A in ${BEFORE_MS / 1000} s…`,
    );
    await sleep(BEFORE_MS);

    const revokeStart = wallNow();
    const result = await admin.agents.revoke(a.id, {
      reason: 'benchmark: revoke under load',
      severity: 'low',
    });
    const revokeReturned = wallNow();
    progress(
      `revoke returned in ${(revokeReturned - revokeStart).toFixed(2)} ms (cut ${result.cut} in-flight request(s)); load goes on for ${AFTER_MS / 1000} s`,
    );
    await sleep(AFTER_MS);
    load.send({ type: 'finish', revokeStart, revokeReturned });
    const { summary } = await load.next(TaggedReply, 60_000);
    const streamEnd = await Promise.race([stream.ended, sleep(5000).then(() => Number.NaN)]);

    upstream.child.send({ type: 'arrivals', tag: 'A', after: revokeReturned });
    const arrivals = await upstream.child.next(Arrivals);
    const audit = await auditAllowsAfter(admin, a.id);
    const sa = summary.A;
    const sb = summary.B;
    if (!sa || !sb) throw new Error('the load process returned no figures for A or B');

    const out: Record<string, number> = {
      'revoke.upstreamAfterRevokeCount': arrivals.after,
      'revoke.auditAllowsAfterRevokeCount': audit.allowsAfter,
      'revoke.a2xxSentAfterRevokeCount': sa.okSentAfter,
      'revoke.a2xxReceivedAfterRevokeCount': sa.okReceivedAfter,
      'revoke.aRefusedAfterRevokeCount': sa.refusedAfter,
      'revoke.aRequestsCount': sa.total,
      'revoke.bSuccessBeforePct': pct(sb.okBefore, sb.doneBefore),
      'revoke.bSuccessAfterPct': pct(sb.okSentAfter, sb.sentAfter),
      'revoke.bRequestsCount': sb.total,
      'revoke.callMs': revokeReturned - revokeStart,
      'revoke.streamCutMs': streamEnd - revokeStart,
      'revoke.streamCutVsReturnMs': streamEnd - revokeReturned,
      'revoke.cutInFlightCount': result.cut,
    };
    progress(
      `A: ${sa.total} requests, ${sa.okSentAfter} got 2xx though sent after revoke returned, ${sa.okReceivedAfter} 2xx answers arrived after it (already in flight); ` +
        `upstream saw ${arrivals.after} A request(s) after revoke; audit has ${audit.allowsAfter} allow(s) for A after the revoke entry`,
    );
    progress(
      `A's stream ended ${(streamEnd - revokeStart).toFixed(2)} ms after the revoke call started (${stream.chunks()} chunks read)`,
    );
    return out;
  } finally {
    for (const c of stops.reverse()) await c.stop();
  }
}
