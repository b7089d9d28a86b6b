// In-flight requests per agent, so that revoke, suspend and rotate can cut them (docs/ARCHITECTURE.md, "Invariants": revocation): aborting the
// controller cancels the upstream request and destroys the agent's response stream.
export class Inflight {
  private readonly byAgent = new Map<string, Set<AbortController>>();

  /** Registers a request; call the returned function when it ends, however it ends. */
  register(agentId: string, controller: AbortController): () => void {
    let set = this.byAgent.get(agentId);
    if (!set) {
      set = new Set();
      this.byAgent.set(agentId, set);
    }
    set.add(controller);
    return () => {
      const s = this.byAgent.get(agentId);
      if (!s) return;
      s.delete(controller);
      if (s.size === 0) this.byAgent.delete(agentId);
    };
  }

  /** Aborts every in-flight request of the agent; returns how many were cut. */
  cut(agentId: string, reason: string): number {
    const set = this.byAgent.get(agentId);
    if (!set) return 0;
    this.byAgent.delete(agentId);
    for (const controller of set) controller.abort(new Error(reason));
    return set.size;
  }

  count(agentId: string): number {
    return this.byAgent.get(agentId)?.size ?? 0;
  }
}
