import type { GatewayTraceContract } from './types';

/**
 * The GIE EPPs extract no incoming context at all: gateway.request is started from the ext_proc stream's context
 * (GIE v1.5.0 pkg/epp/handlers/server.go:149), so its trace is split from the gateway's whether or not the client sent
 * a traceparent. GIE v1.6.0 deleted this EPP; the extraction came in its successor, llm-d-router (v0.9.0, #1514,
 * HTTP headers only), and extraction from the ext_proc gRPC metadata is llm-d-router issue #2828.
 */
export const GIE_GATEWAY: GatewayTraceContract = {
  withoutClientContext: 'split',
  withClientTraceparent: 'split',
  knownDefect: {
    summary:
      'the GIE EPP never extracts an incoming trace context (HTTP headers or ext_proc gRPC metadata); its ' +
      'successor llm-d-router reads the HTTP headers since v0.9.0 and the gRPC metadata after v0.10.0',
    link: 'https://github.com/llm-d/llm-d-router/issues/2828',
  },
};
