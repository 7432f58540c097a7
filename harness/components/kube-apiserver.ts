import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { httpProbe } from '../runtime/readiness';
import { binaryCommand, outputsOf, type ComponentDeclaration } from './declaration';
import { etcd } from './etcd';
import { KubeClient } from './kube-client';

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

export interface KubeApiserverConfig {
  etcdUrl: string;
}

/** What its users need: where it serves, the admin token, the CA its serving certificate chains to. */
export interface ApiserverAccess {
  server: string;
  token: string;
  caPem: string;
  kubeconfig: string;
  /** A client of it as the admin, for the objects its users put there. */
  kube: KubeClient;
}

const DIR = 'kube-apiserver';

function apiserverFiles(fileAt: (path: string) => string): ApiserverFiles {
  return {
    certDir: fileAt(join(DIR, 'certs')),
    tokenFile: fileAt(join(DIR, 'tokens.csv')),
    saPublicKey: fileAt(join(DIR, 'sa.pub')),
    saPrivateKey: fileAt(join(DIR, 'sa.key')),
  };
}

/** The admin token, from the token file it was started with (`token,user,uid,"groups"`). */
function adminToken(files: ApiserverFiles): string {
  return readFileSync(files.tokenFile, 'utf8').split(',')[0];
}

/** The serving certificate (and the CA that signed it), generated into --cert-dir at start-up. */
function servingCert(files: ApiserverFiles): string {
  return join(files.certDir, 'apiserver.crt');
}

export const kubeApiserver: ComponentDeclaration<KubeApiserverConfig, 'secure', ApiserverAccess> = {
  name: 'kube-apiserver',
  ports: ['secure'],
  command: binaryCommand('kube-apiserver'),
  args: (c, ports, fileAt) => kubeApiserverArgs(apiserverFiles(fileAt), c.etcdUrl, ports.secure),
  // Its start allocates a lot it drops at once (API and OpenAPI tables): with the collector's default pace it spent
  // 2.5-2.6 s of CPU before /readyz, with GOGC=400 2.0-2.2 s, for ~90 MB more at peak (340 MB). Several start at
  // once in some files on 2 cores. Only this throw-away control plane gets it; the components under test run as
  // shipped.
  env: () => ({ GOGC: '400' }),
  // Its credentials: a random admin token and the service-account signing keys, private to this run.
  prepare: (_, at) => {
    const files = apiserverFiles((path) => join(at.runDir, path));
    mkdirSync(files.certDir, { recursive: true });
    const token = randomBytes(24).toString('hex');
    writeFileSync(files.tokenFile, `${token},e2e-admin,e2e-admin,"system:masters"\n`, { mode: 0o600 });
    // ECDSA P-256 (ES256 tokens), not RSA: an RSA 2048 key took 0.8-0.9 s of CPU on the start's critical path on 2
    // busy cores, a P-256 one takes ~1 ms; the API server signs with either.
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(files.saPublicKey, publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(files.saPrivateKey, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  },
  // Its graceful termination stops listening at once, then idles about 1 s before it exits; this control plane's
  // data is thrown away with the run, and everything that uses it has stopped before it (stops go in reverse).
  stopSignal: 'SIGKILL',
  readiness: (_, at) => {
    const files = apiserverFiles((path) => join(at.runDir, path));
    const certFile = servingCert(files);
    const readyz = `https://127.0.0.1:${at.ports.secure}/readyz`;
    return [
      {
        what: 'kube-apiserver serving certificate',
        probe: async () => {
          try {
            return readFileSync(certFile, 'utf8').includes('END CERTIFICATE') ? true : 'certificate incomplete';
          } catch {
            return `${certFile} not written yet`;
          }
        },
        timeoutMs: 60000,
      },
      {
        what: 'kube-apiserver /readyz',
        // Trusting the certificate the first check saw written.
        probe: () =>
          httpProbe(readyz, {
            ca: readFileSync(certFile, 'utf8'),
            headers: { Authorization: `Bearer ${adminToken(files)}` },
          })(),
        timeoutMs: 90000,
      },
    ];
  },
  outputs: (_, { placement }) => {
    const files = apiserverFiles((path) => join(placement.runDir, path));
    const server = `https://127.0.0.1:${placement.ports.secure}`;
    const token = adminToken(files);
    const caPem = readFileSync(servingCert(files), 'utf8');
    const kubeconfig = join(placement.runDir, DIR, 'kubeconfig');
    writeFileSync(kubeconfig, renderKubeconfig(server, caPem, token), { mode: 0o600 });
    return { server, token, caPem, kubeconfig, kube: new KubeClient(server, token, caPem) };
  },
  // Only locally (the EPP's discovery source): on kind the cluster has its own.
  wiring: {
    after: ['etcd'],
    instances: (run, up) => (run.topology === 'local' ? [{ etcdUrl: outputsOf(up, etcd)[0].url }] : []),
    binary: (tools) => tools.kubeApiserver,
  },
};
