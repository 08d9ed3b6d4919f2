import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The benchmark's in-browser pages, served under /__bench/ from the same origin as the app (or the
 * centre, the PouchDB server, the raw floor server), so they share its IndexedDB:
 *   harness.html: the app's own data, domain and sync modules (src/), exposed as window.bench;
 *   pouch.html:   PouchDB (pouchdb-browser), exposed as window.benchPouch.
 * Built into BENCH_HARNESS_OUT after the app, so the app's service worker does not precache it.
 */
const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/__bench/',
  logLevel: 'warn',
  define: { __APP_VERSION__: JSON.stringify('bench') },
  build: {
    outDir: process.env.BENCH_HARNESS_OUT ?? fileURLToPath(new URL('../.out/app/__bench', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: { input: { harness: `${here}harness.html`, pouch: `${here}pouch.html`, 'static-list': `${here}static-list.html` } },
  },
});
