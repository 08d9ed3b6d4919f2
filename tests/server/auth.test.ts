import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSessionList, SessionUser, SignInResponse } from '../../src/domain/auth';
import { MAX_SIGN_IN_FAILURES } from '../../server/auth/rate-limit';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

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

  it(`limits failures to ${MAX_SIGN_IN_FAILURES} per email and address in 15 minutes`, async () => {
    const user = await centre.createUser('learner', centreId);
    const attacker = '198.51.100.7';
    for (let i = 0; i < MAX_SIGN_IN_FAILURES; i++) expect((await signIn(user.email, `guess ${i}`, { client: attacker })).status).toBe(401);

    const limited = await signIn(user.email, user.password, { client: attacker });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: 'too-many-attempts', message: expect.stringMatching(/Wait \d+ minutes?/) });

    // The real person on another network is not locked out, and other emails from that address are not limited.
    expect((await signIn(user.email, user.password, { client: '203.0.113.9' })).status).toBe(200);
    expect((await signIn(learner.email, 'wrong', { client: attacker })).status).toBe(401);

    // After the window the address may try again.
    const before = centre.now.value;
    centre.now.value = new Date(before.getTime() + 16 * 60_000);
    try {
      expect((await signIn(user.email, user.password, { client: attacker })).status).toBe(200);
    } finally {
      centre.now.value = before;
    }
  });

  it('does not count unknown emails against real ones, but limits them too', async () => {
    const client = '198.51.100.99';
    for (let i = 0; i < MAX_SIGN_IN_FAILURES; i++) await signIn('ghost@example.org', 'guess', { client });
    expect((await signIn('ghost@example.org', 'guess', { client })).status).toBe(429);
    expect((await signIn(learner.email, learner.password, { client })).status).toBe(200);
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

  it('signs out the calling device only', async () => {
    const user = await centre.createUser('iqa', centreId);
    const phone = await signedIn(user);
    const laptop = await signedIn(user);
    const out = await centre.request('POST', '/api/auth/sign-out', { token: phone.token });
    expect(out.status).toBe(200);
    const after = await centre.request('GET', '/api/auth/me', { token: phone.token });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: 'session-revoked' });
    expect((await centre.request('GET', '/api/auth/me', { token: laptop.token })).status).toBe(200);
    expect((await auditActions('sign-out')).some((a) => a.record_id === phone.sessionId)).toBe(true);
  });

  it('expires a session unused for longer than its lifetime, and slides it forward while used', async () => {
    const user = await centre.createUser('learner', centreId);
    const session = await signedIn(user);
    const start = centre.now.value;
    try {
      // Used after 60 days: still valid, and the expiry moves to 90 days from now.
      centre.now.value = new Date(start.getTime() + 60 * 86_400_000);
      expect((await centre.request('GET', '/api/auth/me', { token: session.token })).status).toBe(200);
      centre.now.value = new Date(start.getTime() + 120 * 86_400_000);
      expect((await centre.request('GET', '/api/auth/me', { token: session.token })).status).toBe(200);
      // Then unused for 91 days.
      centre.now.value = new Date(start.getTime() + 211 * 86_400_000);
      const expired = await centre.request('GET', '/api/auth/me', { token: session.token });
      expect(expired.status).toBe(401);
      expect(await expired.json()).toMatchObject({ error: 'session-expired' });
    } finally {
      centre.now.value = start;
    }
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

  it('revokes own sessions only; another user’s session is not found', async () => {
    const user = await centre.createUser('learner', centreId);
    const other = await centre.createUser('learner', centreId);
    const phone = await signedIn(user);
    const tablet = await signedIn(user);
    const theirs = await signedIn(other);

    const refused = await centre.request('POST', `/api/auth/sessions/${theirs.sessionId}/revoke`, { token: phone.token });
    expect(refused.status).toBe(404);
    expect((await centre.request('GET', '/api/auth/me', { token: theirs.token })).status).toBe(200);

    const revoked = await centre.request('POST', `/api/auth/sessions/${tablet.sessionId}/revoke`, { token: phone.token });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: tablet.sessionId, revokedAt: expect.any(String), current: false });
    const refusedTablet = await centre.request('GET', '/api/auth/me', { token: tablet.token });
    expect(refusedTablet.status).toBe(401);
    expect(await refusedTablet.json()).toMatchObject({ error: 'session-revoked' });
    expect((await auditActions('session-revoked')).some((a) => a.user_id === user.id && a.record_id === tablet.sessionId)).toBe(true);

    // Revoking again is harmless; a malformed id is a 400, not a 500.
    expect((await centre.request('POST', `/api/auth/sessions/${tablet.sessionId}/revoke`, { token: phone.token })).status).toBe(200);
    expect((await centre.request('POST', '/api/auth/sessions/not-a-uuid/revoke', { token: phone.token })).status).toBe(400);
  });
});
