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
 * The policy of every page and file of the app (index.html for every path, its scripts, styles,
 * worker and manifest). Strict: only our own files run, nothing inline.
 * - script-src: our bundles only; no 'unsafe-inline' or 'unsafe-eval' (the built index.html has no
 *   inline script: vite.config.ts sets injectRegister: false, and src/app/sw-bridge.ts registers
 *   the worker from the bundle). 'wasm-unsafe-eval' lets WebAssembly compile (hash-wasm hashes
 *   files over 32 MB, src/data/hash.ts) and nothing else: it does not allow eval() or new Function.
 * - style-src 'self': no inline <style> and no style="" attributes in markup. The app's `style={{…}}`
 *   props need no 'unsafe-inline': Preact sets them through the CSSOM (element.style), which CSP
 *   does not govern; only style attributes parsed from markup or set with setAttribute are refused.
 *   The two components that rendered a <style> element now use styles.css.
 * - img-src and media-src allow blob: for the object URLs the page makes of stored files (photos,
 *   video, audio offline), data: for images; connect-src allows blob: so the page (and the e2e
 *   tests) can read those object URLs back; a blob: URL is only ever minted by our own script.
 * - object-src 'none': no plugins. A PDF then shows the "Open" link inside its <object>, which
 *   opens the local copy in the browser's viewer.
 * - base-uri 'none', form-action 'self', frame-ancestors 'none' (with X-Frame-Options DENY for old
 *   browsers): no injected <base>, no form posting elsewhere, never framed (no clickjacking).
 * createApp's secureHeaders() runs with overwrite: false, so these headers are the ones a page gets.
 * Fault suite 7 (tests/faults/access-control.test.ts) checks them on every page path.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self' blob:",
  "font-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': PAGE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
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
    return c.body(body, 200, { ...PAGE_SECURITY_HEADERS, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': cache });
  });
  return app;
}
