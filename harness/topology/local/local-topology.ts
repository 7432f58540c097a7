import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOM_EPP, type RunOptions } from '../../config/run-options';
import {
  MODEL_SERVER_POD,
  POOL_NAMESPACE,
  installEppCrds,
  renderInferencePool,
  renderModelServerPod,
  startEpp,
  eppEnv,
  renderKvEventsEppConfig,
} from '../../components/epp';
import { startEnvoy } from '../../components/envoy';
import { PD_ROLE_LABEL, renderKvEventsConfig, renderPdConfig } from '../../components/llmd-plugins';
import { startEtcd } from '../../components/etcd';
import { startJaeger } from '../../components/jaeger';
import { startKubeApiserver } from '../../components/kube-apiserver';
import { KubeClient } from '../../components/kube-client';
import { startMockVllm } from '../../components/mock-vllm';
import { moduleDir } from '../../tools/build-go-tool';
import { wordLevelTokenizerJson } from '../../drivers/word-tokenizer';
import { ensureKvEventsEpp, ensureLocalTools, kvEventsEppKey } from '../../tools/tools';
import { loadVersions, resolveEppVersion, selectPins } from '../../tools/versions';
import { TOPOLOGY_CAPABILITIES, type Capability, type Endpoints, type Topology } from '../types';
import { ENVOY_SERVICE, MOCK_VLLM_SERVICE } from '../service-names';
import { freePorts } from '../../runtime/ports';
import { createRunContext, type RunContext } from '../../runtime/run-context';

export { ENVOY_SERVICE, MOCK_VLLM_SERVICE };

/** vLLM's default block size, used by the KV-events EPP's indexer and by whoever publishes to it. */
export const KV_BLOCK_SIZE = 16;

class LocalTopology implements Topology {
  readonly name = 'local' as const;
  readonly capabilities: ReadonlySet<Capability>;

  constructor(
    readonly endpoints: Endpoints,
    private readonly ctx: RunContext,
  ) {
    this.capabilities = new Set<Capability>([
      ...TOPOLOGY_CAPABILITIES.local,
      ...(endpoints.kvEvents ? (['kv-events'] as const) : []),
    ]);
  }

  async collectLogs(): Promise<Record<string, string>> {
    return Object.fromEntries(this.ctx.registry.processes.map((p) => [p.name, p.spec.logFile]));
  }

  async stop(): Promise<void> {
    this.ctx.progress(`stopping ${this.ctx.registry.processes.length} processes of run ${this.ctx.runId}`);
    await this.ctx.registry.stopAll();
  }
}

/**
 * Brings up the whole system as processes on 127.0.0.1: etcd + kube-apiserver (the EPP's discovery source),
 * Jaeger, N mock vLLMs, the EPP and Envoy. Independent parts start in parallel; each step waits on a real
 * readiness signal. If anything fails, everything already started is stopped before the error is thrown.
 */
