/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(version) },
  plugins: [
    preact(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'service-worker',
      filename: 'sw.ts',
      registerType: 'prompt',
      includeManifestIcons: false,
      injectRegister: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,json}'],
      },
      manifest: {
        id: '/',
        name: 'ICT Portfolio: evidence for 4520 ICT Professional Competence',
        short_name: 'ICT Portfolio',
        description: 'Log and map workplace evidence for the City & Guilds 4520 diplomas, online or offline.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#ffffff',
        theme_color: '#1d3f72',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
  build: { target: 'es2022', sourcemap: true },
  test: {
    testTimeout: 15000,
    projects: [
      {
        extends: true,
        test: {
          name: 'web',
          include: ['tests/unit/**/*.test.ts', 'tests/component/**/*.test.tsx'],
          environment: 'happy-dom',
          setupFiles: ['tests/setup.ts'],
          // Both cores: the default (one fewer than the cores) ran these in 120 s instead of 75 s here.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'server',
          include: ['tests/server/**/*.test.ts'],
          environment: 'node',
          // Each file starts its own database; two at a time keeps a 2-core machine responsive.
          maxWorkers: 2,
          testTimeout: 30000,
          hookTimeout: 60000,
        },
      },
      {
        extends: true,
        test: {
          // npm run test:faults: the fault suites (tests/faults/, one file each), sized by
          // FAULTS_SCALE; each writes its figures to docs/reliability.md (tests/faults/collector.ts).
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          environment: 'node',
          // One suite at a time: they load the machine on purpose, and share docs/reliability.json.
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: 600000,
          hookTimeout: 120000,
        },
      },
    ],
  },
});
