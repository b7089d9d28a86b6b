// Audit appends the way the request path makes them: each decision's entry in a savepoint of the group
// commit (Core.commitGrouped), each producer waiting for the commit that holds its entry before it goes
// on. 64 concurrent producers for a few seconds; then the chain is verified.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/storage/db.ts';
import { Core } from '../../core/core.ts';
import { OsKeychain } from '../../core/keychain/os-keychain.ts';
import { progress } from './common.ts';

const PRODUCERS = 64;
const SECONDS = 4;

export async function benchAuditGroup(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'akc-bench-group-'));
  const db = openDatabase(dir);
  // The keychain is never asked here: the vault stays uninitialized, the chain head unsealed.
  const core = new Core(db, new OsKeychain(), { approvalTimeoutMs: 1000 });
  try {
    let written = 0;
    const end = performance.now() + SECONDS * 1000;
    const producer = async (p: number): Promise<void> => {
      while (performance.now() < end) {
        await core.commitGrouped(() =>
          core.record({
            actor: 'agent',
            agentId: `agt_bench${p}`,
            agentName: `bench-${p}`,
            action: 'llm.request',
            provider: 'openai',
            method: 'POST',
            path: '/chat/completions',
            facts: { type: 'proxy', model: 'gpt-4o-mini', stream: false },
            decision: 'allow',
            reason: 'allowed',
            rule: 'providers.openai',
            requestId: `req_${p}_${written}`,
          }),
        );
        written += 1;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: PRODUCERS }, (_, p) => producer(p)));
    const perSec = written / ((performance.now() - started) / 1000);
    progress(
      `group commit: ${Math.round(perSec).toLocaleString('en-US')} entries/s with ${PRODUCERS} concurrent producers`,
    );
    const verify = await core.audit.verify({ full: true });
    progress(
      `verify after group commit: ${verify.ok ? 'ok' : `broken (${verify.problem ?? ''})`}, ${verify.checked.toLocaleString('en-US')} entries`,
    );
    return { 'audit.groupCommit.perSec': perSec, 'audit.groupCommit.verifyOk': verify.ok ? 1 : 0 };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
