import { closeSync, openSync, readFileSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import { ensureEbpfMounts } from '../runtime/ebpf-host';
import { binaryCommand, startedOf, type ComponentDeclaration, type LocalRun, type Outputs } from './declaration';
import { epp, EPP_BSP_SCHEDULE_DELAY_MS, eppPinOf } from './epp';

/** The agent's batch delay unless the sidecar's env sets one: the EPP's, so the flush horizon waits alike on both. */
export const AGENT_BSP_SCHEDULE_DELAY_MS = EPP_BSP_SCHEDULE_DELAY_MS;

/** The line our agent main logs once every probe is attached (and the harness may send traffic). */
export const AGENT_LOADED = 'instrumentation loaded successfully';

/** Section names of an ELF64 little-endian file (what Go builds for linux/amd64 and arm64). */
export function elfSectionNames(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    const read = (offset: number, length: number): Buffer => {
      const b = Buffer.alloc(length);
      readSync(fd, b, 0, length, offset);
      return b;
    };
    const h = read(0, 64);
    if (h.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file`);
    if (h[4] !== 2 || h[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
    const shoff = Number(h.readBigUInt64LE(0x28));
    const shentsize = h.readUInt16LE(0x3a);
    const shnum = h.readUInt16LE(0x3c);
    const shstrndx = h.readUInt16LE(0x3e);
    const headers = read(shoff, shentsize * shnum);
    const strHeader = shstrndx * shentsize;
    const strtab = read(
      Number(headers.readBigUInt64LE(strHeader + 0x18)),
      Number(headers.readBigUInt64LE(strHeader + 0x20)),
    );
    const names: string[] = [];
    for (let i = 0; i < shnum; i++) {
      const nameOff = headers.readUInt32LE(i * shentsize);
      names.push(strtab.toString('latin1', nameOff, strtab.indexOf(0, nameOff)));
    }
    return names;
  } finally {
    closeSync(fd);
  }
}

/**
 * Why the agent cannot instrument this binary, or undefined when it can: it needs the symbol table and DWARF
 * (with Go 1.26.8, `-s -w` fails with "overflow in offset", and `-w` alone leaves it without the DWARF its
 * offset table needs for Go releases it does not list).
 */
export function notInstrumentable(binary: string): string | undefined {
  const names = new Set(elfSectionNames(binary));
  const missing = ['.symtab', '.debug_info'].filter((s) => !names.has(s) && !names.has(s.replace('.', '.z')));
  if (missing.length === 0) return undefined;
  return (
    `cannot instrument ${binary}: it is stripped (no ${missing.join(', ')}); the Go auto-instrumentation agent ` +
    'needs its symbols and DWARF: build it without -ldflags "-s -w"'
  );
}

/** The probes our agent main turned off, from its "probe off: <pkg> <kind>: <why>" lines. */
export function parseProbesOff(log: string): string[] {
  return log
    .split('\n')
    .map((l) => /^probe off: (.+)$/.exec(l.trim())?.[1])
    .filter((x): x is string => !!x);
}

export interface GoAutoAgentConfig {
  /** The environment of the operator's sidecar, as a kubelet resolved it. */
  env: Record<string, string>;
  /** The EPP process it instruments and the very file that process runs. */
  target: { pid: number; binary: string };
  timeoutMs?: number;
}

function logOf(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The agent on the EPP when the operator injected its sidecar and this machine can run it (else the EPP's outputs
 * say why not): with the sidecar's env, OTEL_GO_AUTO_TARGET_EXE mapped from the image's path to the file the local
 * EPP runs, the build of that very binary (the agent matches it against /proc/PID/exe).
 */
async function agentOnTheEpp(run: LocalRun, up: Outputs): Promise<GoAutoAgentConfig[]> {
  const [target] = startedOf(up, epp);
  const op = target && 'container' in target.config ? target.config.operator : undefined;
  if (!op?.sidecarEnv || !run.tools.operatorMode?.agent) return [];
  const exe = op.sidecarEnv.OTEL_GO_AUTO_TARGET_EXE;
  const imageBinary = eppPinOf(run).imageBinary;
  if (exe !== imageBinary) {
    throw new Error(
      `the sidecar targets ${exe}, which is not the binary of the EPP image (${imageBinary}); ` +
        'the local EPP is the build of that binary, nothing else can be mapped',
    );
  }
  const local = realpathSync(op.binary);
  await ensureEbpfMounts(run.progress);
  return [{ env: { ...op.sidecarEnv, OTEL_GO_AUTO_TARGET_EXE: local }, target: { pid: target.pid, binary: local } }];
}

/**
 * Our agent main with the environment of the operator's sidecar. The target must be the very file the EPP process
 * runs: the agent matches OTEL_GO_AUTO_TARGET_EXE against /proc/PID/exe, so a mismatch is refused before the start.
 */
export const goAutoAgent: ComponentDeclaration<
  GoAutoAgentConfig,
  never,
  {
    /** "pkg kind: why", one per probe turned off (empty on a kernel without lockdown). */
    probesOff: string[];
    /** How long the offset analysis and attach took (see agentTargetBinary for what makes it slow or fast). */
    loadSeconds: number;
  }
> = {
  name: 'go-auto-agent',
  ports: [],
  command: binaryCommand('go-auto-agent'),
  args: () => [],
  // The pid stands in for the pod's own PID namespace: here other runs' EPPs may run the same binary.
  env: (c) => ({
    // Its batches every 100 ms (as the EPP's), not the SDK's default 5 s: a check that waits for the agent's spans
    // then waits for them, not for a timer. Export timing only; what it exports is unchanged.
    OTEL_BSP_SCHEDULE_DELAY: String(AGENT_BSP_SCHEDULE_DELAY_MS),
    ...c.env,
    OTEL_GO_AUTO_TARGET_PID: String(c.target.pid),
  }),
  prepare: ({ env, target }) => {
    const exe = readlinkSync(`/proc/${target.pid}/exe`);
    if (env.OTEL_GO_AUTO_TARGET_EXE !== exe) {
      throw new Error(
        `OTEL_GO_AUTO_TARGET_EXE=${env.OTEL_GO_AUTO_TARGET_EXE} is not what the EPP (pid ${target.pid}) runs: ` +
          `/proc/${target.pid}/exe is ${exe}; the agent would wait for it forever`,
      );
    }
    const why = notInstrumentable(realpathSync(target.binary));
    if (why) throw new Error(why);
  },
  // Its clean exit closes its ~40 uprobe links one by one, each waiting for an RCU grace period (about 4 s on this
  // kernel), and flushes spans that no check reads any more: killed, the kernel releases them after it is gone.
  stopSignal: 'SIGKILL',
  readiness: (c, { logFile }) => [
    {
      what: `the Go auto-instrumentation agent's "${AGENT_LOADED}" (its offset analysis of the EPP)`,
      // Our main exits on any load failure, which the wait reports with the log's tail.
      probe: async () => (logOf(logFile).includes(AGENT_LOADED) ? true : 'not loaded yet'),
      timeoutMs: c.timeoutMs ?? 240000,
    },
  ],
  outputs: (_, { placement, readyInMs }) => ({
    probesOff: parseProbesOff(logOf(placement.logFile)),
    loadSeconds: Math.round(readyInMs / 1000),
  }),
  wiring: {
    after: [],
    afterStarted: ['epp'],
    instances: (run, up) => (run.topology === 'local' ? agentOnTheEpp(run, up) : []),
    binary: (tools) => tools.operatorMode?.agent,
    starting: (_, [c]) =>
      `starting the Go auto-instrumentation agent on the EPP (pid ${c.target.pid}, ${c.target.binary}); ` +
      'waiting for its offset analysis',
    ready: ([a]) =>
      `agent loaded in ${a.loadSeconds}s; probes turned off: ${a.probesOff.length ? a.probesOff.join(' | ') : 'none'}`,
  },
};