export async function startLocalTopology(opts: RunOptions, progress: (m: string) => void): Promise<Topology> {
  const versions = selectPins(loadVersions(), opts);
  // An EPP binary without a contract (CUSTOM_EPP) still reads the InferencePool: the local default's CRDs.
  const epp = resolveEppVersion(versions, opts.eppVersion === CUSTOM_EPP ? undefined : opts.eppVersion);
  const tools = await ensureLocalTools(
    versions,
    opts.eppBinary ? undefined : opts.eppVersion,
    progress,
    opts.eppBinary,
  );
  if (opts.eppBinary) progress(`EPP binary ${opts.eppBinary}: contract ${opts.eppVersion} (${opts.eppContractSource})`);
  // The KV-events EPP replaces the pinned one for the scenarios that ask for it (see versions.yaml kvEventsEpp).
  const kvEpp = opts.kvEventsEpp ? await ensureKvEventsEpp(versions, progress) : undefined;
  const eppName = kvEpp ? kvEventsEppKey(versions) : opts.eppVersion;
  const ctx = createRunContext(opts.runsRoot, progress);
  progress(`run ${ctx.runId}: logs in ${ctx.logsDir}`);
  try {
    const [
      etcdClient,
      etcdPeer,
      apiPort,
      jOtlpGrpc,
      jOtlpHttp,
      jQuery,
      jQueryGrpc,
      jHealth,
      eGrpc,
      eHealth,
      eMetrics,
      envoyAdmin,
      gateway,
      kvEventsPort,
      ...modelPorts
    ] = await freePorts(14 + opts.models);

    const controlPlane = (async () => {
      progress('starting etcd and kube-apiserver');
      const etcd = await startEtcd(ctx, tools.etcd, { client: etcdClient, peer: etcdPeer });
      const api = await startKubeApiserver(ctx, tools.kubeApiserver, etcd.url, apiPort);
      const kube = new KubeClient(api.server, api.token, api.caPem);
      const crds = await installEppCrds(kube, await moduleDir(epp.pin.crds));
      progress(`kube-apiserver ready; CRDs established: ${crds.join(', ')}`);
      return { api, kube };
    })();

    const tracingAndModels = (async () => {
      progress(`starting Jaeger ${versions.jaeger.release}`);
      const jaeger = await startJaeger(ctx, tools.jaeger, {
        otlpGrpc: jOtlpGrpc,
        otlpHttp: jOtlpHttp,
        query: jQuery,
        queryGrpc: jQueryGrpc,
        health: jHealth,
      });
      progress(`starting ${opts.models} mock vLLM server(s)`);
      const faults = opts.faults.filter((f) => f.component === 'mock-vllm').map((f) => f.fault);
      await Promise.all(
        modelPorts.map((port, i) =>
          startMockVllm(ctx, {
            name: `mock-vllm-rank-${i}`,
            port,
            model: opts.modelName,
            otlpEndpoint: jaeger.otlpGrpcEndpoint,
            serviceName: MOCK_VLLM_SERVICE,
            faults,
          }),
        ),
      );
      return jaeger;
    })();

    const [{ api, kube }, jaeger] = await Promise.all([controlPlane, tracingAndModels]);
    await kube.apply(
      renderInferencePool({
        namespace: POOL_NAMESPACE,
        targetPorts: modelPorts,
        eppPort: eGrpc,
        modelServerApp: MODEL_SERVER_POD,
      }),
    );
    // P/D: a prefill pod and a decode pod over the same mock processes (endpoints <pod>-rank-<i>), so the role
    // filters have one of each to pick from; otherwise one pod.
    const pods =
      opts.eppPlugins === 'pd'
        ? [
            renderModelServerPod(modelPorts, `${MODEL_SERVER_POD}-prefill`, { [PD_ROLE_LABEL]: 'prefill' }),
            renderModelServerPod(modelPorts, `${MODEL_SERVER_POD}-decode`, { [PD_ROLE_LABEL]: 'decode' }),
          ]
        : [renderModelServerPod(modelPorts)];
    for (const { pod, status } of pods) {
      await kube.apply(pod);
      await kube.applyStatus(status);
    }

    progress(`starting the EPP (${eppName})`);
    // The KV-events EPP, and llm-d-router with its kv-events plugins, bind a ZeroMQ SUB socket here.
    const kvEvents = kvEpp || opts.eppPlugins === 'kv-events' ? `tcp://127.0.0.1:${kvEventsPort}` : null;
    const kvArgs: string[] = [];
    const kvEnv: Record<string, string> = {};
    if (opts.eppPlugins) {
      const configFile = join(ctx.runDir, 'epp-config.yaml');
      writeFileSync(
        configFile,
        opts.eppPlugins === 'pd' ? renderPdConfig() : renderKvEventsConfig(kvEvents!, KV_BLOCK_SIZE),
      );
      kvArgs.push(`--config-file=${configFile}`);
      progress(`EPP plugin configuration ${opts.eppPlugins}: ${configFile}`);
    }
    if (kvEpp) {
      const tokenizerFile = join(ctx.runDir, 'tokenizer', 'tokenizer.json');
      mkdirSync(join(ctx.runDir, 'tokenizer'), { recursive: true });
      writeFileSync(tokenizerFile, JSON.stringify(wordLevelTokenizerJson()));
      const configFile = join(ctx.runDir, 'epp-config.yaml');
      writeFileSync(
        configFile,
        renderKvEventsEppConfig({
          zmqEndpoint: kvEvents!,
          model: opts.modelName,
          tokenizerFile,
          blockSize: KV_BLOCK_SIZE,
          hashSeed: '',
        }),
      );
      kvArgs.push(`--config-file=${configFile}`);
      // Its chat-template module (Python, embedded) is imported at start-up from the kv-cache module's source.
      kvEnv.PYTHONPATH = kvEpp.pythonPath;
    }
    await startEpp(
      ctx,
      kvEpp?.binary ?? tools.epp,
      { grpc: eGrpc, health: eHealth, metrics: eMetrics },
      {
        ...eppEnv(api.kubeconfig, {
          otlpEndpoint: opts.eppOtlpEndpoint ?? jaeger.otlpGrpcEndpoint,
          serviceName: opts.eppServiceName,
          sampler: opts.eppSampler,
          samplerArg: opts.eppSamplerArg,
          resourceAttributes: opts.eppResourceAttributes,
        }),
        ...kvEnv,
      },
      kvArgs,
    );
    progress(`starting Envoy ${versions.envoy.version}`);
    await startEnvoy(ctx, tools.envoy, {
      adminPort: envoyAdmin,
      gatewayPort: gateway,
      eppGrpcPort: eGrpc,
      otlpGrpcPort: jOtlpGrpc,
      serviceName: ENVOY_SERVICE,
      samplingPercent: 100,
    });

    const endpoints: Endpoints = {
      topology: 'local',
      eppVersion: eppName,
      ...(opts.eppBinary && !kvEpp ? { eppBinary: opts.eppBinary } : {}),
      gateway: `http://127.0.0.1:${gateway}`,
      extProc: `127.0.0.1:${eGrpc}`,
      // The GIE EPPs pinned here have no KV-event (ZeroMQ) subscriber; the KV-events EPP binds this one.
      kvEvents,
      eppMetrics: `http://127.0.0.1:${eMetrics}/metrics`,
      jaegerQuery: jaeger.queryUrl,
      jaegerUi: jaeger.queryUrl,
      models: modelPorts.map((port, i) => ({
        name: `mock-vllm-rank-${i}`,
        address: `127.0.0.1:${port}`,
        url: `http://127.0.0.1:${port}`,
        model: opts.modelName,
      })),
      services: { epp: opts.eppServiceName, envoy: ENVOY_SERVICE, mockVllm: MOCK_VLLM_SERVICE },
      logsDir: ctx.logsDir,
      runDir: ctx.runDir,
    };
    writeFileSync(join(ctx.runDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2));
    return new LocalTopology(endpoints, ctx);
  } catch (err) {
    progress(`start-up failed; stopping what was started (logs kept in ${ctx.logsDir})`);
    await ctx.registry.stopAll();
    throw err;
  }
}
