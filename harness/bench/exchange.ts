import type { ExtProcChannel } from '../drivers/extproc/channel';
import {
  processThroughEpp,
  requestPhase,
  responsePhase,
  type ExtProcCall,
  type ExtProcResult,
} from '../drivers/extproc/client';

/** What the bench's upstream "answers": played back by the driver, and the same bytes in ghz's messages. */
export const CANNED = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"choices":[]}' };

/** The one exchange both the driver and ghz repeat: a completion request, the EPP's pick, a canned response. */
export function benchCall(model: string): ExtProcCall {
  return { body: { model, prompt: 'bench', max_tokens: 1 }, upstream: CANNED };
}

export function benchExchange(model: string): (channel: ExtProcChannel) => Promise<ExtProcResult> {
  const call = benchCall(model);
  return (channel) => processThroughEpp(channel, call);
}

/**
 * A diagnostic, not a driver mode: the same messages on the same channel in ghz's order (everything written and
 * half-closed at once, then the four responses read). Beside the real exchange it splits the gap to ghz into
 * what waiting for the EPP's decision costs (Envoy's order) and what the driver's own code costs.
 */
export function pipelinedExchange(model: string): (channel: ExtProcChannel) => Promise<void> {
  const messages = [...requestPhase(benchCall(model)), ...responsePhase(CANNED)];
  return async (channel) => {
    const stream = channel.open();
    try {
      stream.write(...messages);
      stream.end();
      for (let i = 0; i < 4; i++) await stream.next(`response ${i + 1} of 4`, 10000);
      await stream.ended(10000);
    } finally {
      stream.cancel();
    }
  };
}
