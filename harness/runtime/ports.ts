import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Where listening ports are picked: below the kernel's ephemeral range. A port the kernel hands out for listen(0)
 * comes from that range, from which it also takes the source port of every outgoing connection on the machine, so
 * between our pick and the component's bind another process's connection could take it (seen: the EPP's gRPC
 * port, "bind: address already in use"). Below the range only another listener can, and those pick here too.
 */
export function listenPortRange(procFile = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] {
  let low = 32768;
  try {
    low = Number(readFileSync(procFile, 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152; stay below Linux's default anyway.
  }
  const top = Math.min(low, 32768) - 1;
  return [Math.max(1025, top - 12000), top];
}

function listenOn(port: number, host: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Reserves `count` distinct free TCP ports on 127.0.0.1 by holding them open together, then releases them:
 * picking them all at once keeps two runs side by side (and two components of one run) from colliding.
 */
export async function freePorts(count: number, range = listenPortRange()): Promise<number[]> {
  const servers: Server[] = [];
  const [lo, hi] = range;
  try {
    for (let tries = 0; servers.length < count; tries++) {
      if (tries > count * 50) throw new Error(`no ${count} free ports in ${lo}-${hi} after ${tries} tries`);
      const server = await listenOn(lo + Math.floor(Math.random() * (hi - lo + 1)), '127.0.0.1');
      if (server) servers.push(server);
    }
    return servers.map((s) => {
      const addr = s.address();
      if (addr === null || typeof addr === 'string') throw new Error('no port');
      return addr.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** True when something is already bound to host:port (127.0.0.1 unless given). */
export function isPortInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

function freeOn(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * One port free on 127.0.0.1 (so runs that pick ports there do not take it) and on every host given: the model
 * servers share one port, each on a loopback address of its own, and another run's servers may hold that port
 * on the same addresses.
 */
export async function freePortOnAll(hosts: string[], attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const [port] = await freePorts(1);
    const free = await Promise.all(hosts.map((h) => freeOn(port, h)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(', ')} after ${attempts} tries`);
}
