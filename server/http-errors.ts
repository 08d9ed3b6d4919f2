import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

/** Every refusal carries a code the device can act on and a sentence a person can read. */
export function refuse(status: ContentfulStatusCode, error: string, message: string): never {
  throw new HTTPException(status, { res: Response.json({ error, message }, { status }) });
}

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    refuse(400, 'invalid-json', 'The request body is not valid JSON.');
  }
  return parseOr400(schema, body);
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseOr400(schema, c.req.query());
}

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) refuse(400, 'invalid-request', z.prettifyError(result.error));
  return result.data;
}
