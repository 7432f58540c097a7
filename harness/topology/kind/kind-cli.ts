import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/versions';
import { exec } from '../../runtime/exec';

/** What the topology asks of the `kind` binary and the container engine; faked in unit tests. */
export interface KindCli {
  dockerVersion(): Promise<string | undefined>;
  clusterExists(name: string): Promise<boolean>;
  createCluster(name: string, opts: { config: string; nodeImage: string; kubeconfig: string }): Promise<void>;
  writeKubeconfig(name: string, kubeconfig: string): Promise<void>;
  deleteCluster(name: string): Promise<void>;
  buildImage(tag: string, dockerfile: string, context: string): Promise<void>;
  loadImage(name: string, tag: string): Promise<void>;
}

export const KIND_CONFIG = join(REPO_ROOT, 'kind-config.yaml');
export const MOCK_VLLM_DOCKERFILE = join(REPO_ROOT, 'harness', 'mock-vllm', 'Dockerfile');

/**
 * `kindBinary` is asked for only when a kind command runs, so a machine without Docker hears so before the
 * pinned kind is built.
 */
export function realKindCli(kindBinary: () => Promise<string>, progress: (m: string) => void): KindCli {
  const echo = (prefix: string) => (line: string) => {
    if (line.trim()) progress(`${prefix}: ${line.trim()}`);
  };
  return {
    async dockerVersion() {
      try {
        return (await exec('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15000 })).trim();
      } catch {
        return undefined;
      }
    },
    async clusterExists(name) {
      const out = await exec(await kindBinary(), ['get', 'clusters'], { timeoutMs: 30000 });
      return out.split('\n').some((l) => l.trim() === name);
    },
    async createCluster(name, o) {
      await exec(
        await kindBinary(),
        [
          'create',
          'cluster',
          '--name',
          name,
          '--config',
          o.config,
          '--image',
          o.nodeImage,
          '--kubeconfig',
          o.kubeconfig,
          '--wait',
          '180s',
        ],
        { timeoutMs: 600000, onLine: echo('kind') },
      );
    },
    async writeKubeconfig(name, kubeconfig) {
      await exec(await kindBinary(), ['export', 'kubeconfig', '--name', name, '--kubeconfig', kubeconfig], {
        timeoutMs: 30000,
      });
    },
    async deleteCluster(name) {
      await exec(await kindBinary(), ['delete', 'cluster', '--name', name], {
        timeoutMs: 300000,
        onLine: echo('kind'),
      });
    },
    async buildImage(tag, dockerfile, context) {
      await exec('docker', ['build', '-f', dockerfile, '-t', tag, context], {
        timeoutMs: 900000,
        onLine: echo('docker build'),
      });
    },
    async loadImage(name, tag) {
      await exec(await kindBinary(), ['load', 'docker-image', tag, '--name', name], {
        timeoutMs: 300000,
        onLine: echo('kind load'),
      });
    },
  };
}
