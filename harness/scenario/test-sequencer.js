// The order jest starts the scenario files in. Plain JavaScript: jest loads a sequencer without transforming it.
'use strict';
const { basename } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const recorded = require('./file-times.json');

/**
 * The file with the heaviest start-up of a run: an operator-mode topology (control plane, the operator and its CRDs,
 * the EPP through the operator's webhook, the eBPF agent's offset analysis: about 10 s of 2 cores alone).
 */
const HEAVIEST_START = 'injection.e2e.ts';

/**
 * Jest's own order runs the slowest files first (by file size when it has no times), which on 2 cores put two heavy
 * start-ups side by side, beside the shared topology's own start, and pushed injection from 13 s alone to 24 s. Here
 * the run begins with the heaviest start-up on one worker while the other runs the shortest files (those on the
 * shared topology, which wait for its start anyway) until they add up to its time; the rest then alternate long
 * and short. The times are jest's from the last run, or the recorded ones of file-times.json when jest has none.
 */
class ScenarioSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    if (ordered.some((t) => this.hasFailed(t))) return ordered;
    const known = ordered.every((t) => t.duration != null);
    const seconds = (t) => (known ? t.duration / 1000 : (recorded[basename(t.path)] ?? Infinity));
    return scenarioOrder(ordered.map((t) => ({ name: basename(t.path), seconds: seconds(t), test: t }))).map(
      (f) => f.test,
    );
  }
}

/**
 * Files ({ name, seconds }) in the order above: the heaviest start-up (or the longest file), then the shortest
 * files while their sum stays under its time, then [longest, shortest, 2nd longest, ...] of the rest.
 */
function scenarioOrder(files) {
  const byTime = [...files].sort((a, b) => b.seconds - a.seconds);
  const first = byTime.find((f) => f.name === HEAVIEST_START) ?? byTime[0];
  if (!first) return [];
  const rest = byTime.filter((f) => f !== first);
  const out = [first];
  let beside = 0;
  while (rest.length > 0 && beside + rest[rest.length - 1].seconds < first.seconds) {
    const short = rest.pop();
    beside += short.seconds;
    out.push(short);
  }
  while (rest.length > 0) {
    out.push(rest.shift());
    if (rest.length > 0) out.push(rest.pop());
  }
  return out;
}

module.exports = ScenarioSequencer;
module.exports.scenarioOrder = scenarioOrder;
