// A component that dies mid-run fails the running check at once, naming the component, how it exited and its log
// tail, instead of every check waiting out its deadline on a Jaeger or EPP that will never answer; later checks of
// the file fail at once with the same cause. Each case kills a component of a topology of its own (never the
// run's shared one) with SIGKILL, as the kernel's OOM killer or a crash would. The last kills the kube-apiserver of
// a control plane started the way the run starts the one its topologies share: a topology on it fails as at home.
import { componentPid } from '../harness/runtime/process-registry';
import { throwIfDead } from '../harness/runtime/deaths';
import { applicability, notApplicable, useTopologies, type ScenarioEnv } from '../harness/scenario/use-topology';
import { ComponentDiedError, waitForTrace, waitForTraces } from '../harness/traces/wait';

/** Its own topology: an attribute no other file asks for keeps the run's shared one out of reach. */
const OWN = { models: 1, eppResourceAttributes: 'component=endpoint-picker,e2e.case=component-death' };
const DEADLINE_MS = 60000;

/**
 * Starts `wait`, kills `component` (of the run in `runDir`: the topology's own by default) while it polls, and
 * returns how the wait ended and when.
 */
async function killDuring(
  s: ScenarioEnv,
  component: string,
  wait: () => Promise<unknown>,
  runDir = s.topology.endpoints.runDir,
): Promise<{ err: Error; ms: number }> {
  const pid = componentPid(runDir, component);
  const started = Date.now();
  const pending = wait().then(
    () => new Error('the wait succeeded, though nothing could satisfy it'),
    (e: Error) => e,
  );
  // The wait has sent its first poll; the kill lands while it waits.
  process.kill(-pid, 'SIGKILL');
  const err = await pending;
  return { err, ms: Date.now() - started };
}

// Killing a component by its pid needs the components to be processes of this machine.
const gate = applicability(['local-processes']);
if (!gate.applies) {
  notApplicable('a component that dies', gate.reason);
} else {
  // One topology per case, started together: a case leaves its own with a dead component.
  const [jaegerCase, eppCase, controlPlaneCase] = useTopologies([
    { options: OWN },
    { options: OWN },
    { options: OWN, ownControlPlane: true },
  ]);

  describe('Jaeger killed mid-wait', () => {
    const env = jaegerCase;

    it('stops the trace wait within 5 s, naming jaeger, its signal and log; later checks get the same cause', async () => {
      const s = env();
      const { err, ms } = await killDuring(s, 'jaeger', () =>
        waitForTrace(s.jaeger, 'f'.repeat(32), () => true, {
          description: 'a trace nobody sends',
          timeoutMs: DEADLINE_MS,
        }),
      );
      expect(err).toBeInstanceOf(ComponentDiedError);
      expect(err.message).toMatch(
        /^stopped waiting for a trace nobody sends after \d+ polls: component jaeger died during the run: it exited on SIGKILL at /,
      );
      expect(err.message).toContain('--- last 8 lines of ');
      expect(ms).toBeLessThan(5000);
      expect(() => throwIfDead(s.topology.endpoints.runDir)).toThrow(/^component jaeger died during the run/);
    });
  });

  describe('the EPP killed mid-wait', () => {
    const env = eppCase;

    it('stops the wait for its spans within 5 s, naming the EPP', async () => {
      const s = env();
      const e = s.topology.endpoints;
      const { err, ms } = await killDuring(s, 'epp', () =>
        waitForTraces(
          s.jaeger,
          { service: e.services.epp, since: new Date() },
          (ts) => ts.length > 0 || 'no EPP trace',
          {
            description: 'an EPP trace',
            timeoutMs: DEADLINE_MS,
          },
        ),
      );
      expect(err).toBeInstanceOf(ComponentDiedError);
      expect(err.message).toMatch(/component epp died during the run: it exited on SIGKILL/);
      expect(ms).toBeLessThan(5000);
    });
  });

  describe('the kube-apiserver of the control plane it shares killed mid-wait', () => {
    const env = controlPlaneCase;

    it("stops the wait for an EPP trace within 5 s, naming kube-apiserver: the control plane's death is the topology's", async () => {
      const s = env();
      const e = s.topology.endpoints;
      // Not one of the topology's own processes: it started none of the control plane.
      expect(() => componentPid(e.runDir, 'kube-apiserver')).toThrow(/no component "kube-apiserver"/);
      const { err, ms } = await killDuring(
        s,
        'kube-apiserver',
        () =>
          waitForTraces(s.jaeger, { service: e.services.epp, since: new Date() }, (ts) => ts.length > 0 || 'none', {
            description: 'an EPP trace',
            timeoutMs: DEADLINE_MS,
          }),
        s.ownControlPlane!.runDir,
      );
      expect(err).toBeInstanceOf(ComponentDiedError);
      expect(err.message).toMatch(/component kube-apiserver died during the run: it exited on SIGKILL/);
      expect(ms).toBeLessThan(5000);
      expect(() => throwIfDead(e.runDir)).toThrow(/^component kube-apiserver died during the run/);
    });
  });
}
