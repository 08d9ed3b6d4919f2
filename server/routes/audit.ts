import { Hono } from 'hono';
import { AuditQuery } from '../../src/domain/audit';
import { readAuditTrail } from '../audit';
import { requireCaller } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { readQuery, refuse } from '../http-errors';

/** The audit trail of a learner or a record, mounted at /api/audit; scope as for the records themselves. */
export function auditRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', requireCaller(services), async (c) => {
    const query = readQuery(c, AuditQuery);
    const page = await readAuditTrail(services.db, c.get('caller'), query);
    if (!page)
      refuse(
        404,
        'not-found',
        query.learnerId !== undefined ? 'There is no such learner among those you can see.' : 'There is no such record among those you can see.',
      );
    return c.json(page);
  });

  return app;
}
