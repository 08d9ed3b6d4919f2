import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/** The minimal Vite + Preact + Dexie page, built with the project's vite and the app's build target. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  plugins: [preact()],
  build: {
    outDir: process.env.BENCH_MINIMAL_OUT ?? fileURLToPath(new URL('../.out/minimal', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
});
