import { loadOne } from '../traces/recorded';
import { renderTrace } from '../traces/render';
import { shapeFingerprint, traceShape } from '../traces/shape';
import { parseJunit } from './junit';
import type { ProbeShape } from './probes';
import { compareRecords, htmlReport, markdownReport, textReport, type VersionRecord } from './report';

function probe(label: string, file: string): ProbeShape {
  const t = loadOne(file);
  const shape = traceShape(t);
  return { label, shape, fingerprint: shapeFingerprint(shape), tree: renderTrace(t) };
}

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="1">
  <testsuite name="smoke" tests="2">
    <testcase classname="smoke one request" name="smoke one request" time="1.2">
    </testcase>
    <testcase classname="propagation the EPP&apos;s context" name="propagation the EPP&apos;s context" time="0.5">
      <failure>Error: expected ...</failure>
    </testcase>
    <testcase classname="contract fails &amp; lists" name="contract fails &amp; lists" time="0.1"/>
  </testsuite>
  <testsuite name="injection" tests="1" skipped="1">
    <testcase classname="injection not applicable on the kind topology: needs ebpf" name="not applicable on the kind topology: needs ebpf" time="0">
      <skipped/>
    </testcase>
  </testsuite>
</testsuites>`;

describe('compare', () => {
  it('reads outcomes from a jest-junit file', () => {
    expect(parseJunit(JUNIT)).toEqual({
      'smoke one request': 'passed',
      "propagation the EPP's context": 'failed',
      'contract fails & lists': 'passed',
      'injection not applicable on the kind topology: needs ebpf › not applicable on the kind topology: needs ebpf':
        'skipped',
    });
  });

  it('counts a check that passed and no longer runs (skipped) as a regression', () => {
    const before: VersionRecord = { version: 'a', probes: [], outcomes: { 'injection › x': 'passed' } };
    const after: VersionRecord = { version: 'b', probes: [], outcomes: { 'injection › x': 'skipped' } };
    expect(compareRecords(before, after).regressed).toBe(true);
    expect(compareRecords(after, before).regressed).toBe(false);
  });

  const a: VersionRecord = {
    version: 'gie-v1.4.0',
    probes: [probe('EPP trace', 'recorded-epp-trace-gie-v1.4.0.json')],
    outcomes: { 'contract › x': 'passed', 'smoke › y': 'passed', 'sampling › z': 'failed' },
  };
  const b: VersionRecord = {
    version: 'gie-v1.5.0',
    probes: [probe('EPP trace', 'recorded-epp-trace.json')],
    outcomes: { 'contract › x': 'passed', 'smoke › y': 'failed', 'sampling › z': 'passed' },
  };

  it('reports the shape diff and a regression, and exits on it', () => {
    const c = compareRecords(a, b);
    expect(c.regressed).toBe(true);
    const text = textReport(a, b, c);
    expect(text).toContain('compare EPP gie-v1.4.0 -> gie-v1.5.0');
    expect(text).toContain('  + span llm-d-epp/gateway.request > llm-d-epp/gateway.request_orchestration [server]');
    expect(text).toContain('  REGRESSED: smoke › y: passed -> failed');
    expect(text).toContain('  changed: sampling › z: failed -> passed');
    expect(text).toContain('RESULT: regression');
  });

  it('says "same" and no regression for identical records', () => {
    const c = compareRecords(b, b);
    expect(c.regressed).toBe(false);
    expect(textReport(b, b, c)).toContain('trace shape: EPP trace: same');
  });

  it('writes Markdown with both trees side by side', () => {
    const md = markdownReport(a, b, compareRecords(a, b));
    expect(md).toContain('| gie-v1.4.0 | gie-v1.5.0 |');
    expect(md).toMatch(
      /<pre>trace [0-9a-f]{32} \(1 spans\)<br>&gt;&gt;|<pre>trace [0-9a-f]{32} \(1 spans\)<br> {3}llm-d-epp/,
    );
    expect(md).toContain('**regressed**: smoke › y: passed → failed');
  });

  it('writes a self-contained HTML page with the diff, both trees in columns, escaped, and the regression', () => {
    const html = htmlReport(a, b, compareRecords(a, b));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>EPP gie-v1.4.0 vs gie-v1.5.0</title>');
    expect(html).toContain('<p class="bad">Regression</p>');
    expect(html).toContain('<tr><th>gie-v1.4.0</th><th>gie-v1.5.0</th></tr>');
    expect(html).toContain(
      '<code>+ span llm-d-epp/gateway.request &gt; llm-d-epp/gateway.request_orchestration [server]</code>',
    );
    expect(html).toContain('<li class="bad">smoke › y: passed &rarr; failed</li>');
    expect(html).not.toMatch(/<pre>[^<]*>>/);
  });

  it('names the subject it compares (an operator upgrade, not only EPP versions)', () => {
    const op = (r: VersionRecord, version: string): VersionRecord => ({
      ...r,
      subject: 'OpenTelemetry Operator',
      version,
    });
    const text = textReport(op(b, 'operator-v0.143.0'), op(b, 'operator-v0.148.0'), compareRecords(b, b));
    expect(text).toMatch(/^compare OpenTelemetry Operator operator-v0.143.0 -> operator-v0.148.0/);
  });
});
