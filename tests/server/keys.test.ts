import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPublicJwk, generateSigningKey } from '../../src/domain/signing';
import { SigningKeyAnswer, SigningKeyList } from '../../src/domain/signoff';
import { createDeviceSession } from '../../server/auth/sessions';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

let centre: TestCentre;
let centreId: string;
let learner: TestUser;
let assessor: TestUser;
let admin: TestUser;
let otherAdmin: TestUser;
let learnerToken: string;
let assessorToken: string;
let adminToken: string;
let otherAdminToken: string;

beforeAll(async () => {
  centre = await startTestCentre();
  centreId = await centre.createCentre('Keys College');
  const otherCentreId = await centre.createCentre('Other College');
  learner = await centre.createUser('learner', centreId, { name: 'Lena Learner' });
  assessor = await centre.createUser('assessor', centreId);
  admin = await centre.createUser('admin', centreId);
  otherAdmin = await centre.createUser('admin', otherCentreId);
  learnerToken = await centre.tokenFor(learner);
  assessorToken = await centre.tokenFor(assessor);
  adminToken = await centre.tokenFor(admin);
  otherAdminToken = await centre.tokenFor(otherAdmin);
});
afterAll(async () => {
  await centre.close();
});

async function freshKey(): Promise<{ id: string; publicKey: Awaited<ReturnType<typeof exportPublicJwk>> }> {
  const pair = await generateSigningKey();
  return { id: randomUUID(), publicKey: await exportPublicJwk(pair.publicKey) };
}

