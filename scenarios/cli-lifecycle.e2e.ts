// The CLI's promises about processes: `up` starts everything and prints where it is; `down`, Ctrl-C and even
// `kill -9` of `up` leave nothing of the run alive and every port free again; bad input fails fast.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { firstLine, liveGroups, runCli, spawnCli, type CliResult } from '../harness/scenario/cli-process';
import { applicability, notApplicable } from '../harness/scenario/use-topology';
import { isPortInUse } from '../harness/runtime/ports';
import { waitReady } from '../harness/runtime/readiness';

interface UpJson {
  gateway: string;
  extProc: string;
  jaegerQuery: string;
  models: { url: string }[];
  logsDir: string;
}

const runsDir = mkdtempSync(join(tmpdir(), 'epp-e2e-cli-'));
const env = { EPP_E2E_RUNS_DIR: runsDir };
const started: ChildProcess[] = [];

/** Every host:port the run listened on (the model servers each on a loopback IP of their own). */
function portsOf(up: UpJson): { host: string; port: number }[] {
  return [up.gateway, `http://${up.extProc}`, up.jaegerQuery, ...up.models.map((m) => m.url)].map((u) => {
    const url = new URL(u);
    return { host: url.hostname, port: Number(url.port) };
  });
}

interface StartedUp {
  child: ChildProcess;
  up: UpJson;
  exited: Promise<number | null>;
  /** Its own runs folder: `down` stops every run of the folder it is given, and so only this one. */
  env: NodeJS.ProcessEnv;
}

function startUp(models: number): Promise<StartedUp> {
  const upEnv = { EPP_E2E_RUNS_DIR: mkdtempSync(join(tmpdir(), 'epp-e2e-cli-up-')) };
  const child = spawnCli(['up', '--topology', 'local', '--models', String(models), '--json'], upEnv);
  started.push(child);
  // Listen from the start: `up` may be gone before the test gets to ask.
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = firstLine(child, 180000).then((line) => ({
    child,
    up: JSON.parse(line) as UpJson,
    exited,
    env: upEnv,
  }));
  // Awaited by its test; a failure before that must not surface as an unhandled rejection.
  ready.catch(() => undefined);
  return ready;
}

async function expectRunGone(up: UpJson): Promise<void> {
  // etcd's data (120 MB a run) is scratch: gone with the run, however it ended. Its logs stay.
  const etcdData = join(dirname(up.logsDir), 'etcd');
  const ports = portsOf(up);
  // A group counts as gone once its members are zombies (they run no code), but a multi-threaded process's leader
  // is a zombie while the kernel still tears its other threads down, and its sockets close with the last of them:
  // on a busy machine, a moment later. So the ports are awaited too, not checked once.
  await waitReady(
    "every process group of the run, etcd's data and every port of the run to be gone",
    async () => {
      const left = liveGroups(up.logsDir);
      if (left.length > 0) return `still alive: ${left.join(', ')}`;
      if (existsSync(etcdData)) return `${etcdData} still there`;
      for (const { host, port } of ports) if (await isPortInUse(port, host)) return `${host}:${port} still in use`;
      return true;
    },
    { timeoutMs: 20000 },
  );
  expect(existsSync(join(up.logsDir, 'etcd.log'))).toBe(true);
}

/** A PATH with node but nothing else (no Go, no Python, no docker), and a tool cache with nothing in it. */
function bareMachine(): { EPP_E2E_CACHE: string; PATH: string } {
  const onlyNode = mkdtempSync(join(tmpdir(), 'epp-e2e-path-'));
  symlinkSync(process.execPath, join(onlyNode, 'node'));
  return { EPP_E2E_CACHE: mkdtempSync(join(tmpdir(), 'epp-e2e-nocache-')), PATH: onlyNode };
}

const INPUT_ERRORS: [string[], string][] = [
  [['up', '--models', '0'], '--models must be a whole number from 1 to 8'],
  [['up', '--topology', 'minikube'], 'unknown topology "minikube"'],
  [['up', '--epp-version', 'v9.9.9'], 'unknown EPP version "v9.9.9"; pinned versions are'],
  [['up', '--no-such-flag'], 'up does not take --no-such-flag; it takes: --topology, --models,'],
  [['run', '--models', '4'], 'run does not take --models; it takes: --topology, --scenario,'],
  [['frobnicate'], 'unknown command "frobnicate"; commands: packages, doctor,'],
];

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
});

