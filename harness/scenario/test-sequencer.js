// The order jest starts the scenario files in. Plain JavaScript: jest loads a sequencer without transforming it.
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Jest's own order runs the slowest files first. For scenarios that puts the two heaviest start-ups of a run side by
 * side at its first second, beside the shared topology's own start: on 2 cores injection's operator-mode topology
 * and cli-lifecycle's three `up`s then slow each other down (injection: 13 s alone, 24 s so paired). Once every
 * file's time is known (jest's cache of the last run), the files alternate long and short: the second worker starts
 * with a short file, so the next long one starts once the first is past its start-up, and so on. Without timings
 * (a fresh clone) jest's order stands: failed first, then by file size.
 */
class ScenarioSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    if (ordered.some((t) => t.duration == null || this.hasFailed(t))) return ordered;
    return alternateLongAndShort(ordered);
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
