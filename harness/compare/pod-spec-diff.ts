import type { KubeObject } from '../components/kube-client';
import { EPP_CONTAINER, GO_SIDECAR } from '../components/operator-epp-pod';
import { podContainers, type PodContainer } from '../components/pod-env';

/** One difference between the EPP pods two operator releases made of the same Pod. */
export interface PodSpecChange {
  what: string;
  from: string;
  to: string;
  /** A change that loses something the first release gave (a sidecar, an env var, a privilege). */
  regression: boolean;
}

function envMap(c: PodContainer | undefined): Map<string, string> {
  return new Map(
    (c?.env ?? []).map((e) => [
      e.name,
      e.value ?? (e.valueFrom?.fieldRef ? `fieldRef:${e.valueFrom.fieldRef.fieldPath}` : JSON.stringify(e.valueFrom)),
    ]),
  );
}

const show = (v: unknown): string => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * What changed between two mutated EPP pods: the sidecar's presence, image and security context, the env of the
 * sidecar and of the EPP container, and the pod-level fields Go injection sets. A removal is a regression; an
 * added or changed value is reported for a human to judge (a new image tag is expected in an upgrade).
 */
export function diffPodSpecs(a: KubeObject, b: KubeObject): PodSpecChange[] {
  const out: PodSpecChange[] = [];
  const side = (p: KubeObject): PodContainer | undefined => podContainers(p).find((c) => c.name === GO_SIDECAR);
  const epp = (p: KubeObject): PodContainer | undefined => podContainers(p).find((c) => c.name === EPP_CONTAINER);
  const sa = side(a);
  const sb = side(b);
  if (!!sa !== !!sb) {
    out.push({
      what: `${GO_SIDECAR} container`,
      from: sa ? 'injected' : '(none)',
      to: sb ? 'injected' : '(none)',
      regression: !sb,
    });
  }
  if (sa?.image !== sb?.image && sa && sb) {
    out.push({ what: `${GO_SIDECAR} image`, from: show(sa.image), to: show(sb.image), regression: false });
  }
  if (JSON.stringify(sa?.securityContext) !== JSON.stringify(sb?.securityContext) && sa && sb) {
    out.push({
      what: `${GO_SIDECAR} securityContext`,
      from: show(sa.securityContext),
      to: show(sb.securityContext),
      // The agent needs root or privileged to load its probes.
      regression: !(sb.securityContext?.privileged || sb.securityContext?.runAsUser === 0),
    });
  }
  for (const [label, ca, cb] of [
    [GO_SIDECAR, sa, sb],
    [EPP_CONTAINER, epp(a), epp(b)],
  ] as const) {
    const ea = envMap(ca);
    const eb = envMap(cb);
    for (const name of [...new Set([...ea.keys(), ...eb.keys()])].sort()) {
      if (ea.get(name) === eb.get(name)) continue;
      out.push({
        what: `${label} env ${name}`,
        from: show(ea.get(name)),
        to: show(eb.get(name)),
        regression: ea.has(name) && !eb.has(name),
      });
    }
  }
  const specA = a.spec as Record<string, unknown>;
  const specB = b.spec as Record<string, unknown>;
  for (const field of ['shareProcessNamespace', 'volumes']) {
    if (JSON.stringify(specA[field]) !== JSON.stringify(specB[field])) {
      out.push({
        what: `spec.${field}`,
        from: show(specA[field]),
        to: show(specB[field]),
        regression: !!specA[field] && !specB[field],
      });
    }
  }
  return out;
}

export function formatPodSpecDiff(from: string, to: string, changes: PodSpecChange[]): string {
  if (changes.length === 0) return `mutated EPP pod: identical under operator ${from} and ${to}`;
  return [
    `mutated EPP pod, operator ${from} -> ${to}:`,
    ...changes.map((c) => `  ${c.regression ? 'REGRESSION ' : ''}${c.what}: ${c.from} -> ${c.to}`),
  ].join('\n');
}
