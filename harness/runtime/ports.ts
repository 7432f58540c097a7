import { createServer, type Server } from 'node:net';

/**
 * Reserves `count` distinct free TCP ports on 127.0.0.1 by holding them open together, then releases them:
 * picking them all at once keeps two runs side by side (and two components of one run) from colliding.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(server);
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
