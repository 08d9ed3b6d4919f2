import { createConnection, createServer, type Socket } from 'node:net';
import { onCleanup } from './cleanup';
import { rng } from '../harness/data';

export interface ProxyStats {
  /** Bytes the browser sent through the proxy (towards the centre) since reset(). */
  bytesUp: number;
  bytesDown: number;
  connections: number;
  cuts: number;
}

export interface BadLinkProxy {
  url: string;
  /** From now on every new connection is cut after a random 0–`maxBytes` bytes sent (seeded); open connections are dropped. */
  arm(seed: number, maxBytes: number): void;
  disarm(): void;
  reset(): void;
  stats(): ProxyStats;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of the centre: a patchy mobile link. When armed, each connection
 * carries a random number of bytes (uniform in 0–maxBytes, from a seeded generator, so every run
 * sees the same sequence of cuts) towards the centre and is then reset in both directions.
 */
export async function startBadLinkProxy(targetPort: number): Promise<BadLinkProxy> {
  let armed: { next: () => number; maxBytes: number } | null = null;
  const stats: ProxyStats = { bytesUp: 0, bytesDown: 0, connections: 0, cuts: 0 };
  const open = new Set<Socket>();
  const server = createServer((client) => {
    stats.connections++;
    const limit = armed ? Math.floor(armed.next() * armed.maxBytes) : Infinity;
    let sent = 0;
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    open.add(client);
    open.add(upstream);
    const cut = () => {
      stats.cuts++;
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    };
    client.on('data', (chunk: Buffer) => {
      stats.bytesUp += chunk.length;
      if (sent + chunk.length > limit) {
        const part = chunk.subarray(0, limit - sent);
        sent = limit;
        if (part.length > 0) upstream.write(part);
        return cut();
      }
      sent += chunk.length;
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk: Buffer) => {
      stats.bytesDown += chunk.length;
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dropAll = () => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  const close = () =>
    new Promise<void>((resolve) => {
      dropAll();
      server.close(() => resolve());
      remove();
    });
  const remove = onCleanup('bad-link proxy', close);
  return {
    url: `http://127.0.0.1:${port}`,
    arm(seed, maxBytes) {
      armed = { next: rng(seed), maxBytes };
      dropAll();
    },
    disarm() {
      armed = null;
    },
    reset() {
      Object.assign(stats, { bytesUp: 0, bytesDown: 0, connections: 0, cuts: 0 });
    },
    stats: () => ({ ...stats }),
    close,
  };
}
