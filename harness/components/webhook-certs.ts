import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../runtime/exec';

export interface WebhookCerts {
  /** PEM of the run's own CA: the caBundle of the webhook configurations. */
  caPem: string;
  certFile: string;
  keyFile: string;
}

/**
 * Where the operator's webhook server reads its serving cert: controller-runtime's default cert dir under the
 * process's TMPDIR (the operator has no cert-dir flag). Each run gets its own TMPDIR, so runs never share keys.
 */
export function servingCertDir(tmpDir: string): string {
  return join(tmpDir, 'k8s-webhook-server', 'serving-certs');
}

/**
 * A self-signed CA and a serving cert for 127.0.0.1 signed by it (openssl; P-256 keys, valid one day: a run is
 * minutes). The kube-apiserver calls the webhook at https://127.0.0.1:PORT and checks the cert against the CA.
 */
export async function generateWebhookCerts(tmpDir: string): Promise<WebhookCerts> {
  const dir = servingCertDir(tmpDir);
  const work = join(tmpDir, 'webhook-ca');
  mkdirSync(dir, { recursive: true });
  mkdirSync(work, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caKey = join(work, 'ca.key');
  const caCrt = join(work, 'ca.crt');
  const csr = join(work, 'tls.csr');
  const ext = join(work, 'san.ext');
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  const openssl = (args: string[]): Promise<string> => exec('openssl', args, { timeoutMs: 20000 });
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKey,
    '-out',
    caCrt,
    '-days',
    '1',
    '-subj',
    '/CN=epp-e2e-webhook-ca',
  ]);
  await openssl(['req', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1']);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caCrt,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '1',
    '-extfile',
    ext,
  ]);
  return { caPem: readFileSync(caCrt, 'utf8'), certFile, keyFile };
}
