/**
 * The command-line flags each pinned EPP release registers, as data, with where each one is registered
 * (`path:line` at that release's tag), for the flags this harness passes (eppArgs; --config-file for the plugin
 * configurations of the llm-d recordings). An EPP exits on a flag it does not know (pflag), so a flag that a
 * release lacks would only show on a cluster; epp-flags.test.ts checks eppArgs against these lists instead.
 *
 * Read from: GIE v1.5.0 / v1.4.0 = the Go module sigs.k8s.io/gateway-api-inference-extension at that version; llm-d-router
 * v0.10.0 / v0.9.0 = the tags 71f4f0999f95b96c49a9d0c4afbd18dfdb943c26 / 5f4e762f341a5196393ce79f8a57c3e1900c4a6b
 * of github.com/llm-d/llm-d-router; llm-d-inference-scheduler v0.8.0 registers no epp flag of its own (its
 * cmd/epp/main.go:65 runs GIE v1.5.0's runner, which parses GIE's), so its list is GIE v1.5.0's.
 */
export interface EppFlagList {
  /** Where the lines are: module or repository, at a version or commit. */
  source: string;
  /** Flag name (without dashes) -> `path:line` of its registration. */
  flags: Record<string, string>;
}

const GIE_V150: EppFlagList = {
  source: 'sigs.k8s.io/gateway-api-inference-extension@v1.5.0',
  flags: {
    'grpc-port': 'pkg/epp/server/options.go:126',
    'pool-namespace': 'pkg/epp/server/options.go:131',
    'pool-name': 'pkg/epp/server/options.go:133',
    tracing: 'pkg/epp/server/options.go:175',
    'metrics-port': 'pkg/epp/server/options.go:177',
    'grpc-health-port': 'pkg/epp/server/options.go:178',
    'enable-pprof': 'pkg/epp/server/options.go:180',
    'secure-serving': 'pkg/epp/server/options.go:188',
    'metrics-endpoint-auth': 'pkg/epp/server/options.go:189',
    'config-file': 'pkg/epp/server/options.go:191',
    v: 'pkg/common/observability/logging/options.go:56',
  },
};

export const EPP_FLAGS: Record<string, EppFlagList> = {
  'gie-v1.5.0': GIE_V150,
  'gie-v1.4.0': {
    source: 'sigs.k8s.io/gateway-api-inference-extension@v1.4.0',
    flags: {
      'grpc-port': 'pkg/epp/server/options.go:133',
      'pool-namespace': 'pkg/epp/server/options.go:138',
      'pool-name': 'pkg/epp/server/options.go:140',
      v: 'pkg/epp/server/options.go:176',
      tracing: 'pkg/epp/server/options.go:180',
      'metrics-port': 'pkg/epp/server/options.go:182',
      'grpc-health-port': 'pkg/epp/server/options.go:183',
      'enable-pprof': 'pkg/epp/server/options.go:185',
      'secure-serving': 'pkg/epp/server/options.go:193',
      'metrics-endpoint-auth': 'pkg/epp/server/options.go:194',
      'config-file': 'pkg/epp/server/options.go:196',
    },
  },
  'llm-d-inference-scheduler-v0.8.0': {
    source: 'github.com/llm-d/llm-d-inference-scheduler@05c91f0d655fbd7ea71fc50949c899c360d06f07 (GIE v1.5.0 runner)',
    flags: GIE_V150.flags,
  },
  'llm-d-router-v0.10.0': {
    source: 'github.com/llm-d/llm-d-router@71f4f0999f95b96c49a9d0c4afbd18dfdb943c26 (v0.10.0)',
    flags: {
      'grpc-port': 'pkg/epp/server/options.go:164',
      'pool-namespace': 'pkg/epp/server/options.go:175',
      'pool-name': 'pkg/epp/server/options.go:177',
      tracing: 'pkg/epp/server/options.go:211',
      'metrics-port': 'pkg/epp/server/options.go:213',
      'grpc-health-port': 'pkg/epp/server/options.go:214',
      'enable-pprof': 'pkg/epp/server/options.go:216',
      'secure-serving': 'pkg/epp/server/options.go:226',
      'metrics-endpoint-auth': 'pkg/epp/server/options.go:231',
      'config-file': 'pkg/epp/server/options.go:237',
      v: 'pkg/common/observability/logging/options.go:56',
    },
  },
  'llm-d-router-v0.9.0': {
    source: 'github.com/llm-d/llm-d-router@5f4e762f341a5196393ce79f8a57c3e1900c4a6b (v0.9.0)',
    flags: {
      'grpc-port': 'pkg/epp/server/options.go:151',
      'pool-namespace': 'pkg/epp/server/options.go:158',
      'pool-name': 'pkg/epp/server/options.go:160',
      tracing: 'pkg/epp/server/options.go:202',
      'metrics-port': 'pkg/epp/server/options.go:204',
      'grpc-health-port': 'pkg/epp/server/options.go:205',
      'enable-pprof': 'pkg/epp/server/options.go:207',
      'secure-serving': 'pkg/epp/server/options.go:217',
      'metrics-endpoint-auth': 'pkg/epp/server/options.go:218',
      'config-file': 'pkg/epp/server/options.go:220',
      v: 'pkg/common/observability/logging/options.go:56',
    },
  },
};

/** The flags of an argument list (`--name=value`, `--name value`, `-v`), without dashes. */
export function flagNames(args: string[]): string[] {
  return args.filter((a) => a.startsWith('-')).map((a) => a.replace(/^--?/, '').split('=')[0]);
}
