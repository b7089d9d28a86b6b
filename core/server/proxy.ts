// ANY /v1/proxy/{providerId}/{path…}: adapter facts → policy (+ approval) → audit commit → master key
// injected → forwarded over a keep-alive pool (upstream-client.ts) → response streamed back chunk by chunk with backpressure
// → usage and cost settled → outcome audited. Revocation aborts the upstream call and cuts the stream.
import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import type { AgentCtx, Route, RouteCtx } from './routes.ts';
import type { Core } from '../core.ts';
import type { ApprovalCenter } from '../approvals/center.ts';
import { AppError } from '../errors.ts';
import { readRaw, PROXY_BODY_LIMIT } from './body.ts';
import { checkProxyPath, upstreamUrl } from './proxy-path.ts';
import { checkFactsBounds } from './facts-bounds.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import type { Authorized } from './authorize.ts';
import { authorizeLive, inFlight } from './in-flight.ts';
import { ADAPTERS } from '../providers/registry.ts';
import { ProviderId } from '../../shared/scopes.ts';
import {
  checkRequestHeaders,
  downstreamHeaders,
  upstreamHeaders,
  wholeTextHeaders,
} from './upstream-headers.ts';
import { sendError } from './respond.ts';
import { describeInternal } from '../failure.ts';
import { sameEndpoint, type KeyForCall } from '../vault/records.ts';
import { ERROR_STATUS } from '../../shared/errors.ts';
import type { UsageMeter } from '../providers/types.ts';
import { redactHeaders, redactText, StreamRedactor, type KeyForms } from '../providers/redact.ts';
import { proxyErrorRenderer } from '../providers/error-shape.ts';
import { lookupRefusal, modelListing, withModelListing } from '../providers/model-list.ts';
import { relayRewritten } from '../providers/model-list-relay.ts';
import { modelListFor } from '../providers/model-list-scope.ts';
import { callUpstream, discard, readWhole, upstreamFailure } from './upstream-client.ts';
import type { UpstreamRequestHeaders, UpstreamResponse } from './upstream-client.ts';

export interface ProxyOptions {
  /** Upstream must send response headers within this time. */
  headersTimeoutMs: number;
  /** Longest silence between two upstream chunks. */
  idleTimeoutMs: number;
}

const ERROR_BODY_LIMIT = 1024 * 1024;
const FORWARDED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const BODILESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/** What every proxied call is handled with. */
interface ProxyDeps {
  core: Core;
  approvals: ApprovalCenter;
  options: ProxyOptions;
}

export function proxyRoute(core: Core, approvals: ApprovalCenter, options: ProxyOptions): Route {
  const deps: ProxyDeps = { core, approvals, options };
  return {
    method: '*',
    path: '/v1/proxy/:provider/*',
    auth: 'agent',
    consoleAllowed: false,
    // Our refusals in the provider's own error format (docs/clients.md).
    errorRenderer: (params) => proxyErrorRenderer((id) => core.providers.find(id)?.kind, params.provider),
    handler: (ctx) =>
      // In flight from here on: a revoke while the body is still arriving, the request is held, or its
      // entry waits for the group commit cuts it too (checked again right before forwarding).
      inFlight(core, ctx, (controller) => handleProxy(deps, ctx, controller)),
  };
}

