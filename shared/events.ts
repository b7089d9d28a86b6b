// Events the core publishes in process (Electron bridge) and over SSE (GET /admin/v1/events). Like the
// operations in contract.ts, each event is a zod schema: the sender is typed by it, and every edge that
// receives an event (the renderer's HTTP and IPC transports, the preload bridge, test clients) parses it
// with `parseEvent` before anything reads it. Add an event here and nowhere else.
import { z } from 'zod';
import { AgentView, ApprovalView, AuditEntry, GrantView, Status } from './models.ts';
import { describeIssue } from './issue-path.ts';
import { OwnerPromptView, OwnerSessionView } from './owner.ts';

const ApprovalDecided = z.object({
  id: z.string(),
  decision: z.enum(['approve', 'deny', 'timeout', 'cancelled']),
  grant: GrantView.nullable(),
});
const AgentRevoked = z.object({ agent: AgentView, cut: z.number() });

/** Every event as `{name, data}`, discriminated by name. */
export const AppEventSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('audit.appended'), data: AuditEntry }),
  z.object({ name: z.literal('approval.requested'), data: ApprovalView }),
  z.object({ name: z.literal('approval.decided'), data: ApprovalDecided }),
  z.object({ name: z.literal('agent.updated'), data: AgentView }),
  z.object({ name: z.literal('agent.revoked'), data: AgentRevoked }),
  z.object({ name: z.literal('vault.state'), data: Status }),
  /** An owner prompt to show (CLI session request, an act to confirm, a console link). */
  z.object({ name: z.literal('owner.prompt'), data: OwnerPromptView }),
  z.object({
    name: z.literal('owner.prompt.closed'),
    data: z.object({ id: z.string(), outcome: z.enum(['allowed', 'denied', 'timeout', 'cancelled']) }),
  }),
  /** The live owner sessions changed (created, ended, expired). */
  z.object({ name: z.literal('owner.sessions'), data: z.object({ sessions: z.array(OwnerSessionView) }) }),
]);

type AnyEvent = z.output<typeof AppEventSchema>;
export type EventName = AnyEvent['name'];
/** One event; without a type argument, the union of all events (narrow it with `name`). */
export type AppEvent<N extends EventName = EventName> = Extract<AnyEvent, { name: N }>;
export type EventMap = { [N in EventName]: AppEvent<N>['data'] };

/** The event names, read from the schema (for SSE parsers that skip unknown names cheaply). */
export const EVENT_NAMES: readonly EventName[] = AppEventSchema.options.map((o) => o.shape.name.value);

export type EventParse = { ok: true; event: AppEvent } | { ok: false; problem: string };

/**
 * Validates one received event (`{name, data}`). Unknown names and data that do not match the event's
 * schema are refused with a short description (field path and message, never the data itself).
 */
export function parseEvent(raw: unknown): EventParse {
  const parsed = AppEventSchema.safeParse(raw);
  if (parsed.success) return { ok: true, event: parsed.data };
  return { ok: false, problem: describeIssue(parsed.error.issues, 'event') };
}
