import { Hono } from 'hono';
import { z } from 'zod';
import { requireCaller } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { refuse } from '../http-errors';
import { loadSpec } from '../specs';
import { readParams } from './params';

const SpecParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'That is not a spec id'),
  version: z.coerce.number().int().positive().max(1_000_000),
});

/**
 * Any signed-in user's device fetches the exact spec version its enrolments started on. Specs
 * are published awarding-body documents, so no further scope applies; a stored version never
 * changes, so the device may cache it for good.
 */
export function specRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/:id/:version', requireCaller(services), async (c) => {
    const { id, version } = readParams(c, SpecParams);
    const spec = await loadSpec(services.db, id, version);
    if (!spec) refuse(404, 'not-found', `This centre has no spec ${id} version ${version}.`);
    return c.json(spec, 200, { 'Cache-Control': 'private, max-age=31536000, immutable' });
  });
  return app;
}