async function handleProxy(deps: ProxyDeps, ctx: AgentCtx, controller: AbortController): Promise<void> {
  const { core, approvals, options } = deps;
  const agent = ctx.agent;
  const providerId = ctx.params.provider ?? '';
  const method = (ctx.req.method ?? 'GET').toUpperCase();
  const rawUrl = ctx.req.url ?? '';
  const rawQuery = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
  const auditBase = {
    actor: 'agent' as const,
    agentId: agent.id,
    agentName: agent.name,
    provider: providerId.slice(0, 64),
    method,
    requestId: ctx.requestId,
  };
  const refuseInput: (err: AppError, path: string | null) => never = (err, path) => {
    core.record({
      ...auditBase,
      path,
      action: 'proxy.request',
      decision: 'deny',
      reason: err.code,
      rule: err.message,
    });
    throw err;
  };
  let path;
  try {
    path = checkProxyPath(ctx.params.rest ?? '');
  } catch (err) {
    if (err instanceof AppError) refuseInput(err, (ctx.params.rest ?? '').slice(0, 300));
    throw err;
  }
  const provider = ProviderId.safeParse(providerId).success ? core.providers.find(providerId) : undefined;
  if (!provider) {
    refuseInput(
      new AppError(
        'provider_not_configured',
        `No provider "${providerId.slice(0, 64)}" is configured in Agent Keychain.`,
      ),
      path.path,
    );
  }
  // The adapter reads the bytes exactly as the upstream will get them: no content codings.
  const encoding = (ctx.req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') {
    refuseInput(
      new AppError(
        'unsupported_media_type',
        'Compressed request bodies are not accepted: send the body uncompressed.',
      ),
      path.path,
    );
  }
  // Only the ordinary methods: TRACE would echo the request (master key included) back to the agent.
  if (!FORWARDED_METHODS.has(method)) {
    refuseInput(
      new AppError('method_not_allowed', `The method ${method.slice(0, 16)} is not forwarded to providers.`),
      path.path,
    );
  }
  try {
    checkRequestHeaders(ctx.req.headers, provider.kind);
  } catch (err) {
    if (err instanceof AppError) refuseInput(err, path.path);
    throw err;
  }
  const adapter = ADAPTERS[provider.kind];
  let body: Buffer;
  let facts: ProxyFacts;
  let target: URL;
  try {
    body = await readRaw(ctx.req, PROXY_BODY_LIMIT);
    // A body on a bodiless method is read by some servers and ignored by others: refused where facts matter.
    if (body.length > 0 && BODILESS.has(method) && provider.kind !== 'http') {
      throw new AppError('bad_request', `A ${method} request may not carry a body.`, { path: 'body' });
    }
    target = upstreamUrl(provider.baseUrl, path.path, rawQuery);
    // Endpoints are recognised case-insensitively; policy and the audit see the path as sent upstream.
    facts = {
      ...adapter.facts(
        { providerId, method, path: path.lower, query: rawQuery, headers: ctx.req.headers, body },
        providerId,
        core.prices,
      ),
      path: path.path,
    };
    checkFactsBounds(facts);
  } catch (err) {
    if (err instanceof AppError) refuseInput(err, path.path.slice(0, 300));
    throw err;
  }
  // Model lists are read filtered to the agent's allowlist (core/providers/model-list.ts).
  const listing = modelListing(provider.kind, method, path.path);
  if (listing !== null) facts = withModelListing(facts, listing);
  let allowed: Authorized;
  try {
    // Last check before anything leaves: still the same live credential, and not cut meanwhile.
    allowed = await authorizeLive(core, approvals, {
      ctx,
      controller,
      facts,
      where: {
        provider: providerId,
        path: path.path,
        digest: () =>
          requestDigest({ method, path: path.path, query: rawQuery, headers: ctx.req.headers, body }),
      },
      withdrawn: 'the request was forwarded',
    });
  } catch (err) {
    throw lookupRefusal(err, listing, providerId);
  }
  await forward(core, ctx, allowed, {
    agentId: agent.id,
    target,
    method,
    body,
    openKey: () => {
      const opened = core.providers.openForCall(providerId);
      // The target, headers and facts were made from the provider as it was when the request came in: the
      // key goes only where it is bound, so a provider changed (or re-read) meanwhile refuses the request.
      if (!sameEndpoint(opened.provider, provider)) {
        opened.release();
        throw new AppError(
          'conflict',
          `Provider ${providerId} changed while this request was on its way; nothing was sent. Send it again.`,
        );
      }
      return opened;
    },
    headers: (key) =>
      upstreamHeaders(
        ctx.req.headers,
        adapter.authHeaders(key, provider),
        adapter.defaultHeaders,
        body.length,
      ),
    meter: adapter.usageMeter(facts, undefined, core.prices),
    meterFor: (contentType) => adapter.usageMeter(facts, contentType, core.prices),
    options,
    controller,
    rewrite:
      listing?.type === 'list'
        ? (text) => modelListFor(core, agent, providerId, provider.kind, text)
        : undefined,
  });
}

/** Headers that change what the provider does with the same body; part of the request digest. */
const DIGEST_HEADERS = [
  'content-type',
  'stripe-account',
  'openai-organization',
  'openai-project',
  // Anthropic betas change what a call may do and cost (longer context, more output, server features).
  'anthropic-beta',
];

/**
 * The digest an approval is bound to: method, path, query, the headers that change meaning, and the body bytes.
 * A respond-async retry is released only when its digest is the same as the approved request's.
 */
function requestDigest(request: {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}): string {
  const { method, path, query, headers, body } = request;
  const h = createHash('sha256');
  h.update(`${method}\n${path}\n${query}\n`);
  for (const name of DIGEST_HEADERS) h.update(`${name}:${String(headers[name] ?? '')}\n`);
  h.update(body);
  return h.digest('base64url');
}

interface ForwardSpec {
  agentId: string;
  target: URL;
  controller: AbortController;
  method: string;
  body: Buffer;
  /** The master key for this call and the forms of it that the answer is scrubbed of. */
  openKey: () => KeyForCall;
  headers: (key: string) => UpstreamRequestHeaders;
  meter: UsageMeter | null;
  meterFor: (contentType: string | undefined) => UsageMeter | null;
  options: ProxyOptions;
  /** Rewrites a successful JSON answer before the agent sees it (the filtered model list). */
  rewrite: ((text: string) => string) | undefined;
}

