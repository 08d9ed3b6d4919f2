import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { Hono } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built PWA. Hashed assets are immutable; index.html and the worker must be revalidated
 * so an update is found; any other path gets index.html (the app routes on the client).
 */
export function staticApp(root: string): Hono {
  const app = new Hono();
  const base = normalize(root + sep);
  app.get('*', async (c) => {
    const path = normalize(join(base, decodeURIComponent(c.req.path)));
    const inside = path.startsWith(base);
    const file = inside && (await stat(path).catch(() => null))?.isFile() ? path : join(base, 'index.html');
    const body = await readFile(file);
    const name = file.slice(base.length);
    const cache = name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return c.body(body, 200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': cache });
  });
  return app;
}
