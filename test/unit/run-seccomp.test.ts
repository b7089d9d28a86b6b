// The akc run sandbox's seccomp filter as bytes: one program per known architecture, every jump forward and
// inside the program, both ABIs checked, and none where no filter is written (the sandbox then falls back).
// That the kernel enforces it is tested with bubblewrap itself (test/run/sandbox-terminal.test.ts).
import { describe, expect, it } from 'vitest';
import { ttyInjectionFilter } from '../../core/run/seccomp.ts';

const JEQ = 0x15;
const RET = 0x06;

function decode(filter: Buffer): { code: number; jt: number; jf: number; k: number }[] {
  const out = [];
  for (let o = 0; o < filter.length; o += 8)
    out.push({
      code: filter.readUInt16LE(o),
      jt: filter.readUInt8(o + 2),
      jf: filter.readUInt8(o + 3),
      k: filter.readUInt32LE(o + 4),
    });
  return out;
}

describe('the terminal-injection seccomp filter', () => {
  it.each([
    ['x64', [0xc000003e, 0x40000003], [16, 0x40000202, 54]],
    ['arm64', [0xc00000b7, 0x40000028], [29, 54]],
  ] as const)(
    'for %s checks both ABIs and their ioctl numbers, with every jump inside',
    (arch, arches, ioctls) => {
      const filter = ttyInjectionFilter(arch);
      expect(filter).not.toBeNull();
      const insns = decode(filter ?? Buffer.alloc(0));
      insns.forEach((insn, i) => {
        if (insn.code === JEQ) {
          expect(i + 1 + insn.jt).toBeLessThan(insns.length);
          expect(i + 1 + insn.jf).toBeLessThan(insns.length);
        }
      });
      const compared = insns.filter((x) => x.code === JEQ).map((x) => x.k);
      for (const a of arches) expect(compared).toContain(a);
      for (const nr of ioctls) expect(compared).toContain(nr);
      expect(compared).toContain(0x5412); // TIOCSTI
      expect(compared).toContain(0x541c); // TIOCLINUX
      // It ends in its two answers: allow, and EPERM.
      expect(insns.filter((x) => x.code === RET).map((x) => x.k)).toEqual([0x7fff0000, 0x00050001]);
    },
  );

  it('has no filter for an architecture it does not know', () => {
    expect(ttyInjectionFilter('riscv64')).toBeNull();
  });
});
