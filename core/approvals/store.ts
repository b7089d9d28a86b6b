// The approvals table: one row per held request, for the record and for restart (a request pending when the
// keychain stopped is marked expired and audited). Statements are prepared once.
import type { Db } from '../storage/db.ts';

export type StoredStatus = 'pending' | 'approved' | 'denied' | 'timeout' | 'expired' | 'cancelled';

export interface NewApproval {
  id: string;
  agentId: string;
  requestId: string;
  summary: string;
  rule: string;
  factsJson: string;
  createdAt: string;
  expiresAt: string;
}

export interface PendingRow {
  id: string;
  agent_id: string;
  request_id: string;
  summary: string;
}

export class ApprovalStore {
  private readonly insertStmt;
  private readonly statusStmt;
  private readonly deadlineStmt;
  private readonly pendingStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare<[string, string, string, string, string, string, string, string]>(
      "INSERT INTO approvals (id, agent_id, request_id, summary, rule, facts_json, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
    );
    this.statusStmt = db.prepare<[StoredStatus, string, string]>(
      'UPDATE approvals SET status = ?, decided_at = ? WHERE id = ?',
    );
    this.deadlineStmt = db.prepare<[string, string]>('UPDATE approvals SET expires_at = ? WHERE id = ?');
    this.pendingStmt = db.prepare<[], PendingRow>(
      "SELECT id, agent_id, request_id, summary FROM approvals WHERE status = 'pending'",
    );
  }

  insert(a: NewApproval): void {
    this.insertStmt.run(
      a.id,
      a.agentId,
      a.requestId,
      a.summary,
      a.rule,
      a.factsJson,
      a.createdAt,
      a.expiresAt,
    );
  }

  setStatus(id: string, status: StoredStatus, at: string): void {
    this.statusStmt.run(status, at, id);
  }

  setDeadline(id: string, expiresAt: string): void {
    this.deadlineStmt.run(expiresAt, id);
  }

  pending(): PendingRow[] {
    return this.pendingStmt.all();
  }
}
