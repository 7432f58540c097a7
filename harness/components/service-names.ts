/** The service.name each component we start reports, the same on both topologies. */
export const ENVOY_SERVICE = 'envoy-gateway';
export const MOCK_VLLM_SERVICE = 'mock-vllm';
