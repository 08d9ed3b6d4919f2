import { afterEach, describe, expect, it } from 'vitest';
import { db, useDatabase } from '../../src/data/db';
import { ensureSigningKey, markRegistered, markRevoked, needsNewKey, unregisteredKeys } from '../../src/data/keys';
import { forgetSignIn } from '../../src/data/session';
import { sha256Hex } from '../../src/domain/signing';
import { syncSigningKeys } from '../../src/sync/keys';
import { freshDatabase } from '../db-fixture';
import { ASSESSOR } from '../assessment-fixture';
import { FakeCentre, LEARNER } from '../fake-centre';
import { signedInDevice } from '../sync-fixture';

afterEach(async () => {
  await forgetSignIn();
});

const ECDSA = { name: 'ECDSA', hash: 'SHA-256' } as const;

describe('device signing key', () => {
  it('is made offline with a private key that cannot be exported, and survives reopening the database', async () => {
    const database = await freshDatabase();
    const key = await ensureSigningKey({ id: LEARNER.id });
    expect(key).toMatchObject({ userId: LEARNER.id, registeredAt: null, revokedAt: null, publicKey: { kty: 'EC', crv: 'P-256' } });
    expect(key.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('pkcs8', key.privateKey)).rejects.toThrow();

    // Asked again (and twice at once), the same key: one key per user per device.
    const [again, twice] = await Promise.all([ensureSigningKey({ id: LEARNER.id }), ensureSigningKey({ id: LEARNER.id })]);
    expect([again.id, twice.id]).toEqual([key.id, key.id]);
    expect(await db().signingKeys.count()).toBe(1);

    database.close();
    const reopened = useDatabase(database.name);
    await reopened.open();
    const stored = (await reopened.signingKeys.get(key.id))!;
    expect(stored.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', stored.privateKey)).rejects.toThrow();
    // Still signs, and the public key stored beside it verifies what it signed.
    const data = new TextEncoder().encode(await sha256Hex('after a restart'));
    const signature = await crypto.subtle.sign(ECDSA, stored.privateKey, data);
    const publicKey = await crypto.subtle.importKey('jwk', { ...stored.publicKey, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    expect(await crypto.subtle.verify(ECDSA, publicKey, signature, data)).toBe(true);
  });

  it('is replaced after the centre revoked it, and registered state is kept', async () => {
    await freshDatabase();
    const first = await ensureSigningKey({ id: LEARNER.id });
    expect((await unregisteredKeys()).map((k) => k.id)).toEqual([first.id]);
    await markRegistered(first.id, '2026-03-01T10:00:00.000Z');
    expect(await unregisteredKeys()).toEqual([]);
    expect(await needsNewKey(LEARNER.id)).toBe(false);

    await markRevoked(first.id);
    expect(await needsNewKey(LEARNER.id)).toBe(true);
    const second = await ensureSigningKey({ id: LEARNER.id });
    expect(second.id).not.toBe(first.id);
    expect((await unregisteredKeys()).map((k) => k.id)).toEqual([second.id]);
  });
});

describe('key registration step', () => {
  it('registers unregistered keys with POST /api/keys, once', async () => {
    const device = await signedInDevice({ centre: new FakeCentre([LEARNER, ASSESSOR]), user: ASSESSOR });
    // Nobody has signed yet: no key is made just for syncing.
    expect(await syncSigningKeys({ client: device.client })).toEqual({ registered: 0, problem: null });
    expect(device.centre.requests('POST', '/api/keys')).toHaveLength(0);

    const key = await ensureSigningKey(ASSESSOR);
    expect(await syncSigningKeys({ client: device.client })).toEqual({ registered: 1, problem: null });
    expect(device.centre.requests('POST', '/api/keys')[0]!.body).toEqual({ id: key.id, publicKey: key.publicKey });
    expect(device.centre.keys.get(key.id)).toMatchObject({ userId: ASSESSOR.id, role: 'assessor' });
    expect((await db().signingKeys.get(key.id))!.registeredAt).toEqual(expect.any(String));

    await syncSigningKeys({ client: device.client });
    expect(device.centre.requests('POST', '/api/keys')).toHaveLength(1);
  });

  it('makes a new key when the id is taken by another user’s key', async () => {
    const device = await signedInDevice({ centre: new FakeCentre([LEARNER, ASSESSOR]), user: ASSESSOR });
    const key = await ensureSigningKey(ASSESSOR);
    device.centre.keys.set(key.id, { id: key.id, userId: LEARNER.id, name: LEARNER.name, role: 'learner', publicKey: { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43) }, createdAt: '', revokedAt: null });

    const report = await syncSigningKeys({ client: device.client });
    expect(report).toEqual({ registered: 1, problem: null });
    expect((await db().signingKeys.get(key.id))!.revokedAt).toEqual(expect.any(String));
    const live = (await db().signingKeys.toArray()).filter((k) => k.revokedAt === null);
    expect(live).toHaveLength(1);
    expect(device.centre.keys.get(live[0]!.id)).toMatchObject({ userId: ASSESSOR.id });
  });

  it('reports a refusal in words and keeps the key for next time', async () => {
    const device = await signedInDevice({ centre: new FakeCentre([LEARNER, ASSESSOR]), user: ASSESSOR });
    const key = await ensureSigningKey(ASSESSOR);
    const { centreClient } = await import('../../src/sync/api');
    const client = centreClient(() => device.signIn.token, device.centre.origin, async (input, init) =>
      new URL(input).pathname === '/api/keys'
        ? new Response(JSON.stringify({ error: 'too-many-keys', message: 'You already have 20 signing keys in use.' }), { status: 409, headers: { 'Content-Type': 'application/json' } })
        : device.centre.fetch(input, init),
    );
    const report = await syncSigningKeys({ client });
    expect(report.problem).toMatch(/did not accept this device’s signing key: You already have 20 signing keys in use\..*wait here/);
    expect(await db().signingKeys.get(key.id)).toMatchObject({ registeredAt: null, revokedAt: null });
  });
});
