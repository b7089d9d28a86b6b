// POST /v1/token: an agent proves who it is with an assertion signed by its enrolled Ed25519 key and
// gets a short-lived credential (akc_…), optionally bound to that key (cnf.jkt, DPoP-style proofs).
// No bearer credential is needed to call it; the signature is the credential.
import type { Route } from '../server/routes.ts';
import type { Core } from '../core.ts';
import { readJsonObject } from '../server/body.ts';
import { parseInput } from '../server/validate.ts';
import { sendJson } from '../server/respond.ts';
import { TokenRequest, type TokenResponse } from '../../shared/identity.ts';
import { verifyAssertion } from './assertion.ts';
import { auditRefusal } from './refusal.ts';

export const DEFAULT_TOKEN_SECONDS = 600;

export function tokenRoute(core: Core): Route {
  return {
    method: 'POST',
    path: '/v1/token',
    auth: 'none',
    consoleAllowed: false,
    handler: async (ctx) => {
      const now = Date.now();
      let input: TokenRequest | undefined;
      try {
        input = parseInput(TokenRequest, await readJsonObject(ctx.req));
        const { agent, key } = await verifyAssertion(core, input.assertion, now);
        const ttl = input.ttlSeconds ?? DEFAULT_TOKEN_SECONDS;
        const { cred, token } = core.shortLived.mint({
          kind: 'token',
          agentId: agent.id,
          ttlMs: ttl * 1000,
          now,
          kid: key.kid,
          jkt: input.bind === true ? key.kid : null,
        });
        // Fail-closed: a token whose issue cannot be audited is ended before anyone sees it.
        const audited = (): void => {
          try {
            issue();
          } catch (err) {
            core.shortLived.end(cred.id, 'audit unavailable', now);
            throw err;
          }
        };
        const issue = (): void => {
          core.record({
            actor: 'agent',
            action: 'token.issued',
            agentId: agent.id,
            agentName: agent.name,
            decision: 'allow',
            reason: 'token.issued',
            rule: `Short-lived credential ${cred.hint} from key ${key.kid}, ${ttl} s${cred.jkt ? ', bound to the key' : ''}`,
            facts: { kid: key.kid, ttlSeconds: ttl, bound: cred.jkt !== null, tokenId: cred.id },
            requestId: ctx.requestId,
          });
        };
        audited();
        const body: TokenResponse = {
          access_token: token,
          token_type: cred.jkt ? 'DPoP' : 'Bearer',
          expires_in: ttl,
          kid: key.kid,
          agent_id: agent.id,
        };
        sendJson(ctx.res, 200, body);
      } catch (err) {
        throw auditRefusal(core, ctx, { action: 'token.refused', err, now, assertion: input?.assertion });
      }
    },
  };
}
