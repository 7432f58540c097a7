import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOM_EPP, type RunOptions } from '../../config/run-options';
import {
  MODEL_SERVER_POD,
  POOL_NAMESPACE,
  installEppCrds,
  modelServerIp,
  renderInferencePool,
  renderModelServerPods,
  epp as eppDecl,
  renderKvEventsEppConfig,
} from '../../components/epp';
import { envoy } from '../../components/envoy';
import { PD_ROLE_LABEL, renderKvEventsConfig, renderPdConfig } from '../../components/llmd-plugins';
import { etcd as etcdDecl } from '../../components/etcd';
import { jaeger as jaegerDecl } from '../../components/jaeger';
import { kubeApiserver } from '../../components/kube-apiserver';
import { KubeClient } from '../../components/kube-client';
import { mockVllm } from '../../components/mock-vllm';
import { operator as operatorDecl } from '../../components/operator';
import { moduleDir } from '../../tools/build-go-tool';
import { wordLevelTokenizerJson } from '../../drivers/word-tokenizer';
import { ensureKvEventsEpp, ensureLocalTools, kvEventsEppKey } from '../../tools/tools';
import { loadVersions, resolveEppVersion, selectPins } from '../../tools/versions';
import { TOPOLOGY_CAPABILITIES, type Capability, type Endpoints, type Topology } from '../types';
import { ENVOY_SERVICE, MOCK_VLLM_SERVICE } from '../service-names';
import { faultsOf } from '../../faults/catalog';
import { freePortOnAll } from '../../runtime/ports';
import { kvEventsContractFor, kvTopicEndpoint } from '../../traces/contracts';
import { createRunContext, type RunContext } from '../../runtime/run-context';
import type { KubeObject } from '../../components/kube-client';
import {
  ensureOperatorModeTools,
  startEppThroughOperator,
  LOCAL_INSTRUMENTATION,
  OPERATOR_NAMESPACE,
} from './operator-mode';
import { admissionProbePod, EPP_WORKLOAD } from '../../components/operator-epp-pod';
import { freePortsFor, launchLocal } from './launch';

export { ENVOY_SERVICE, MOCK_VLLM_SERVICE };

/** vLLM's default block size, used by the KV-events EPP's indexer and by whoever publishes to it. */
export const KV_BLOCK_SIZE = 16;
/** vLLM's PYTHONHASHSEED as the KV-events EPP and the mocks both use it: the root of the block-key chain. */
export const KV_HASH_SEED = '';

class LocalTopology implements Topology {
  readonly name = 'local' as const;
  readonly capabilities: ReadonlySet<Capability>;

  constructor(
    readonly endpoints: Endpoints,
    private readonly ctx: RunContext,
    private readonly kube: KubeClient,
    /** Operator mode: the EPP Pod as the harness wrote it, before the operator's webhook. */
    private readonly writtenEppPod?: KubeObject,
  ) {
    this.capabilities = new Set<Capability>([
      ...TOPOLOGY_CAPABILITIES.local,
      ...(endpoints.kvEvents ? (['kv-events'] as const) : []),
    ]);
  }

