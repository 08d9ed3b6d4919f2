import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { rng } from './scale';

/**
 * A bad network on loopback, in front of the centre, for fault suite 2. Unlike the benchmarks'
 * bad-link proxy (bench/lib/proxy.ts, which cuts TCP connections after a number of bytes and knows
 * nothing of requests), this one reads each HTTP request and, drawing from a seeded generator,
 * passes it, delays it, drops it (closes the connection without an answer, before or after the
 * centre has handled it), sends it to the centre twice, or cuts it part-way through the request
 * body (the centre sees a request that stops) or through the answer (the device sees one that stops).
 */

export type Fault = 'pass' | 'delay' | 'drop-before' | 'drop-after' | 'duplicate' | 'cut-request' | 'cut-answer';

/** How often each happens when armed (the rest pass). */
export const FAULT_RATES: Readonly<Record<Exclude<Fault, 'pass'>, number>> = {
  delay: 0.12,
  'drop-before': 0.05,
  'drop-after': 0.05,
  duplicate: 0.08,
  'cut-request': 0.05,
  'cut-answer': 0.05,
};

export interface BadNetwork {
  url: string;
  /** From now on, faults are drawn for every request (seeded). */
  arm(seed: number): void;
  disarm(): void;
  /** Requests seen and faults made, by kind. */
  counts(): Record<Fault, number> & { requests: number };
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
  return out;
}

export async function startBadNetwork(targetPort: number): Promise<BadNetwork> {
  let next: (() => number) | null = null;
  const counts = { requests: 0, pass: 0, delay: 0, 'drop-before': 0, 'drop-after': 0, duplicate: 0, 'cut-request': 0, 'cut-answer': 0 } satisfies Record<Fault, number> & { requests: number };
  const sockets = new Set<Socket>();

  const send = (req: IncomingMessage, body: Buffer, cutAt?: number): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const headers = forwardable(req.headers);
      if (body.length > 0 || req.headers['content-length'] !== undefined) headers['content-length'] = String(body.length);
      const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      upstream.on('error', reject);
      if (cutAt === undefined) upstream.end(body);
      else {
        // Part of the body, then the connection goes: the centre reads a request that stops.
        upstream.write(body.subarray(0, cutAt), () => setTimeout(() => upstream.destroy(new Error('cut by the bad network')), 5));
      }
    });

  const relay = (req: IncomingMessage, res: ServerResponse, answer: Answer, cut = false) => {
    const headers = forwardable(answer.headers);
    // HEAD answers keep the length of the body they describe.
    if (req.method !== 'HEAD') headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    if (cut) {
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  };

  const pick = (req: IncomingMessage, body: Buffer): Fault => {
    if (!next) return 'pass';
    let r = next();
    for (const [fault, rate] of Object.entries(FAULT_RATES) as Array<[Exclude<Fault, 'pass'>, number]>) {
      if (r < rate) {
        // A cut part-way through a body needs a body of two bytes or more.
        if (fault === 'cut-request' && body.length < 2) return 'drop-before';
        if (fault === 'cut-answer' && req.method === 'HEAD') return 'drop-after';
        return fault;
      }
      r -= rate;
    }
    return 'pass';
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    counts.requests++;
    const fault = pick(req, body);
    counts[fault]++;
    const random = next ?? Math.random;
    switch (fault) {
      case 'pass':
        return relay(req, res, await send(req, body));
      case 'delay':
        await new Promise((r) => setTimeout(r, 50 + Math.floor(random() * 450)));
        return relay(req, res, await send(req, body));
      case 'drop-before':
        return req.socket.destroy();
      case 'drop-after':
        await send(req, body);
        return req.socket.destroy();
      case 'duplicate':
        await send(req, body).catch(() => undefined);
        return relay(req, res, await send(req, body));
      case 'cut-request':
        await send(req, body, 1 + Math.floor(random() * (body.length - 1))).catch(() => undefined);
        return req.socket.destroy();
      case 'cut-answer':
        return relay(req, res, await send(req, body), true);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The centre could not be reached or broke the connection: so does the device's.
      req.socket.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    arm(seed) {
      next = rng(seed);
    },
    disarm() {
      next = null;
    },
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
