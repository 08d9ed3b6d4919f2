import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSessionList, SessionUser, SignInResponse } from '../../src/domain/auth';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

/**
 * Sign-in and device sessions. The access-control cases (the sign-in rate limit, sign-out,
 * revoke, expiry and its sliding lifetime) are in fault suite 7, tests/faults/access-control.test.ts,
 * with a dead token tried on every route in ROUTES; they run once, there.
 */

let centre: TestCentre;
let centreId: string;
let learner: TestUser;

beforeAll(async () => {
  centre = await startTestCentre();
  centreId = await centre.createCentre('Auth College');
  learner = await centre.createUser('learner', centreId, { name: 'Lena Learner' });
});
afterAll(async () => {
  await centre.close();
});

/** Signs in as a request from the given client address (the Node server's socket, as in production). */
function signIn(email: string, password: string, options: { deviceId?: string; client?: string; deviceLabel?: string } = {}) {
  const body = { email, password, deviceId: options.deviceId ?? randomUUID(), deviceLabel: options.deviceLabel ?? 'Test phone' };
  return centre.app.request(
    '/api/auth/sign-in',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    { incoming: { socket: { remoteAddress: options.client ?? '192.0.2.1' } } },
  );
}

async function signedIn(user: TestUser, options: { deviceId?: string; client?: string } = {}): Promise<SignInResponse> {
  const response = await signIn(user.email, user.password, options);
  expect(response.status).toBe(200);
  return SignInResponse.parse(await response.json());
}

async function auditActions(action: string): Promise<Array<{ user_id: string | null; record_id: string | null; detail: Record<string, unknown> }>> {
  return centre.db.query('select user_id, record_id, detail from audit_log where action = $1 order by id', [action]);
}

describe('sign-in', () => {
  it('signs in with email and password and answers a token that works', async () => {
    const deviceId = randomUUID();
    const session = await signedIn(learner, { deviceId });
    expect(session.user).toEqual({ id: learner.id, name: 'Lena Learner', email: learner.email, role: 'learner', centreId, centreName: 'Auth College' });
    expect(new Date(session.expiresAt).getTime()).toBeGreaterThan(centre.now.value.getTime() + 80 * 86_400_000);

    const me = await centre.request('GET', '/api/auth/me', { token: session.token });
    expect(me.status).toBe(200);
    expect(SessionUser.parse(await me.json())).toEqual(session.user);

    // Only the token's hash is stored.
    const stored = await centre.db.query<{ token_hash: string; device_id: string }>('select token_hash, device_id from device_sessions where id = $1', [session.sessionId]);
    expect(stored[0]?.device_id).toBe(deviceId);
    expect(stored[0]?.token_hash).not.toContain(session.token);
    expect((await auditActions('sign-in')).some((a) => a.user_id === learner.id && a.record_id === session.sessionId)).toBe(true);
  });

  it('accepts the email in any case and with spaces around it', async () => {
    const response = await signIn(`  ${learner.email.toUpperCase()} `, learner.password);
    expect(response.status).toBe(200);
  });

  it('answers a wrong password and an unknown email with the same refusal', async () => {
    const wrong = await signIn(learner.email, 'not the password', { client: '192.0.2.50' });
    const unknown = await signIn('nobody@example.org', 'not the password', { client: '192.0.2.50' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const wrongBody = await wrong.json();
    expect(wrongBody).toEqual(await unknown.json());
    expect(wrongBody).toMatchObject({ error: 'bad-credentials', message: expect.stringMatching(/email and password/) });
    const failed = await auditActions('sign-in-failed');
    expect(failed.map((f) => f.record_id)).toEqual(expect.arrayContaining([learner.email, 'nobody@example.org']));
    // The attempted password is never written anywhere.
    expect(JSON.stringify(failed)).not.toContain('not the password');
  });

  it('refuses malformed requests with 400, never 500', async () => {
    for (const body of [{}, { email: 'x', password: 'y', deviceId: randomUUID() }, { email: learner.email, password: 'p', deviceId: 'not-a-uuid' }, 'not json', []]) {
      const response = await centre.request('POST', '/api/auth/sign-in', { body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
  });

  it('refuses a disabled user at sign-in and on every request with an existing token', async () => {
    const user = await centre.createUser('assessor', centreId);
    const session = await signedIn(user);
    await centre.db.query('update users set disabled_at = now() where id = $1', [user.id]);
    const again = await signIn(user.email, user.password);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ error: 'disabled' });
    const me = await centre.request('GET', '/api/auth/me', { token: session.token });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: 'disabled' });
    // A wrong password for a disabled account looks like any wrong password.
    expect((await signIn(user.email, 'wrong password')).status).toBe(401);
  });

});

describe('device sessions', () => {
  it('refuses requests without a token or with a made-up one', async () => {
    const none = await centre.request('GET', '/api/auth/me');
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'signed-out' });
    const madeUp = await centre.request('GET', '/api/auth/me', { token: 'x'.repeat(43) });
    expect(madeUp.status).toBe(401);
    expect(await madeUp.json()).toMatchObject({ error: 'session-unknown' });
  });

  it("lists the caller's own sessions with the current one flagged", async () => {
    const user = await centre.createUser('learner', centreId);
    const other = await centre.createUser('learner', centreId);
    const phoneId = randomUUID();
    const phone = await signedIn(user, { deviceId: phoneId });
    const tablet = await signedIn(user);
    await signedIn(other);

    const response = await centre.request('GET', '/api/auth/sessions', { token: phone.token });
    expect(response.status).toBe(200);
    const { sessions } = DeviceSessionList.parse(await response.json());
    expect(sessions.map((s) => s.id).sort()).toEqual([phone.sessionId, tablet.sessionId].sort());
    expect(sessions.find((s) => s.current)?.id).toBe(phone.sessionId);
    expect(sessions.find((s) => s.id === phone.sessionId)).toMatchObject({ deviceId: phoneId, deviceLabel: 'Test phone', revokedAt: null });
  });
});
