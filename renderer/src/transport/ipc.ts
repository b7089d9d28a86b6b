// Electron IPC transport: wraps the preload bridge (window.akc), validates what it hands back against the
// contract (the preload validated it too: this edge does not rely on it), and unwraps the tagged results.
import { z } from 'zod';
import { outputSchema, type AdminOpName, type OpInput, type OpOutput } from '../../../shared/contract.ts';
import { parseBridgeResult, type AkcBridge, type BridgeResult } from '../../../shared/bridge.ts';
import { parseEvent } from '../../../shared/events.ts';
import { TransportError, type ConnectionState, type Transport } from './types.ts';

const ExportResult = z.string().nullable();

function unwrap<T>(r: BridgeResult<T>): T {
  if (r.ok) return r.value;
  throw new TransportError(r.error.code, r.error.message, r.error.path);
}

export function createIpcTransport(bridge: AkcBridge): Transport {
  return {
    kind: 'ipc',
    async call<N extends AdminOpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> {
      const raw: unknown = await bridge.invoke(name, input);
      return unwrap(parseBridgeResult(raw, outputSchema(name)));
    },
    subscribe(listener) {
      return bridge.onEvent((raw: unknown) => {
        const parsed = parseEvent(raw);
        if (parsed.ok) listener(parsed.event);
        else console.error(`[akc] an event from the bridge was dropped (${parsed.problem})`);
      });
    },
    async exportAudit(query, format) {
      const raw: unknown = await bridge.exportAudit(query, format);
      unwrap(parseBridgeResult(raw, ExportResult));
    },
    onConnection(_listener: (s: ConnectionState) => void) {
      // In-process events cannot drop; nothing to report.
      return () => undefined;
    },
  };
}
