import type { Span } from '../traces/model';

/** What the operator's injection adds to every injected process's resource (sdk.go createResourceMap). */
export const OPERATOR_RESOURCE_KEYS = ['k8s.pod.name', 'k8s.namespace.name', 'service.instance.id'] as const;

/** OTEL_RESOURCE_ATTRIBUTES as key=value pairs. */
export function parseResourceAttributes(text: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (text ?? '')
      .split(',')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/**
 * Every way a span's resource falls short of what the operator's injection plus our Instrumentation give it:
 * the pod, the namespace, service.instance.id = <namespace>.<pod>.<container>, our own attributes and, when
 * given, the very values the operator injected for the same pod (`operator`, e.g. its sidecar's).
 */
export function checkOperatorResource(
  span: Span,
  namespace: string,
  ours: Record<string, string>,
  operator?: Record<string, string>,
): string[] {
  const where = `span ${span.name} (service ${span.service})`;
  const r = span.resource;
  const problems: string[] = [];
  for (const key of OPERATOR_RESOURCE_KEYS) {
    if (r[key] === undefined) problems.push(`${where} has no resource attribute ${key}`);
  }
  if (r['k8s.namespace.name'] !== undefined && r['k8s.namespace.name'] !== namespace) {
    problems.push(`${where} k8s.namespace.name=${String(r['k8s.namespace.name'])}, want ${namespace}`);
  }
  const pod = r['k8s.pod.name'];
  const container = r['k8s.container.name'];
  if (pod !== undefined && container !== undefined) {
    const want = `${namespace}.${String(pod)}.${String(container)}`;
    if (r['service.instance.id'] !== want) {
      problems.push(`${where} service.instance.id=${String(r['service.instance.id'] ?? '(missing)')}, want ${want}`);
    }
  }
  for (const key of OPERATOR_RESOURCE_KEYS) {
    const want = operator?.[key];
    if (want !== undefined && r[key] !== undefined && r[key] !== want) {
      problems.push(`${where} ${key}=${String(r[key])}, but the operator injected ${key}=${want} for this pod`);
    }
  }
  for (const [k, v] of Object.entries(ours)) {
    if (r[k] !== v) problems.push(`${where} resource ${k}=${String(r[k] ?? '(missing)')}, want ${v}`);
  }
  return problems;
}
