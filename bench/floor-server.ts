/**
 * The raw floor's server: the least a server can do with a device's uploads. Each PUT body is
 * streamed to a file, each POSTed batch of items is parsed and written as one file; nothing is
 * checked or indexed. It also serves the benchmark's pages at /__bench (one origin, no CORS).
 *   PORT, DATA_DIR, BENCH_PAGES
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';

const port = Number(process.env.PORT ?? 0);
const dataDir = process.env.DATA_DIR!;
const pages = normalize(process.env.BENCH_PAGES!);
mkdirSync(dataDir, { recursive: true });
let seq = 0;

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/__bench/')) {
      const file = normalize(join(pages, url.pathname.slice('/__bench/'.length)));
      if (!file.startsWith(pages)) return res.writeHead(404).end();
      const type = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' }[extname(file)] ?? 'application/octet-stream';
      const stream = createReadStream(file);
      stream.on('error', () => res.writeHead(404).end());
      stream.on('open', () => {
        res.writeHead(200, { 'Content-Type': type });
        stream.pipe(res);
      });
      return;
    }
    const match = /^\/floor\/([\w-]+)\/(blobs\/\d+|items)$/.exec(url.pathname);
    if (!match) return res.writeHead(404).end();
    const dir = join(dataDir, match[1]!);
    mkdirSync(dir, { recursive: true });
    if (req.method === 'PUT' && match[2]!.startsWith('blobs/')) {
      await pipeline(req, createWriteStream(join(dir, match[2]!.replace('/', '-'))));
    } else if (req.method === 'POST' && match[2] === 'items') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const items = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
      await writeFile(join(dir, `items-${++seq}.json`), JSON.stringify(items));
    } else return res.writeHead(405).end();
    res.writeHead(204).end();
  } catch (error) {
    console.error(error);
    res.writeHead(500).end();
  }
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`floor server on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
