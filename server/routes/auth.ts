import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { SignInRequest, type DeviceSessionList, type SessionUser, type SignInResponse } from '../../src/domain/auth';
import { audit } from '../audit';
import { clientAddress } from '../auth/client-address';
import { findDeviceSession, listDeviceSessions, revokeDeviceSession } from '../auth/device-sessions';
import { requireCaller } from '../auth/middleware';
import { dummyPasswordHash, verifyPassword } from '../auth/passwords';
import { clearSignInFailures, recordSignInFailure, signInRetryAfter } from '../auth/rate-limit';
import { createDeviceSession } from '../auth/sessions';
import type { AppEnv, Role, Services } from '../context';
import type { Sql } from '../db/database';
import { readJson, refuse } from '../http-errors';
import { IdParam, readParams } from './params';

const BAD_CREDENTIALS = 'That email and password do not match an account at this centre. Check both and try again.';

interface UserRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  centre_id: string;
  centre_name: string;
  password_hash: string;
  disabled_at: Date | null;
}

async function findUserByEmail(db: Sql, email: string): Promise<UserRow | null> {
  const [row] = await db.query<UserRow>(
    `select u.id, u.name, u.email, u.role, u.centre_id, c.name as centre_name, u.password_hash, u.disabled_at
       from users u join centres c on c.id = u.centre_id
      where u.email = $1`,
    [email],
  );
  return row ?? null;
}

export async function sessionUser(db: Sql, userId: string): Promise<SessionUser> {
  const [row] = await db.query<UserRow>(
    `select u.id, u.name, u.email, u.role, u.centre_id, c.name as centre_name from users u join centres c on c.id = u.centre_id where u.id = $1`,
    [userId],
  );
  if (!row) throw new Error(`User ${userId} vanished while signed in`);
  return { id: row.id, name: row.name, email: row.email, role: row.role, centreId: row.centre_id, centreName: row.centre_name };
}

function tooManyAttempts(retryAfterSeconds: number): never {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const message = `Too many failed sign-ins for this email from this network. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again, or ask your centre's admin to reset your password.`;
  throw new HTTPException(429, {
    res: Response.json({ error: 'too-many-attempts', message }, { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } }),
  });
}

export function authRoutes(services: Services): Hono<AppEnv> {
  const { db } = services;
  const signedIn = requireCaller(services);
  const app = new Hono<AppEnv>();

  app.post('/sign-in', async (c) => {
    const request = await readJson(c, SignInRequest);
    const now = services.now();
    const key = { email: request.email, client: clientAddress(c) };
    // Checked before the password, so a limited key costs no argon2 work.
    const retryAfter = await signInRetryAfter(db, key, now);
    if (retryAfter !== null) {
      await audit(db, null, 'sign-in-limited', { entity: 'email', recordId: request.email }, { client: key.client });
      tooManyAttempts(retryAfter);
    }

    const user = await findUserByEmail(db, request.email);
    // An unknown email still costs one argon2 verify, so response time does not reveal who has an account.
    const passwordOk = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), request.password);
    if (!user || !passwordOk) {
      await db.transaction(async (tx) => {
        await recordSignInFailure(tx, key, now);
        await audit(tx, null, 'sign-in-failed', { entity: 'email', recordId: request.email, ...(user ? { centreId: user.centre_id } : {}) }, {
          client: key.client,
          deviceId: request.deviceId,
        });
      });
      refuse(401, 'bad-credentials', BAD_CREDENTIALS);
    }
    if (user.disabled_at) {
      await audit(db, null, 'sign-in-failed', { entity: 'user', recordId: user.id, centreId: user.centre_id }, { client: key.client, reason: 'disabled' });
      refuse(403, 'disabled', 'Your account has been disabled by your centre. Ask your centre’s admin if you think this is a mistake.');
    }

    const session = await db.transaction(async (tx) => {
      await clearSignInFailures(tx, key);
      const created = await createDeviceSession(tx, user.id, request.deviceId, request.deviceLabel, now);
      await audit(tx, { centreId: user.centre_id, userId: user.id, deviceId: request.deviceId }, 'sign-in', { entity: 'session', recordId: created.sessionId }, {
        client: key.client,
        deviceLabel: request.deviceLabel,
      });
      return created;
    });
    const body: SignInResponse = {
      token: session.token,
      sessionId: session.sessionId,
      expiresAt: session.expiresAt.toISOString(),
      user: { id: user.id, name: user.name, email: user.email, role: user.role, centreId: user.centre_id, centreName: user.centre_name },
    };
    return c.json(body);
  });

  app.post('/sign-out', signedIn, async (c) => {
    const caller = c.get('caller');
    await db.transaction(async (tx) => {
      await revokeDeviceSession(tx, caller.sessionId, caller, services.now());
      await audit(tx, caller, 'sign-out', { entity: 'session', recordId: caller.sessionId });
    });
    return c.json({ ok: true });
  });

  app.get('/me', signedIn, async (c) => c.json(await sessionUser(db, c.get('caller').userId)));

  app.get('/sessions', signedIn, async (c) => {
    const caller = c.get('caller');
    const body: DeviceSessionList = { sessions: await listDeviceSessions(db, caller.userId, caller.sessionId, services.now()) };
    return c.json(body);
  });

  app.post('/sessions/:id/revoke', signedIn, async (c) => {
    const caller = c.get('caller');
    const { id } = readParams(c, IdParam);
    // Only the caller's own sessions: anyone else's answers exactly as a session that does not exist.
    const found = await findDeviceSession(db, id, { userId: caller.userId });
    if (!found) refuse(404, 'not-found', 'There is no such device session on your account.');
    await db.transaction(async (tx) => {
      await revokeDeviceSession(tx, id, caller, services.now());
      await audit(tx, caller, 'session-revoked', { entity: 'session', recordId: id }, { deviceId: found.session.deviceId });
    });
    const revoked = await findDeviceSession(db, id, { userId: caller.userId }, caller.sessionId);
    return c.json(revoked!.session);
  });

  return app;
}
