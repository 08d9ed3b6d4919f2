import type { Context } from 'hono';

/**
 * The address a request came from, for rate limiting and the audit log. X-Forwarded-For is only
 * believed when TRUST_PROXY is set (the centre runs behind a load balancer that sets it):
 * otherwise any client could claim a fresh address on every attempt and escape the limit.
 */
export function clientAddress(c: Context): string {
  if (process.env.TRUST_PROXY) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded.slice(0, 100);
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