  /** Operator mode: the EPP Pod as the API server has it now (after the operator's webhook mutated it). */
  async eppPod(): Promise<KubeObject> {
    if (!this.endpoints.operator) throw new Error('this local topology does not run the EPP through the operator');
    const pod = await this.kube.get({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: this.endpoints.operator.eppPod, namespace: this.endpoints.operator.namespace },
    });
    if (!pod) throw new Error(`the EPP pod ${this.endpoints.operator.eppPod} is gone from the local API server`);
    return pod;
  }

  async admitEppPod(annotations: Record<string, string | null>): Promise<KubeObject> {
    if (!this.endpoints.operator || !this.writtenEppPod) {
      throw new Error('this local topology does not run the EPP through the operator');
    }
    return this.kube.dryRunCreate(
      admissionProbePod(this.writtenEppPod, this.endpoints.operator.namespace, annotations),
    );
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
  const opTools = opts.operatorMode
    ? await ensureOperatorModeTools(versions, opts.kind.operatorVersion, progress)
    : undefined;
  const eppName = kvEpp ? kvEventsEppKey(versions) : opts.eppVersion;
  const ctx = createRunContext(opts.runsRoot, progress);
  progress(`run ${ctx.runId}: logs in ${ctx.logsDir}`);
  try {
    // Every named port of every component, and the KV-events socket the EPP binds when it has a subscriber.
    const [etcdPorts, apiPorts, jaegerPorts, eppPorts, envoyPorts, operatorPorts, { kvEventsPort }] =
      await freePortsFor(etcdDecl, kubeApiserver, jaegerDecl, eppDecl, envoy, operatorDecl, {
        ports: ['kvEventsPort'],
      });
    // One Pod per model server, each on its own loopback IP and all on one port, as on kind.
    // P/D (llm-d --epp-plugins pd): the first mock is the prefill server, the others decode (llm-d.ai/role).
    const servers = Array.from({ length: opts.models }, (_, i) => ({
      name: `mock-vllm-${i}`,
      ip: modelServerIp(i),
      ...(opts.eppPlugins === 'pd' ? { labels: { [PD_ROLE_LABEL]: i === 0 ? 'prefill' : 'decode' } } : {}),
    }));
    const modelPort = await freePortOnAll(servers.map((m) => m.ip));
    const addressOf = (ip: string): string => `${ip}:${modelPort}`;
    // The KV-events EPP, and llm-d-router with its kv-events plugins, bind a ZeroMQ SUB socket here.
    const kvEvents = kvEpp || opts.eppPlugins === 'kv-events' ? `tcp://127.0.0.1:${kvEventsPort}` : null;
    // The mocks publish their blocks as the KV-events EPP expects them (its contract: topic, layout, keys).
    const kvContract = kvEpp ? kvEventsContractFor(eppName) : undefined;

    const controlPlane = (async () => {
      progress('starting etcd and kube-apiserver');
      const etcd = await launchLocal(ctx, etcdDecl, {}, { ports: etcdPorts, binary: tools.etcd });
      const api = await launchLocal(
        ctx,
        kubeApiserver,
        { etcdUrl: etcd.url },
        { ports: apiPorts, binary: tools.kubeApiserver },
      );
      const kube = new KubeClient(api.server, api.token, api.caPem);
      const crds = await installEppCrds(kube, await moduleDir(epp.pin.crds));
      progress(`kube-apiserver ready; CRDs established: ${crds.join(', ')}`);
      return { api, kube };
    })();
    const otlp = { grpc: `http://127.0.0.1:${jaegerPorts.otlpGrpc}`, http: `http://127.0.0.1:${jaegerPorts.otlpHttp}` };

    const tracingAndModels = (async () => {
      progress(`starting Jaeger ${versions.jaeger.release}`);
      const jaeger = await launchLocal(ctx, jaegerDecl, {}, { ports: jaegerPorts, binary: tools.jaeger });
      progress(`starting ${opts.models} mock vLLM server(s)`);
      const faults = faultsOf(opts.faults, 'mock-vllm');
      await Promise.all(
        servers.map((m) =>
          launchLocal(
            ctx,
            mockVllm,
            {
              name: m.name,
              host: m.ip,
              model: opts.modelName,
              otlpEndpoint: jaeger.otlpGrpcEndpoint,
              serviceName: MOCK_VLLM_SERVICE,
              faults,
              ...(kvEvents && kvContract
                ? {
                    kvEventsEndpoint: kvEvents,
                    kv: {
                      topicAddress: kvTopicEndpoint(kvContract, addressOf(m.ip)),
                      tokenizer: 'words' as const,
                      hashing: kvContract.hashing,
                      hashSeed: KV_HASH_SEED,
                      layout: kvContract.layout,
                      blockSize: KV_BLOCK_SIZE,
                    },
                  }
                : {}),
            },
            { ports: { http: modelPort } },
          ),
        ),
      );
      return jaeger;
    })();

    const [{ api, kube }, jaeger] = await Promise.all([controlPlane, tracingAndModels]);
    await kube.apply(
      renderInferencePool({
        namespace: POOL_NAMESPACE,
        targetPorts: [modelPort],
        eppPort: eppPorts.grpc,
        modelServerApp: MODEL_SERVER_POD,
      }),
    );
    for (const { pod, status } of renderModelServerPods(servers, modelPort)) {
      await kube.apply(pod);
      await kube.applyStatus(status);
    }

    progress(`starting the EPP (${eppName})`);
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
          hashSeed: KV_HASH_SEED,
        }),
      );
      kvArgs.push(`--config-file=${configFile}`);
      // Its chat-template module (Python, embedded) is imported at start-up from the kv-cache module's source.
      kvEnv.PYTHONPATH = kvEpp.pythonPath;
    }
    let operator: Endpoints['operator'];
    let writtenEppPod: KubeObject | undefined;
    if (opTools) {
      const r = await startEppThroughOperator(ctx, {
        opts,
        kube,
        kubeconfig: api.kubeconfig,
        tools: opTools,
        eppBinary: tools.epp,
        eppPin: epp.pin,
        operatorPorts,
        eppPorts,
        jaeger: { otlpGrpc: otlp.grpc, otlpHttp: otlp.http },
      });
      writtenEppPod = r.written;
      operator = {
        version: opts.kind.operatorVersion,
        namespace: OPERATOR_NAMESPACE,
        instrumentation: LOCAL_INSTRUMENTATION,
        eppPod: EPP_WORKLOAD,
        imageBinary: epp.pin.imageBinary,
        eppEnv: r.eppEnv,
        sidecarEnv: r.sidecarEnv,
        otlp,
        agent: r.agent && {
          probesOff: r.agent.probesOff,
          loadSeconds: r.agent.loadSeconds,
          service: r.sidecarEnv?.OTEL_SERVICE_NAME ?? '',
        },
        noAgentReason: r.noAgentReason,
      };
    } else {
      await launchLocal(
        ctx,
        eppDecl,
        {
          kubeconfig: api.kubeconfig,
          tracing: {
            otlpEndpoint: opts.eppOtlpEndpoint ?? jaeger.otlpGrpcEndpoint,
            serviceName: opts.eppServiceName,
            sampler: opts.eppSampler,
            samplerArg: opts.eppSamplerArg,
            resourceAttributes: opts.eppResourceAttributes,
            faults: faultsOf(opts.faults, 'epp'),
          },
          extraEnv: kvEnv,
          extraArgs: kvArgs,
        },
        { ports: eppPorts, binary: kvEpp?.binary ?? tools.epp },
      );
    }
    progress(`starting Envoy ${versions.envoy.version}`);
    await launchLocal(
      ctx,
      envoy,
      {
        eppGrpcPort: eppPorts.grpc,
        otlpGrpcPort: jaegerPorts.otlpGrpc,
        serviceName: ENVOY_SERVICE,
        samplingPercent: 100,
        faults: faultsOf(opts.faults, 'envoy'),
      },
      { ports: envoyPorts, binary: tools.envoy },
    );

    const endpoints: Endpoints = {
      topology: 'local',
      eppVersion: eppName,
      ...(opts.eppBinary && !kvEpp ? { eppBinary: opts.eppBinary } : {}),
      gateway: `http://127.0.0.1:${envoyPorts.gateway}`,
      extProc: `127.0.0.1:${eppPorts.grpc}`,
      // The GIE EPPs pinned here have no KV-event (ZeroMQ) subscriber; the KV-events EPP binds this one.
      kvEvents,
      eppMetrics: `http://127.0.0.1:${eppPorts.metrics}/metrics`,
      jaegerQuery: jaeger.queryUrl,
      jaegerUi: jaeger.queryUrl,
      models: servers.map((m) => ({
        name: m.name,
        address: addressOf(m.ip),
        url: `http://${addressOf(m.ip)}`,
        model: opts.modelName,
      })),
      // In operator mode the EPP's service name is the one the operator gave it (the pod's name).
      services: {
        epp: operator?.eppEnv.OTEL_SERVICE_NAME ?? opts.eppServiceName,
        envoy: ENVOY_SERVICE,
        mockVllm: MOCK_VLLM_SERVICE,
      },
      logsDir: ctx.logsDir,
      runDir: ctx.runDir,
      ...(operator ? { operator } : {}),
    };
    writeFileSync(join(ctx.runDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2));
    return new LocalTopology(endpoints, ctx, kube, writtenEppPod);
  } catch (err) {
    progress(`start-up failed; stopping what was started (logs kept in ${ctx.logsDir})`);
    await ctx.registry.stopAll();
    throw err;
  }
}
