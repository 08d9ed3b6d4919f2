import { createMiddleware } from 'hono/factory';
import type { AppEnv, Role, Services } from '../context';
import { refuse } from '../http-errors';
import { callerForToken } from './sessions';

const FAILURE_MESSAGES = {
  unknown: 'You are not signed in on this device. Sign in again; anything saved on the device is kept.',
  revoked: 'This device was signed out from another device or by your centre. Sign in again; anything saved on the device is kept.',
  expired: 'Your sign-in on this device has expired. Sign in again; anything saved on the device is kept.',
  disabled: 'Your account has been disabled by your centre.',
} as const;

/** Every route behind this knows who is calling; the token comes only from the Authorization header. */
export function requireCaller(services: Services) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]{32,128})$/.exec(header);
    if (!match) refuse(401, 'signed-out', FAILURE_MESSAGES.unknown);
    const caller = await callerForToken(services.db, match[1]!, services.now());
    if (typeof caller === 'string') refuse(401, caller === 'disabled' ? 'disabled' : `session-${caller}`, FAILURE_MESSAGES[caller]);
    c.set('caller', caller);
    await next();
  });
}

export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!roles.includes(c.get('caller').role)) refuse(403, 'forbidden', `Only ${roles.join(' or ')} users can do this.`);
    await next();
  });
}
