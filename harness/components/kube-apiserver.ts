import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ManagedProcess } from '../runtime/managed-process';
import { httpProbe, waitReady } from '../runtime/readiness';
import type { RunContext } from '../runtime/run-context';

export interface ApiserverFiles {
  certDir: string;
  tokenFile: string;
  saPublicKey: string;
  saPrivateKey: string;
}

/**
 * The smallest real kube-apiserver the EPP can discover endpoints through: loopback only, a static admin
 * token, every request allowed (no RBAC to set up: this control plane only exists for one test run), and no
 * ServiceAccount admission (there is no controller-manager to create the default service account).
 */
export function kubeApiserverArgs(files: ApiserverFiles, etcdUrl: string, port: number): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${files.certDir}`,
    `--token-auth-file=${files.tokenFile}`,
    '--authorization-mode=AlwaysAllow',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${files.saPublicKey}`,
    `--service-account-signing-key-file=${files.saPrivateKey}`,
    // Config only: no traffic ever goes to this range, there are no Services to route.
    '--service-cluster-ip-range=10.96.0.0/24',
    '--disable-admission-plugins=ServiceAccount',
    // The operator's Go sidecar is privileged; without this the mutated EPP pod is rejected
    // ("privileged: Forbidden: disallowed by cluster policy"). Nothing runs pods here: it only admits objects.
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    // The endpoint reconciler would try to publish 127.0.0.1 as the `kubernetes` Service's endpoint.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
    '--v=1',
  ];
}

export function renderKubeconfig(server: string, caPem: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'e2e', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } },
    ],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'admin', namespace: 'default' } }],
    'current-context': 'e2e',
  });
}

export interface StartedApiserver {
  process: ManagedProcess;
  server: string;
  token: string;
  caPem: string;
  kubeconfig: string;
}

export async function startKubeApiserver(
  ctx: RunContext,
  binary: string,
  etcdUrl: string,
  port: number,
): Promise<StartedApiserver> {
  const dir = join(ctx.runDir, 'kube-apiserver');
  const files: ApiserverFiles = {
    certDir: join(dir, 'certs'),
    tokenFile: join(dir, 'tokens.csv'),
    saPublicKey: join(dir, 'sa.pub'),
    saPrivateKey: join(dir, 'sa.key'),
  };
  mkdirSync(files.certDir, { recursive: true });
  const token = randomBytes(24).toString('hex');
  writeFileSync(files.tokenFile, `${token},e2e-admin,e2e-admin,"system:masters"\n`, { mode: 0o600 });
  // ECDSA P-256 (ES256 tokens), not RSA: an RSA 2048 key took 0.8-0.9 s of CPU on the start's critical path on 2
  // busy cores, a P-256 one takes ~1 ms; the API server signs with either.
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(files.saPublicKey, publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(files.saPrivateKey, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });

  const process = ctx.registry.start({
    name: 'kube-apiserver',
    command: binary,
    args: kubeApiserverArgs(files, etcdUrl, port),
    logFile: join(ctx.logsDir, 'kube-apiserver.log'),
  });
  const server = `https://127.0.0.1:${port}`;
  // The serving certificate (and the CA that signed it) is generated into --cert-dir at start-up.
  const certFile = join(files.certDir, 'apiserver.crt');
  let caPem = '';
  await waitReady(
    'kube-apiserver serving certificate',
    async () => {
      try {
        caPem = readFileSync(certFile, 'utf8');
        return caPem.includes('END CERTIFICATE') ? true : 'certificate incomplete';
      } catch {
        return `${certFile} not written yet`;
      }
    },
    { timeoutMs: 60000, process },
  );
  await waitReady(
    'kube-apiserver /readyz',
    httpProbe(`${server}/readyz`, { ca: caPem, headers: { Authorization: `Bearer ${token}` } }),
    { timeoutMs: 90000, process },
  );
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, renderKubeconfig(server, caPem, token), { mode: 0o600 });
  return { process, server, token, caPem, kubeconfig };
}
