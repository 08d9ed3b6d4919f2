import { fileURLToPath } from 'node:url';
import { mergeConfig, type Plugin, type UserConfig } from 'vite';
import project from '../vite.config';

/**
 * The app exactly as `npm run build` makes it (the project's own vite.config.ts), into the bench's
 * output directory, plus one static page (bench-static.html) that the service worker precaches
 * alongside the shell: the reference for the offline cold start, served by the same worker.
 */
const STATIC_PAGE = `<!doctype html>
<html lang="en-GB">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>ICT Portfolio (static)</title>
  </head>
  <body>
    <main id="main"><h1>Hello, Bench Learner</h1><section aria-labelledby="recent-heading"><h2 id="recent-heading">Recent evidence</h2>
    <ul class="list" id="bench-static-ready"><li>1. configured switch ports</li><li>2. documented the change</li><li>3. logged the ticket</li><li>4. replaced faulty cable</li><li>5. tested the backup</li></ul></section></main>
  </body>
</html>
`;

function benchStaticPage(): Plugin {
  return {
    name: 'bench-static-page',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'bench-static.html', source: STATIC_PAGE });
    },
  };
}

export default mergeConfig(project as UserConfig, {
  logLevel: 'warn',
  plugins: [benchStaticPage()],
  build: { outDir: process.env.BENCH_APP_OUT ?? fileURLToPath(new URL('./.out/app', import.meta.url)), emptyOutDir: true },
});
