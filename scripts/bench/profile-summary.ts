// Summarises a .cpuprofile (from `npm run bench -- --cpu-prof <dir>`): self time by function, top N.
// Run: node scripts/bench/profile-summary.ts <file.cpuprofile> [N]
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Profile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/bench/profile-summary.ts <file.cpuprofile> [N]');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 40);
const profile = Profile.parse(JSON.parse(readFileSync(file, 'utf8')));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
const label = (id: number): string => {
  const n = byId.get(id);
  if (!n) return '?';
  const url = n.callFrame.url.replace(/^.*\/work\/main\//, '').replace(/^node:/, '');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  all += dt;
  const name = label(id);
  self.set(name, (self.get(name) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(cur);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + dt);
  }
});
const show = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title} (of ${(all / 1e6).toFixed(2)} s sampled)`);
  for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${((100 * v) / all).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`,
    );
  }
};
show('self time', self);
show('total time (inclusive)', total);
