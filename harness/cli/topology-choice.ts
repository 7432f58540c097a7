import { OptionError } from '../config/run-options';
import { exec } from '../runtime/exec';

/** What `--topology auto` (the `make e2e` default) chose, and why: the first line a run prints. */
export interface TopologyChoice {
  topology: 'local' | 'kind';
  reason: string;
}

/** The Docker engine's version, or why none answers: `docker --version` alone is only the client. */
export type DockerProbe = () => Promise<{ ok: true; version: string } | { ok: false; why: string }>;

export const probeDocker: DockerProbe = async () => {
  try {
    const version = (await exec('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15000 })).trim();
    return version ? { ok: true, version } : { ok: false, why: '`docker info` printed no server version' };
  } catch (err) {
    return { ok: false, why: (err as Error).message.split('\n').slice(0, 2).join(' ').trim() };
  }
};

/**
 * `auto`: kind when a Docker engine answers, local otherwise. `kind` asked for explicitly needs Docker and fails
 * here, before anything is built, with the reason; `local` needs nothing to be probed.
 */
export async function chooseTopology(requested: string | undefined, docker: DockerProbe): Promise<TopologyChoice> {
  const wanted = requested ?? 'auto';
  if (wanted === 'local') return { topology: 'local', reason: 'asked for (--topology local)' };
  if (wanted !== 'auto' && wanted !== 'kind') {
    throw new OptionError(`unknown topology "${wanted}"; choose one of: auto, local, kind`);
  }
  const engine = await docker();
  if (wanted === 'kind') {
    if (engine.ok) return { topology: 'kind', reason: `asked for (--topology kind); Docker engine ${engine.version}` };
    // Not a usage error (exit 1, not 2): the command line is right, the machine lacks what it asks for.
    throw new Error(
      `the kind topology needs a Docker engine, and none answers (${engine.why}). ` +
        'Start Docker, or run the local topology, which needs no container engine: make e2e TOPOLOGY=local',
    );
  }
  return engine.ok
    ? { topology: 'kind', reason: `auto: a Docker engine answers (${engine.version})` }
    : { topology: 'local', reason: `auto: no Docker engine answers (${engine.why})` };
}
