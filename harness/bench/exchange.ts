import { encodeFrames, type ExtProcChannel } from '../drivers/extproc/channel';
import {
  prepareCall,
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

/**
 * The driver's exchange as Envoy plays it, timed as Envoy's client sees it: a request is over when the EPP's reply
 * to the last response-body chunk is in (doneAt 'response'). The EPP's status follows the half-close without
 * holding up the next request, as in Envoy; `drain` awaits every stream's close and fails on any status but OK,
 * so a run that counts a request also proves its stream ended well. The messages are encoded once: the same call
 * is played every time, and re-encoding identical bytes would measure protobufjs, not the exchange.
 */
export function benchExchange(model: string): {
  exchange: (channel: ExtProcChannel) => Promise<ExtProcResult>;
  drain: () => Promise<void>;
} {
  const prepared = prepareCall({ ...benchCall(model), doneAt: 'response' });
  let closing: Promise<void>[] = [];
  return {
    exchange: async (channel) => {
      const r = await processThroughEpp(channel, prepared);
      closing.push(r.closed);
      return r;
    },
    drain: async () => {
      const all = closing;
      closing = [];
      await Promise.all(all);
    },
  };
}

/**
 * A diagnostic, not a driver mode: the same messages on the same channel in ghz's order (everything written and
 * half-closed at once, then the four responses read). Beside the real exchange it splits the gap to ghz into
 * what waiting for the EPP's decision costs (Envoy's order) and what the driver's own code costs.
 */
export function pipelinedExchange(model: string): (channel: ExtProcChannel) => Promise<void> {
  const frames = encodeFrames([...requestPhase(benchCall(model)), ...responsePhase(CANNED)]);
  return async (channel) => {
    const stream = channel.open();
    try {
      stream.writeFrames(frames);
      stream.end();
      for (let i = 0; i < 4; i++) await stream.next(`response ${i + 1} of 4`, 10000);
      await stream.ended(10000);
    } finally {
      stream.cancel();
    }
  };
}
