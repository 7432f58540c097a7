import { createServer, type Server, type Socket } from 'node:net';
import type { ClusterApi } from './cluster-api';

export interface Forward {
  /** What it reaches, e.g. `svc envoy:8081 via pod envoy-7d9...`. */
  label: string;
  localPort: number;
  address: string;
}

/**
 * Local ports on 127.0.0.1 that reach pod ports through the API server, the way `kubectl port-forward`
 * does: one port-forward stream per accepted connection. All of them close on `closeAll`, which the topology
 * calls on stop and on a failed start, so no listener outlives the run.
 */
export class PortForwards {
  private readonly servers: { server: Server; sockets: Set<Socket> }[] = [];
  readonly forwards: Forward[] = [];

  constructor(
    private readonly api: ClusterApi,
    private readonly onError: (m: string) => void = () => undefined,
  ) {}

  async open(namespace: string, pod: string, port: number, label: string): Promise<Forward> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      this.api.forwardSocket(namespace, pod, port, socket).catch((err: Error) => {
        this.onError(`port-forward ${label}: ${err.message}`);
        socket.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.servers.push({ server, sockets });
    const localPort = (server.address() as { port: number }).port;
    const forward = { label, localPort, address: `127.0.0.1:${localPort}` };
    this.forwards.push(forward);
    return forward;
  }

  async closeAll(): Promise<void> {
    const all = this.servers.splice(0);
    this.forwards.splice(0);
    await Promise.all(
      all.map(
        ({ server, sockets }) =>
          new Promise<void>((resolve) => {
            sockets.forEach((s) => s.destroy());
            server.close(() => resolve());
          }),
      ),
    );
  }
}
