import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseOr400 } from '../../server/http-errors';

describe('refusals of invalid requests', () => {
  it('name the first ten problems and count the rest, so a list of 500 bad items stays readable', async () => {
    const schema = z.object({ methods: z.array(z.enum(['observation', 'questioning'], { error: 'Choose how this evidence was assessed' })) });
    const refusal = (() => {
      try {
        parseOr400(schema, { methods: Array.from({ length: 500 }, () => 'guess') });
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(HTTPException);
    const response = (refusal as HTTPException).getResponse();
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('invalid-request');
    expect(body.message.match(/Choose how this evidence was assessed/g)).toHaveLength(10);
    expect(body.message).toMatch(/…and 490 more problems like these\.$/);
    expect(body.message.length).toBeLessThan(1000);
  });

  it('list every problem when there are few', async () => {
    let refusal: unknown = null;
    try {
      parseOr400(z.object({ title: z.string({ error: 'Give it a title' }) }), {});
    } catch (error) {
      refusal = error;
    }
    const body = (await (refusal as HTTPException).getResponse().json()) as { message: string };
    expect(body.message).toContain('Give it a title');
    expect(body.message).not.toContain('more problems');
  });
});
