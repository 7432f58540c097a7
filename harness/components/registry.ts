import type { ComponentDeclaration } from './declaration';
import { envoy } from './envoy';
import { epp } from './epp';
import { etcd } from './etcd';
import { goAutoAgent } from './go-auto-agent';
import { jaeger } from './jaeger';
import { kubeApiserver } from './kube-apiserver';
import { mockVllm } from './mock-vllm';
import { operator } from './operator';

/**
 * Every part of the system under test, in the order a local run starts them. The checks of registry.test.ts hold
 * for each: a new part listed here gets them without writing any.
 */
export const COMPONENTS: readonly ComponentDeclaration<never, string, unknown>[] = [
  etcd,
  kubeApiserver,
  jaeger,
  mockVllm,
  epp,
  envoy,
  operator,
  goAutoAgent,
];
