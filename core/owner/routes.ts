// Routes that ask for owner presence without holding any credential yet: `akc login` (a CLI owner session)
// and a second `npm start` (a console login link). Both resolve the caller from the socket, show the owner
// a prompt naming it, and answer only when the owner allows (or with the passphrase of a passphrase vault).
import { z } from 'zod';
import type { Route, RouteCtx } from '../server/routes.ts';
import { readJsonObject } from '../server/body.ts';
import { sendJson } from '../server/respond.ts';
import { parseInput } from '../server/validate.ts';
import { AppError } from '../errors.ts';
import type { Core } from '../core.ts';
import type { ConsoleSessions } from '../server/sessions.ts';
import { DEFAULT_OWNER_SESSION_MINUTES, OwnerSessionMinutes } from '../../shared/owner.ts';
import type { OwnerPlane } from './plane.ts';
import { hasProc, insideAkcRun, peerPid, processInfo } from './tree.ts';

const LoginBody = z.strictObject({
  minutes: OwnerSessionMinutes.optional(),
  passphrase: z.string().min(1).max(1024).optional(),
});

const LinkBody = z.strictObject({ passphrase: z.string().min(1).max(1024).optional() });

function abortOnClose(ctx: RouteCtx): AbortSignal {
  const ctrl = new AbortController();
  ctx.req.socket.once('close', () => ctrl.abort());
  return ctrl.signal;
}

export function ownerRoutes(core: Core, owner: OwnerPlane, sessions: ConsoleSessions): Route[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/owner/presence',
      // Public and harmless: whether a prompt can be shown now, so a CLI can say what to do up front.
      auth: 'none',
      consoleAllowed: false,
      handler: (ctx) => {
        sendJson(ctx.res, 200, {
          canPrompt: owner.canPrompt,
          passphraseVault: core.vault.keySource === 'passphrase',
          vault: core.vault.state,
        });
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/owner/login',
      // No credential yet: the caller is checked from /proc and the owner decides (or the passphrase).
      auth: 'none',
      consoleAllowed: false,
      handler: async (ctx) => {
        const body = parseInput(LoginBody, await readJsonObject(ctx.req));
        const caller = owner.resolveCaller(ctx.req);
        if ('refused' in caller) {
          owner.audit(
            'owner.session.refused',
            'deny',
            'bad_caller',
            `Owner session refused: ${caller.refused}`,
            {},
          );
          throw new AppError('presence_required', `No owner session: ${caller.refused}.`);
        }
        const minutes = body.minutes ?? DEFAULT_OWNER_SESSION_MINUTES;
        const facts = { pid: caller.pid, command: caller.info.command, anchorPid: caller.anchor.pid };
        if (body.passphrase !== undefined) {
          await owner.passphrasePresence(body.passphrase, `an owner session for pid ${caller.pid}`);
          if (core.vault.state === 'locked') await core.vault.unlock(body.passphrase);
        }
        if (core.vault.state !== 'unlocked') {
          throw new AppError(
            'vault_locked',
            core.vault.state === 'uninitialized'
              ? 'The vault is not set up yet. Set it up in the app or the console first.'
              : 'The vault is locked, and owner sessions exist only while it is unlocked. Unlock it in the app or the console' +
                  (core.vault.keySource === 'passphrase' ? ', or run `akc login --passphrase`.' : '.'),
          );
        }
        if (body.passphrase !== undefined) {
          const { view, token } = owner.createSession(caller, minutes, 'passphrase');
          sendJson(ctx.res, 200, { session: view, token });
          return;
        }
        owner.audit(
          'owner.session.requested',
          'event',
          'requested',
          `akc pid ${caller.pid} asks for an owner session`,
          facts,
        );
        const anchor = caller.info.parents.find((p) => p.pid === caller.anchor.pid);
        const outcome = await owner.ask(
          'session',
          `Start a ${minutes}-minute owner session for the akc command line run from ${anchor ? `${anchor.command} (pid ${anchor.pid})` : `pid ${caller.anchor.pid}`}`,
          caller.info,
          { signal: abortOnClose(ctx) },
        );
        if (outcome.decision !== 'allow') {
          owner.audit(
            'owner.session.denied',
            'deny',
            outcome.decision,
            `Owner session for akc pid ${caller.pid} not allowed`,
            facts,
          );
          throw new AppError(
            'owner_denied',
            outcome.decision === 'timeout'
              ? 'Nobody answered the session request in the app or the console in time. Run `akc login` again.'
              : 'The owner denied this session request.',
          );
        }
        const { view, token } = owner.createSession(caller, outcome.minutes, 'prompt');
        sendJson(ctx.res, 200, { session: view, token });
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/owner/console-link',
      // A second start asks for a console login link; it gets one only if the owner allows it.
      auth: 'none',
      consoleAllowed: false,
      handler: async (ctx) => {
        const body = parseInput(LinkBody, await readJsonObject(ctx.req));
        const pid = peerPid(ctx.req.socket, null);
        // The owner is asked about a process they can see: where /proc can name every same-user process, one
        // it cannot find is not asked about (elsewhere there is no lookup at all, and the prompt says so).
        if (pid === null && hasProc) {
          owner.audit(
            'console.link.refused',
            'deny',
            'caller_unknown',
            'Console link refused: the calling process was not found in /proc',
            { pid },
          );
          throw new AppError(
            'presence_required',
            'The process asking for a console link could not be identified, so the owner was not asked. Open the console from the app, or with the link printed when Agent Keychain started.',
          );
        }
        if (pid !== null && insideAkcRun(pid)) {
          owner.audit(
            'console.link.refused',
            'deny',
            'inside_akc_run',
            `Console link refused for pid ${pid} inside akc run`,
            { pid },
          );
          throw new AppError(
            'presence_required',
            'A process launched by `akc run` runs as an agent and cannot open the console.',
          );
        }
        const info =
          pid === null
            ? {
                pid: null,
                command: null,
                parents: [],
                note: `process lookup is not available on ${process.platform}`,
              }
            : processInfo(pid);
        const facts = { pid, command: info.command };
        if (body.passphrase !== undefined) {
          await owner.passphrasePresence(body.passphrase, 'a console login link');
        } else {
          const outcome = await owner.ask(
            'console-link',
            // Any same-user process can ask: the owner is told what the link gives, and who gets it.
            'This process wants a console sign-in link, which gives full owner access. Allow only if you just started Agent Keychain again yourself.',
            info,
            {
              signal: abortOnClose(ctx),
            },
          );
          if (outcome.decision !== 'allow') {
            owner.audit(
              'console.link.denied',
              'deny',
              outcome.decision,
              'Console login link not allowed',
              facts,
            );
            throw new AppError('owner_denied', 'The owner did not allow a new console login link.');
          }
        }
        owner.audit(
          'console.link.issued',
          'allow',
          body.passphrase !== undefined ? 'passphrase' : 'owner_allowed',
          'Console login link issued',
          facts,
        );
        sendJson(ctx.res, 200, { url: `${core.url}/console/login?code=${sessions.mintCode(core.now())}` });
      },
    },
  ];
}
