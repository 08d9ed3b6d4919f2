import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv, Services } from './context';
import { auditRoutes } from './routes/audit';
import { exportRoutes } from './routes/exports';
import { filesRoutes } from './routes/files';
import { accountRoutes } from './routes/index';
import { iqaRoutes } from './routes/sampling';
import { keyRoutes } from './routes/keys';
import { personalDataRoutes } from './routes/personal-data';
import { syncRoutes } from './routes/sync';
import { staticApp } from './static';

export interface AppOptions {
  /** The built PWA (dist/); omitted in API-only tests. */
  staticDir?: string;
}

export function createApp(services: Services, options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(
    '*',
    secureHeaders({
      // A response that sets its own policy keeps it: attachment downloads are sandboxed more
      // tightly than the app (server/files/download.ts).
      overwrite: false,
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'blob:', 'data:'],
        mediaSrc: ["'self'", 'blob:'],
        // blob: so the page can read back the object URLs it made of stored files (only its own
        // script can mint them); img-src and media-src allow them for the same reason.
        connectSrc: ["'self'", 'blob:'],
        workerSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
      },
    }),
  );

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    console.error(`${c.req.method} ${c.req.path} failed`, error);
    return c.json({ error: 'server-error', message: 'The centre could not complete this request. Nothing was lost: try again.' }, 500);
  });

  app.get('/api/health', async (c) => {
    await services.db.query('select 1');
    return c.json({ ok: true, db: services.db.kind });
  });

  // Routes are mounted here as they are written: auth, admin, sync, files, keys, audit.
  app.route('/api', accountRoutes(services));
  app.route('/api/sync', syncRoutes(services));
  app.route('/api/files', filesRoutes(services));
  app.route('/api/iqa', iqaRoutes(services));
  app.route('/api/keys', keyRoutes(services));
  app.route('/api/audit', auditRoutes(services));
  app.route('/api/exports', exportRoutes(services));
  app.route('/api/personal-data', personalDataRoutes(services));

  app.all('/api/*', (c) => c.json({ error: 'not-found', message: `There is no ${c.req.method} ${c.req.path} on this centre.` }, 404));
  if (options.staticDir) app.route('/', staticApp(options.staticDir));
  return app;
}