async function register(token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await centre.request('POST', '/api/keys', { token, body: body ?? (await freshKey()) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function keyRow(id: string) {
  const [row] = await centre.db.query<{ revoked_at: Date | null; revoked_by: string | null; revoke_reason: string | null }>(
    'select revoked_at, revoked_by, revoke_reason from signing_keys where id = $1',
    [id],
  );
  return row;
}

async function audits(recordId: string) {
  return centre.db.query<{ action: string; user_id: string; device_id: string; detail: Record<string, unknown> }>(
    `select action, user_id, device_id, detail from audit_log where entity = 'signing-key' and record_id = $1 order by id`,
    [recordId],
  );
}

describe('registering a key', () => {
  it('registers the caller’s key against their device session, once, and audits it with the device', async () => {
    const deviceId = randomUUID();
    const token = await centre.tokenFor(learner, deviceId);
    const key = await freshKey();
    const first = await register(token, key);
    expect(first.status).toBe(201);
    // Always `{ key }`, the shape the device accepts (src/sync/api.ts).
    expect(Object.keys(first.json)).toEqual(['key']);
    expect(SigningKeyAnswer.parse(first.json).key).toMatchObject({
      id: key.id,
      userId: learner.id,
      name: 'Lena Learner',
      role: 'learner',
      revokedAt: null,
      current: true,
      deviceLabel: 'test device',
    });

    const again = await register(token, key);
    expect(again.status).toBe(200);
    expect(Object.keys(again.json)).toEqual(['key']);
    expect(SigningKeyAnswer.parse(again.json).key).toMatchObject({ id: key.id, createdAt: SigningKeyAnswer.parse(first.json).key.createdAt });
    expect(await audits(key.id)).toEqual([expect.objectContaining({ action: 'key-registered', user_id: learner.id, device_id: deviceId })]);
  });

  it('refuses an id already taken by another key, a key that is not a P-256 point, and admins', async () => {
    const key = await freshKey();
    expect((await register(learnerToken, key)).status).toBe(201);
    const taken = await register(assessorToken, { id: key.id, publicKey: (await freshKey()).publicKey });
    expect(taken).toMatchObject({ status: 409, json: { error: 'key-id-taken' } });

    const notOnCurve = { id: randomUUID(), publicKey: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'B'.repeat(43) } };
    expect(await register(learnerToken, notOnCurve)).toMatchObject({ status: 400, json: { error: 'invalid-key' } });
    expect(await register(learnerToken, { id: 'not-a-uuid', publicKey: key.publicKey })).toMatchObject({ status: 400 });

    const byAdmin = await register(adminToken);
    expect(byAdmin).toMatchObject({ status: 403, json: { error: 'forbidden' } });
  });
});

describe('listing keys', () => {
  it('shows a user their own keys and an admin their centre’s', async () => {
    const own = await freshKey();
    await register(assessorToken, own);
    const mine = (await (await centre.request('GET', '/api/keys', { token: assessorToken })).json()) as { keys: Array<{ id: string; userId: string }> };
    expect(mine.keys.map((k) => k.id)).toContain(own.id);
    expect(mine.keys.every((k) => k.userId === assessor.id)).toBe(true);

    const centreKeys = (await (await centre.request('GET', '/api/keys', { token: adminToken })).json()) as { keys: Array<{ id: string; userId: string }> };
    expect(centreKeys.keys.map((k) => k.id)).toContain(own.id);
    expect(centreKeys.keys.some((k) => k.userId === learner.id)).toBe(true);
    const otherCentre = (await (await centre.request('GET', '/api/keys', { token: otherAdminToken })).json()) as { keys: unknown[] };
    expect(otherCentre.keys).toEqual([]);
  });

  it('lets an admin list one user’s keys (?userId=), and nobody else’s but their own', async () => {
    const own = await freshKey();
    await register(assessorToken, own);
    const oneUser = SigningKeyList.parse(await (await centre.request('GET', `/api/keys?userId=${assessor.id}`, { token: adminToken })).json());
    expect(oneUser.keys.map((k) => k.id)).toContain(own.id);
    expect(oneUser.keys.every((k) => k.userId === assessor.id)).toBe(true);
    // Another centre's admin sees none of them.
    const elsewhere = SigningKeyList.parse(await (await centre.request('GET', `/api/keys?userId=${assessor.id}`, { token: otherAdminToken })).json());
    expect(elsewhere.keys).toEqual([]);

    const mine = SigningKeyList.parse(await (await centre.request('GET', `/api/keys?userId=${assessor.id}`, { token: assessorToken })).json());
    expect(mine.keys.map((k) => k.id)).toContain(own.id);
    expect((await centre.request('GET', `/api/keys?userId=${learner.id}`, { token: assessorToken })).status).toBe(403);
    expect((await centre.request('GET', '/api/keys?userId=nobody', { token: adminToken })).status).toBe(400);
  });
});

describe('revoking keys', () => {
  it('lets the owner revoke their own key, without a reason, and not someone else’s', async () => {
    const key = await freshKey();
    await register(learnerToken, key);
    expect((await centre.request('POST', `/api/keys/${key.id}/revoke`, { token: assessorToken })).status).toBe(404);
    expect((await keyRow(key.id))?.revoked_at).toBeNull();

    const revoked = await centre.request('POST', `/api/keys/${key.id}/revoke`, { token: learnerToken });
    expect(revoked.status).toBe(200);
    expect(SigningKeyAnswer.parse(await revoked.json()).key).toMatchObject({ id: key.id, revokedAt: centre.now.value.toISOString(), revokeReason: 'Revoked by its owner' });
    expect(await keyRow(key.id)).toMatchObject({ revoked_by: learner.id, revoke_reason: 'Revoked by its owner' });
    // A second revocation keeps the first.
    expect((await centre.request('POST', `/api/keys/${key.id}/revoke`, { token: learnerToken, body: { reason: 'again' } })).status).toBe(200);
    expect((await keyRow(key.id))?.revoke_reason).toBe('Revoked by its owner');
    expect((await audits(key.id)).map((a) => a.action)).toEqual(['key-registered', 'key-revoked']);
  });

  it('lets an admin revoke a key of their own centre with a reason, and not another centre’s', async () => {
    const key = await freshKey();
    await register(assessorToken, key);
    expect((await centre.request('POST', `/api/keys/${key.id}/revoke`, { token: otherAdminToken, body: { reason: 'Reported lost by the assessor' } })).status).toBe(404);
    expect((await centre.request('POST', `/api/keys/${key.id}/revoke`, { token: adminToken, body: {} })).status).toBe(400);
    expect((await centre.request('POST', `/api/keys/${key.id}/revoke`, { token: adminToken, body: { reason: 'lost' } })).status).toBe(400);
    expect((await keyRow(key.id))?.revoked_at).toBeNull();

    const revoked = await centre.request('POST', `/api/keys/${key.id}/revoke`, { token: adminToken, body: { reason: 'Reported lost by the assessor' } });
    expect(revoked.status).toBe(200);
    expect(await keyRow(key.id)).toMatchObject({ revoked_by: admin.id, revoke_reason: 'Reported lost by the assessor' });
    const [entry] = (await audits(key.id)).filter((a) => a.action === 'key-revoked');
    expect(entry).toMatchObject({ user_id: admin.id, detail: { reason: 'Reported lost by the assessor', userId: assessor.id } });
  });

  it('revokes the keys a device session registered when that session is revoked, by its user, an admin, or signing out', async () => {
    const session = async () => {
      const created = await createDeviceSession(centre.db, assessor.id, randomUUID(), 'tablet', centre.now.value);
      const key = await freshKey();
      expect((await register(created.token, key)).status).toBe(201);
      return { ...created, keyId: key.id };
    };
    const kept = await session();
    const byUser = await session();
    const byAdmin = await session();
    const signedOut = await session();

    expect((await centre.request('POST', `/api/auth/sessions/${byUser.sessionId}/revoke`, { token: assessorToken })).status).toBe(200);
    expect((await centre.request('POST', `/api/admin/sessions/${byAdmin.sessionId}/revoke`, { token: adminToken })).status).toBe(200);
    expect((await centre.request('POST', '/api/auth/sign-out', { token: signedOut.token })).status).toBe(200);

    expect((await keyRow(byUser.keyId))?.revoked_at).not.toBeNull();
    expect(await keyRow(byAdmin.keyId)).toMatchObject({ revoked_by: admin.id, revoke_reason: 'The device session that registered it was revoked' });
    expect(await keyRow(signedOut.keyId)).toMatchObject({ revoke_reason: 'Signed out on the device that registered it' });
    expect((await keyRow(kept.keyId))?.revoked_at).toBeNull();
    expect((await audits(byAdmin.keyId)).map((a) => a.action)).toEqual(['key-registered', 'key-revoked']);
  });
});
