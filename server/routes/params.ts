import type { Context } from 'hono';
import { z } from 'zod';
import { parseOr400 } from '../http-errors';

/** Path parameters are input like any other: validated before any query sees them. */
export function readParams<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseOr400(schema, c.req.param());
}

export const IdParam = z.object({ id: z.string().uuid('That id is not a valid UUID') });
