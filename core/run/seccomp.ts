// The `akc run` sandbox's one system-call filter (seccomp, classic BPF, handed to bubblewrap with
// --seccomp FD): the ioctls that push bytes into a terminal's input (TIOCSTI) or paste a selection into a
// virtual console (TIOCLINUX) fail with EPERM. Without it the sandboxed command could type a command line
// into the owner's terminal, which the owner's shell reads and runs outside the sandbox once `akc run`
// returns (CVE-2017-5226 in bubblewrap's own history). Unlike bubblewrap's --new-session, this keeps the
// terminal the command's own (Ctrl+C, resizes, /dev/tty), and it holds for root too.
//
// Checked for the native ABI and the 32-bit one the kernel also accepts from the same process (i386 on
// x86-64, with x32's ioctl too; arm on arm64); only the low 32 bits of the request are compared, as the
// kernel does. Other architectures get no filter (sandbox.ts falls back to --new-session there).

/** The part of struct seccomp_data the filter reads (offsets; every architecture here is little-endian). */
const NR = 0;
const ARCH = 4;
const ARG1_LOW = 24;

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_EPERM = 0x00050000 | 1;

const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;

interface Abi {
  arch: number;
  /** The ioctl system call's numbers under this ABI. */
  ioctl: number[];
}

const ABIS: Partial<Record<NodeJS.Architecture, Abi[]>> = {
  x64: [
    { arch: 0xc000003e, ioctl: [16, 0x40000000 | 514] }, // x86-64 and x32
    { arch: 0x40000003, ioctl: [54] }, // i386
  ],
  arm64: [
    { arch: 0xc00000b7, ioctl: [29] }, // aarch64
    { arch: 0x40000028, ioctl: [54] }, // arm
  ],
};

type Label = string;
type Insn =
  | { op: 'ld'; k: number }
  | { op: 'jeq'; k: number; yes: Label; no: Label }
  | { op: 'ret'; k: number }
  | { op: 'label'; name: Label };

/** The filter for this machine's architecture, as bubblewrap reads it (struct sock_filter[]), or null. */
export function ttyInjectionFilter(arch: NodeJS.Architecture = process.arch): Buffer | null {
  const abis = ABIS[arch];
  if (abis === undefined) return null;
  const code: Insn[] = [{ op: 'ld', k: ARCH }];
  abis.forEach((abi, i) => {
    code.push({ op: 'jeq', k: abi.arch, yes: `abi${i}`, no: i + 1 < abis.length ? `arch${i + 1}` : 'allow' });
    if (i + 1 < abis.length) code.push({ op: 'label', name: `arch${i + 1}` });
  });
  abis.forEach((abi, i) => {
    code.push({ op: 'label', name: `abi${i}` }, { op: 'ld', k: NR });
    abi.ioctl.forEach((nr, j) => {
      const last = j + 1 === abi.ioctl.length;
      code.push({ op: 'jeq', k: nr, yes: 'ioctl', no: last ? 'allow' : `abi${i}nr${j + 1}` });
      if (!last) code.push({ op: 'label', name: `abi${i}nr${j + 1}` });
    });
  });
  code.push(
    { op: 'label', name: 'ioctl' },
    { op: 'ld', k: ARG1_LOW },
    { op: 'jeq', k: TIOCSTI, yes: 'deny', no: 'linux' },
    { op: 'label', name: 'linux' },
    { op: 'jeq', k: TIOCLINUX, yes: 'deny', no: 'allow' },
    { op: 'label', name: 'allow' },
    { op: 'ret', k: RET_ALLOW },
    { op: 'label', name: 'deny' },
    { op: 'ret', k: RET_EPERM },
  );
  return assemble(code);
}

/** Resolves labels to forward jump offsets and writes each instruction as {u16 code, u8 jt, u8 jf, u32 k}. */
function assemble(code: readonly Insn[]): Buffer {
  const at = new Map<Label, number>();
  const insns: Exclude<Insn, { op: 'label' }>[] = [];
  for (const insn of code) {
    if (insn.op === 'label') at.set(insn.name, insns.length);
    else insns.push(insn);
  }
  const out = Buffer.alloc(insns.length * 8);
  insns.forEach((insn, i) => {
    const o = i * 8;
    const jump = (label: Label): number => {
      const target = at.get(label);
      // Classic BPF jumps only forward, at most 255 instructions.
      if (target === undefined || target <= i || target - i - 1 > 255)
        throw new Error(`bad jump to ${label}`);
      return target - i - 1;
    };
    if (insn.op === 'ld') out.writeUInt16LE(LD_W_ABS, o);
    else if (insn.op === 'ret') out.writeUInt16LE(RET_K, o);
    else {
      out.writeUInt16LE(JEQ_K, o);
      out.writeUInt8(jump(insn.yes), o + 2);
      out.writeUInt8(jump(insn.no), o + 3);
    }
    out.writeUInt32LE(insn.k >>> 0, o + 4);
  });
  return out;
}
