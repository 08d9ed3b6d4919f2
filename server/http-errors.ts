import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { listIssues } from '../src/domain/issues';
import { parseJsonText, readLimitedText } from './routes/body';

/** Every refusal carries a code the device can act on and a sentence a person can read. */
export function refuse(status: ContentfulStatusCode, error: string, message: string): never {
  throw new HTTPException(status, { res: Response.json({ error, message }, { status }) });
}

/**
 * The most a JSON request body may be unless its route says otherwise: ample for the largest
 * form (a caseload of 2,000 learners is about 80 KB); anything bigger is refused with 413 before
 * it is all read into memory.
 */
export const MAX_JSON_BYTES = 256 * 1024;

export async function readJson<S extends z.ZodType>(c: Context, schema: S, maxBytes = MAX_JSON_BYTES): Promise<z.infer<S>> {
  const text = await readLimitedText(c, maxBytes, 'The request');
  let body: unknown;
  try {
    body = parseJsonText(text);
  } catch {
    refuse(400, 'invalid-json', 'The request body is not valid JSON.');
  }
  return parseOr400(schema, body);
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseOr400(schema, c.req.query());
}

/** A refusal names this many problems and counts the rest (a list of 500 bad items stays readable). */
const MAX_LISTED_ISSUES = 10;

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const { text, more } = listIssues(result.error, MAX_LISTED_ISSUES);
    refuse(400, 'invalid-request', more > 0 ? `${text}\n…and ${more} more problems like these.` : text);
  }
  return result.data;
}
