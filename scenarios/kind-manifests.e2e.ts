// The kind topology's manifests, checked by a real Kubernetes API server without a cluster: the local control
// plane (kube-apiserver v1.34 + etcd) with the EPP's and the operator's CRDs takes every rendered object as a
// server-side dry-run through the same client-node adapter the kind topology uses. Negative control: a
// misspelt field in a template must be rejected, naming the field.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEppCrds } from '../harness/components/epp';
import type { ApiserverAccess } from '../harness/components/kube-apiserver';
import { readOperatorCrds } from '../harness/components/operator';
import { scenarioOptions } from '../harness/config/run-options-file';
import { runNode } from '../harness/scenario/cli-process';
import { applicability, notApplicable } from '../harness/scenario/use-topology';
import type { ApplyCheckResult } from '../harness/topology/kind/apply-check';
import { launchControlPlane } from '../harness/topology/local/control-plane';
import { createRunContext, type RunContext } from '../harness/runtime/run-context';
import { MANIFESTS_DIR } from '../harness/components/templates';
import { moduleDir } from '../harness/tools/build-go-tool';
import { ensureControlPlaneTools } from '../harness/tools/tools';
import { loadVersions, REPO_ROOT } from '../harness/tools/versions';

// Needs the local control plane's processes; on kind, the cluster itself validates every manifest it is given.
const gate = applicability(['local-processes']);
if (!gate.applies) {
  notApplicable('kind manifests against a real API server', gate.reason);
} else {
  const versions = loadVersions();
  let ctx: RunContext;
  let api: ApiserverAccess;
  let checks: { asRendered: Promise<ApplyCheckResult>; misspelt: Promise<ApplyCheckResult> };

  /** The manifests with one field misspelt (`imagePulPolicy` in the EPP's Deployment), in a folder of their own. */
  function misspeltManifests(): NodeJS.ProcessEnv {
    const dir = mkdtempSync(join(tmpdir(), 'epp-e2e-manifests-'));
    cpSync(MANIFESTS_DIR, dir, { recursive: true });
    const file = join(dir, 'epp.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('imagePullPolicy: IfNotPresent', 'imagePulPolicy: IfNotPresent'),
    );
    return { EPP_E2E_MANIFESTS_DIR: dir, EPP_E2E_APPLY_CHECK_ADAPTER: '0' };
  }

  beforeAll(async () => {
    const opts = scenarioOptions();
    // A control plane of its own, not the suite's: the adapter checks write objects and count the pods there.
    const tools = await ensureControlPlaneTools(versions, () => undefined);
    ctx = createRunContext(opts.runsRoot, () => undefined);
    api = await launchControlPlane(ctx, tools);
    const kube = api.kube;
    const operatorDir = await moduleDir({
      module: 'github.com/open-telemetry/opentelemetry-operator',
      version: versions.kind.operator.default,
    });
    const instrumentationCrd = readOperatorCrds(operatorDir).find(
      (c) => (c.spec as { names: { kind: string } }).names.kind === 'Instrumentation',
    );
    if (!instrumentationCrd) throw new Error(`no Instrumentation CRD in ${operatorDir}/config/crd/bases`);
    const crds = [
      // The CRDs of the EPP the kind manifests are rendered for (kind's default; the llm-d images ship none).
      ...readEppCrds(await moduleDir(versions.epp.versions[versions.epp.kindDefault].crds)),
      instrumentationCrd,
    ];
    for (const c of crds) await kube.apply(c);
    for (const c of crds) await kube.waitForCrdEstablished(c.metadata.name);
    // Both checks are child processes of their own (client-node takes seconds to load): they run side by side,
    // the negative control's without the adapter calls, which write to the server.
    checks = { asRendered: applyCheck(), misspelt: applyCheck(misspeltManifests()) };
    checks.asRendered.catch(() => undefined);
    checks.misspelt.catch(() => undefined);
  });

  afterAll(async () => {
    await ctx?.registry.stopAll();
  });

  async function applyCheck(env: NodeJS.ProcessEnv = {}): Promise<ApplyCheckResult> {
    const r = await runNode(
      [
        // The CLI's loader, whose transpiled files are cached: ts-node transpiled this graph on every start
        // (~3 s of CPU more per check).
        '-r',
        join(REPO_ROOT, 'bin', 'ts-register.js'),
        join(REPO_ROOT, 'harness/topology/kind/apply-check.ts'),
        api.kubeconfig,
      ],
      env,
    );
    if (r.code !== 0) throw new Error(`apply-check exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as ApplyCheckResult;
  }

  describe('kind manifests against a real API server (dry-run)', () => {
    it('every rendered object is accepted, CRD-backed ones included, through the client-node adapter', async () => {
      const r = await checks.asRendered;
      // kind's default EPP: the llm-d-router v0.10.0 image, which ships no CRD (GIE v1.5.0's are installed above).
      const kindEpp = versions.epp.kindDefault;
      expect(r.epp).toEqual({ version: kindEpp, image: versions.epp.versions[kindEpp].image });
      expect(r.rejected).toEqual([]);
      expect(r.accepted).toEqual(
        expect.arrayContaining(['Instrumentation epp-go', 'InferencePool e2e-pool', 'Deployment epp', 'Role epp']),
      );
      expect(r.adapter).toEqual({
        getAfterApply: 'jaeger-config',
        sameData: true,
        listed: ['jaeger-config'],
        getAfterDelete: 'gone',
        podsWithoutControllers: 0,
        events: true,
        logsOfMissingPod: expect.stringMatching(/^\(no logs: pods "nope" not found\)$/),
      });
    });

    it('negative control: a misspelt field in a template is rejected, naming the object and the field', async () => {
      const r = await checks.misspelt;
      process.stderr.write(`[epp-e2e] rejected: ${JSON.stringify(r.rejected)}\n`);
      expect(r.rejected).toEqual([
        { object: 'Deployment epp', message: expect.stringMatching(/^apply Deployment epp: .*imagePulPolicy.*/) },
      ]);
    });
  });
}