// These are promises about local processes; on kind the same commands are covered by the kind unit tests.
const gate = applicability(['local-processes']);
if (!gate.applies) {
  notApplicable('epp-e2e up / down', gate.reason);
} else {
  // Every command of this file is a process of its own, independent of the others: they all start together, and
  // each test then awaits and checks its own. The file takes as long as its slowest command (an `up`), not their sum.
  let ups: { down: Promise<StartedUp>; ctrlC: Promise<StartedUp>; kill9: Promise<StartedUp> };
  let inputErrors: Promise<CliResult>[];
  let help: Promise<CliResult[]>;
  let doctor: Promise<CliResult>;
  let kind: { machine: { EPP_E2E_CACHE: string; PATH: string }; result: Promise<CliResult> };
  beforeAll(() => {
    // One `up` for each way it ends: `down`, Ctrl-C, kill -9. An `up` ends once, so each needs its own. The first
    // shows --models at work (two model servers, each on its own loopback address); the others need only one.
    ups = { down: startUp(2), ctrlC: startUp(1), kill9: startUp(1) };
    inputErrors = INPUT_ERRORS.map(([args]) => runCli(args, env));
    help = Promise.all([runCli(['--help'], env), runCli(['run', '--help'], env)]);
    doctor = runCli(['doctor'], bareMachine());
    const machine = bareMachine();
    kind = { machine, result: runCli(['up', '--topology', 'kind'], machine) };
  });

  describe('epp-e2e input errors', () => {
    it.each(INPUT_ERRORS.map(([args, message], i) => [args, message, i] as const))(
      '%j fails fast with exit 2 and a clear message',
      async (_args, message, i) => {
        const r = await inputErrors[i];
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(message);
      },
    );

    it('--help lists the commands, and each command its own flags', async () => {
      const [all, run] = await help;
      expect(all.code).toBe(0);
      expect(all.stdout).toContain('usage: epp-e2e <command> [options]');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('usage: epp-e2e run [options]');
      expect(run.stdout).toContain('--scenario NAME ...');
    });

    it('doctor names the missing tool and how to get it, and fails', async () => {
      // Neither Go nor Python on its PATH: nothing can be built.
      const r = await doctor;
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAIL {2}go +not found/);
      expect(r.stdout).toContain('fix: install Go 1.24 or newer');
      expect(r.stdout).toMatch(/FAIL {2}Envoy 1\.40\.0 +not downloaded, and no python3 -m pip/);
      expect(r.stdout).toContain('topology local: cannot run here');
    });

    it('up --topology kind without a Docker engine says so and how to run local, and builds nothing', async () => {
      // No docker on its PATH, whatever the machine has: `docker info` cannot answer.
      const r = await kind.result;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('epp-e2e: the kind topology needs a Docker engine, and none answers (docker ');
      expect(r.stderr).toContain(
        'Start Docker, or run the local topology, which needs no container engine: make e2e TOPOLOGY=local',
      );
      expect(readdirSync(kind.machine.EPP_E2E_CACHE)).toEqual([]);
    });
  });

  describe('epp-e2e up / down', () => {
    it('up prints the endpoints as one JSON line, and down stops the whole run', async () => {
      const { up, exited, env: upEnv } = await ups.down;
      expect(up.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(up.models).toHaveLength(2);
      expect(liveGroups(up.logsDir).length).toBeGreaterThanOrEqual(7);
      const down = await runCli(['down'], upEnv);
      expect(down.code).toBe(0);
      expect(down.stdout).toContain('stopped');
      expect(await exited).toBe(143);
      await expectRunGone(up);
    });

    it('Ctrl-C on up stops everything and exits 130', async () => {
      const { child, up, exited } = await ups.ctrlC;
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      await expectRunGone(up);
    });

    it('a killed up (kill -9) leaves nothing behind: the reaper stops the run and removes its scratch data', async () => {
      const { child, up } = await ups.kill9;
      child.kill('SIGKILL');
      await expectRunGone(up);
    });
  });
}