function forward(core: Core, ctx: RouteCtx, allowed: Authorized, spec: ForwardSpec): Promise<void> {
  return new Promise<void>((resolve) => {
    const { res } = ctx;
    const controller = spec.controller;
    const budget = allowed.effects.filter((e) => e.reserveMicro > 0);
    let settled = false;
    const settle = (actualUsd: number | null): void => {
      if (settled) return;
      settled = true;
      // Unknown usage keeps the reservation as spent: budgets fail safe.
      for (const e of budget)
        core.counters.settle(spec.agentId, e, actualUsd === null ? e.reserveMicro : actualUsd * 1e6);
    };
    let done = false;
    const end = (reason: string, status: number, costUsd: number | null): void => {
      if (done) return;
      done = true;
      settle(costUsd);
      allowed.finish(reason, status, { costUsd });
      resolve();
    };

    // The key's forms stay this call's until its answer to the agent is closed: nothing reaches the agent after.
    let release = (): void => undefined;
    res.once('close', () => release());
    let opened: KeyForCall;
    let headers: UpstreamRequestHeaders;
    try {
      opened = spec.openKey();
      release = opened.release;
      if (res.closed) release();
      headers = spec.headers(opened.key);
    } catch (err) {
      const refused =
        err instanceof AppError
          ? err
          : new AppError('upstream_error', 'The provider URL is not valid. Check the provider’s base URL.');
      end(refused.code, ERROR_STATUS[refused.code], 0);
      sendError(res, refused, ctx.requestId);
      return;
    }

    // Revocation (or the agent hanging up) aborts the upstream call and cuts our response at once.
    const cut = (): void => {
      if (!res.headersSent) {
        sendError(
          res,
          new AppError('revoked', 'This agent’s access was withdrawn while the request was in flight.'),
          ctx.requestId,
        );
      } else {
        res.destroy();
      }
      end('cut', 499, null);
    };
    if (controller.signal.aborted) {
      cut();
      return;
    }
    controller.signal.addEventListener('abort', cut);
    res.on('close', () => {
      if (!done) {
        controller.abort(new Error('agent hung up'));
      }
    });

    callUpstream({
      url: spec.target,
      method: spec.method,
      headers,
      body: spec.body,
      signal: controller.signal,
      headersTimeoutMs: spec.options.headersTimeoutMs,
      idleTimeoutMs: spec.options.idleTimeoutMs,
    }).then(
      (up) => {
        // Cut while the headers were on their way: nothing more goes to the agent.
        if (done) {
          discard(up.body);
          return;
        }
        try {
          // Scrubbed of the key that was sent, whatever happened to the provider's key since.
          relay(ctx, spec, up, { forms: opened.forms, budgeted: budget.length > 0 }, end);
        } catch (err) {
          // Nothing of this answer has been passed on unchecked: refused, and the request ends here.
          discard(up.body);
          if (!res.headersSent) {
            sendError(
              res,
              new AppError('upstream_error', 'The provider’s answer could not be passed on.'),
              ctx.requestId,
            );
          } else res.destroy();
          end('upstream_error', 502, null);
          process.stderr.write(
            `agent-keychain: relay failed on ${ctx.requestId}: ${describeInternal(err)}\n`,
          );
        }
      },
      (err: unknown) => {
        if (done) return;
        const failure = upstreamFailure(err);
        const appErr =
          failure.kind === 'timeout'
            ? new AppError(
                'upstream_timeout',
                `The provider did not answer within ${Math.round(spec.options.headersTimeoutMs / 1000)} s. It may still have done the work; check with the provider before retrying anything that costs or sends.`,
              )
            : new AppError(
                'upstream_error',
                `The provider could not be reached${failure.why ? ` (${failure.why})` : ''}.${failure.sent ? ' The request may have reached it; check before retrying anything that costs or sends.' : ' Nothing was sent.'}`,
              );
        sendError(res, appErr, ctx.requestId);
        // A request that may have reached the provider keeps its reservation as spent: budgets fail safe.
        end(appErr.code, failure.kind === 'timeout' ? 504 : 502, failure.sent ? null : 0);
      },
    );
  });
}

