// The ext_proc driver alone against a running EPP, for profiling it without the rest of `make bench`:
//   node bin/epp-e2e.js up --topology local            (prints the endpoints; leave it running)
//   node --cpu-prof --cpu-prof-dir=/tmp/prof -r ./bin/ts-register.js harness/bench/driver-loop.ts \
//     <extProc host:port> <model> [requests=2000] [streams=1,8,32]
// Prints one JSON line per stream count.
import { extProcChannel } from '../drivers/extproc/client';
import { benchExchange } from './exchange';
import { closedLoop } from './load';

async function main(): Promise<void> {
  const [target, model, n = '2000', streams = '1,8,32'] = process.argv.slice(2);
  if (!target || !model) throw new Error('usage: driver-loop.ts <extProc host:port> <model> [requests] [streams]');
  const channel = extProcChannel(target);
  const { exchange, drain } = benchExchange(model);
  await closedLoop(50, 1, () => exchange(channel), drain); // warm-up: connection, JIT
  for (const s of streams.split(',').map(Number)) {
    const r = await closedLoop(Number(n), s, () => exchange(channel), drain);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
  channel.close();
}

main().catch((err: Error) => {
  process.stderr.write(`driver-loop: ${err.message}\n`);
  process.exit(1);
});
