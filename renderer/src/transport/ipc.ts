// Electron IPC transport: wraps the preload bridge (window.akc) and unwraps its tagged results.
import type { AdminOpName, OpInput, OpOutput } from '../../../shared/contract.ts';
import type { AkcBridge, BridgeResult } from '../../../shared/bridge.ts';
import { TransportError, type ConnectionState, type Transport } from './types.ts';

function unwrap<T>(r: BridgeResult<T>): T {
  if (r.ok) return r.value;
  throw new TransportError(r.error.code, r.error.message, r.error.path);
}

export function createIpcTransport(bridge: AkcBridge): Transport {
  return {
    kind: 'ipc',
    async call<N extends AdminOpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> {
      return unwrap(await bridge.invoke(name, input));
    },
    subscribe(listener) {
      return bridge.onEvent(listener);
    },
    async exportAudit(query, format) {
      unwrap(await bridge.exportAudit(query, format));
    },
    onConnection(_listener: (s: ConnectionState) => void) {
      // In-process events cannot drop; nothing to report.
      return () => undefined;
    },
  };
}
