// The order jest starts the scenario files in. Plain JavaScript: jest loads a sequencer without transforming it.
'use strict';
const { basename } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const recorded = require('./file-times.json');

/**
 * Jest's own order runs the slowest files first (by file size when it has no times). For scenarios that puts the
 * two heaviest start-ups of a run side by side at its first second, beside the shared topology's own start: on 2
 * cores injection's operator-mode topology and cli-lifecycle's three `up`s slowed each other down (injection: 13 s
 * alone, 23-24 s so paired). Here the files alternate long and short, so that the second worker starts with a short
 * file and the next long one begins once the first is past its start-up. The times are jest's from the last run, or
 * the recorded ones of file-times.json when jest has none (a fresh clone, CI). A run with failures keeps jest's
 * order, which puts them first.
 */
class ScenarioSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    if (ordered.some((t) => this.hasFailed(t))) return ordered;
    const known = ordered.every((t) => t.duration != null);
    const seconds = (t) => (known ? t.duration / 1000 : (recorded[basename(t.path)] ?? Infinity));
    return alternateLongAndShort([...ordered].sort((a, b) => seconds(b) - seconds(a)));
  }
}

/** [longest, shortest, 2nd longest, 2nd shortest, ...] from a list sorted longest first. */
function alternateLongAndShort(longestFirst) {
  const out = [];
  let long = 0;
  let short = longestFirst.length - 1;
  while (long <= short) {
    out.push(longestFirst[long++]);
    if (long <= short) out.push(longestFirst[short--]);
  }
  return out;
}

module.exports = ScenarioSequencer;
module.exports.alternateLongAndShort = alternateLongAndShort;
