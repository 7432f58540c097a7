/** A model server as a scenario addresses it. */
export interface ModelEndpoint {
  /** The endpoint name the EPP uses, e.g. `mock-vllm-0` (the Pod name). */
  name: string;
  /** What the EPP writes into x-gateway-destination-endpoint for it. */
  address: string;
  url: string;
  model: string;
}

/** Service names the components report in their spans. */
export interface ServiceNames {
  epp: string;
  envoy: string;
  mockVllm: string;
}

/** What a scenario needs of a running topology; the same shape for `local` and `kind`. */
export interface Endpoints {
  topology: 'local' | 'kind';
  /** The versions.yaml EPP whose contract applies, or `custom` (an --epp-binary with no known contract). */
  eppVersion: string;
  /** The EPP binary someone built, when the run was given one (--epp-binary). */
  eppBinary?: string;
  /** OpenAI traffic enters here (Envoy). */
  gateway: string;
  /** host:port of the EPP's ext_proc gRPC server (plaintext). */
  extProc: string;
  /** Where KV-event publishers connect, or null when the running EPP consumes no KV events. */
  kvEvents: string | null;
  eppMetrics: string;
  jaegerQuery: string;
  jaegerUi: string;
  models: ModelEndpoint[];
  services: ServiceNames;
  logsDir: string;
  runDir: string;
  /** Local operator mode: what the operator did and what runs because of it. */
  operator?: OperatorModeInfo;
}

/** What a local operator-mode run reports about the operator, the mutated EPP pod and the eBPF agent. */
export interface OperatorModeInfo {
  version: string;
  namespace: string;
  instrumentation: string;
  /** The EPP Pod's name; the mutated object is in <runDir>/epp-pod.mutated.json. */
  eppPod: string;
  /** The EPP image's binary path, as the pod's otel-go-auto-target-exe annotation names it. */
  imageBinary: string;
  /** The environment the EPP process runs with (resolved from the mutated pod), and the agent's. */
  eppEnv: Record<string, string>;
  sidecarEnv?: Record<string, string>;
  /** Jaeger's OTLP receivers as the Instrumentation names them. */
  otlp: { grpc: string; http: string };
  /** The running agent, or why none runs (nothing injected, or no eBPF on this machine). */
  agent?: { probesOff: string[]; loadSeconds: number; service: string };
  noAgentReason?: string;
}

/** Things only some topologies can do; a scenario that needs one is reported as not applicable elsewhere. */
/** local-processes: the harness starts components as processes of this machine (CLI lifecycle, local API server). */
export type Capability = 'operator-injection' | 'kv-events' | 'restart-epp' | 'local-processes';

/** What each topology can do, known before it starts (a scenario that needs more is not applicable there). */
export const TOPOLOGY_CAPABILITIES: Record<'local' | 'kind', readonly Capability[]> = {
  // kv-events: the local topology can run the KV-events EPP (versions.yaml kvEventsEpp); kind runs the GIE image.
  // operator-injection: in operator mode (RunOptions.operatorMode), a local operator manager mutates the EPP pod.
  local: ['restart-epp', 'local-processes', 'kv-events', 'operator-injection'],
  kind: ['operator-injection'],
};

export interface Topology {
  readonly name: 'local' | 'kind';
  readonly endpoints: Endpoints;
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * Component log files of this run, by component name (for failure reports). Local processes write theirs
   * as they run; on kind the pods' logs are fetched into the run's logs folder when this is called.
   */
  collectLogs(): Promise<Record<string, string>>;
  stop(): Promise<void>;
  /** The EPP's Pod as the API server has it (kind: after the operator's webhook mutated it). */
  eppPod?(): Promise<import('../components/kube-client').KubeObject>;
  /**
   * The EPP pod as the API server would admit it now, written as this run's but with these annotation changes (null
   * removes one): a server-side dry run, so the operator's webhook mutates it and nothing is stored or started.
   */
  admitEppPod?(annotations: Record<string, string | null>): Promise<import('../components/kube-client').KubeObject>;
}