/** Passes the provider's answer on: redacted, metered, streamed chunk by chunk with backpressure. */
function relay(
  ctx: RouteCtx,
  spec: ForwardSpec,
  up: UpstreamResponse,
  answer: { forms: KeyForms; budgeted: boolean },
  end: (reason: string, status: number, costUsd: number | null) => void,
): void {
  const { res } = ctx;
  const { status, headers, body } = up;
  const { forms, budgeted } = answer;
  const contentType = headers['content-type'];
  // No echo of the master key, in any encoding: headers here, bodies below (every status, streamed too).
  redactHeaders(headers, forms);
  // A transfer coding other than chunked (e.g. "gzip, chunked") reaches us still compressed, exactly like a
  // content coding: the hop-by-hop header is dropped and the agent would get bytes the check never read.
  const transfer = (headers['transfer-encoding'] ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'chunked');
  const content = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const coding = content !== 'identity' && content !== '' ? content : (transfer[0] ?? 'identity');
  if (coding !== 'identity') {
    // We asked for identity: a compressed answer could hide an echoed key from the check, so it is refused
    // (and not read on: a revoke could no longer cut an endless one once its outcome is written).
    discard(body);
    sendError(
      res,
      new AppError(
        'upstream_error',
        `The provider answered with a ${coding}-compressed body, which is refused.`,
      ),
      ctx.requestId,
    );
    end('upstream_error', 502, null);
    return;
  }
  const rewrite = spec.rewrite;
  if (rewrite !== undefined && status < 300) {
    relayRewritten(
      up,
      res,
      ctx.requestId,
      (text) => redactText(rewrite(text), forms),
      (ok) => end(ok ? 'forwarded' : 'upstream_error', ok ? status : 502, 0),
    );
    return;
  }
  if (status >= 400 && !(contentType ?? '').includes('event-stream')) {
    relayError(up, ctx, forms, (whole) =>
      whole ? end('upstream_status', status, 0) : end('upstream_error', 502, 0),
    );
    return;
  }
  const meter = spec.meterFor(contentType) ?? spec.meter;
  res.writeHead(status, downstreamHeaders(headers));
  // The head leaves with the first chunk, and a small answer with its end too, in one socket write
  // (a separate write for the head alone was the largest single cost of a proxied call). A stream
  // whose first chunk is slow still gets its head at the end of this turn of the event loop. The
  // socket is corked, not the response: a corked chunked response would send its terminator first.
  const agentSocket = ctx.req.socket;
  let wrote = false;
  let corked = true;
  agentSocket.cork();
  setImmediate(() => {
    if (!corked || res.destroyed) return;
    corked = false;
    if (!wrote) res.flushHeaders();
    agentSocket.uncork();
  });
  agentSocket.setNoDelay(true);
  const redactor = new StreamRedactor(forms);
  let stalled: NodeJS.Timeout | undefined;
  const unstall = (): void => clearTimeout(stalled);
  res.once('close', unstall);
  body.on('data', (chunk: Buffer) => {
    meter?.push(chunk);
    const out = redactor.push(chunk);
    if (out.length > 0) wrote = true;
    // Backpressure: a slow agent slows the upstream read, never our memory. An agent that stops reading
    // for longer than the idle timeout is cut, so it cannot hold a pooled provider connection for good.
    if (out.length > 0 && !res.write(out)) {
      body.pause();
      stalled = setTimeout(
        () => body.destroy(new Error('the agent stopped reading')),
        spec.options.idleTimeoutMs,
      );
      res.once('drain', () => {
        unstall();
        body.resume();
      });
    }
  });
  body.on('end', () => {
    corked = false; // end() uncorks fully
    res.end(redactor.end());
    const usage = meter?.finish() ?? null;
    end('forwarded', status, usage ? usage.costUsd : budgeted ? null : 0);
  });
  // A silence longer than the idle timeout, an agent that stopped reading, a broken connection, or a cut
  // (whose own answer, when the head had not left yet, is not cut short here).
  body.on('error', () => {
    if (!res.writableEnded) res.destroy();
    end('upstream_error', 502, null);
  });
}

/**
 * Error bodies from the provider are passed on, with any echo of the master key removed; `done(false)` when the
 * body broke off before its end or was larger than 1 MiB (nothing of it is passed on then).
 */
function relayError(
  up: UpstreamResponse,
  ctx: RouteCtx,
  forms: KeyForms,
  done: (whole: boolean) => void,
): void {
  const { res, requestId } = ctx;
  readWhole(
    up.body,
    ERROR_BODY_LIMIT,
    (bytes, overflowed) => {
      if (overflowed) {
        // Not passed on cut short: the cut could fall inside an echoed key, where no form matches.
        sendError(
          res,
          new AppError(
            'upstream_error',
            'The provider’s error answer was larger than 1 MiB; it is not passed on.',
          ),
          requestId,
        );
        done(false);
        return;
      }
      const text = redactText(bytes.toString('utf8'), forms);
      res.writeHead(up.status, wholeTextHeaders(up.headers, text));
      res.end(text);
      done(true);
    },
    () => {
      if (!res.writableEnded) res.destroy();
      done(false);
    },
  );
}
