import { Hono } from 'hono';
import { z } from 'zod';
import { RegisterKeyRequest } from '../../src/domain/signoff';
import { requireCaller, requireRole } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { parseOr400, readJson, refuse } from '../http-errors';
import { listSigningKeys, MAX_LIVE_KEYS_PER_USER, registerSigningKey, revocableKey, revokeSigningKey, usablePublicKey, type SigningKeyView } from '../keys';
import { parseJsonText, readLimitedText } from './body';
import { IdParam, readParams } from './params';

export interface SigningKeyList {
  keys: SigningKeyView[];
}

/** An admin revokes someone else's key: the reason is what the owner and an auditor will read. */
const AdminRevokeRequest = z.object({ reason: z.string().trim().min(10, 'Give a reason of at least 10 characters, for the audit log').max(500) }).strict();
const OwnRevokeRequest = z.object({ reason: z.string().trim().max(500).optional() }).strict();

/** Device signing keys, mounted at /api/keys: register (not admins: they never sign), list, revoke. */
export function keyRoutes(services: Services): Hono<AppEnv> {
  const { db } = services;
  const app = new Hono<AppEnv>();
  const signedIn = requireCaller(services);

  app.post('/', signedIn, requireRole('learner', 'assessor', 'iqa'), async (c) => {
    const caller = c.get('caller');
    const request = await readJson(c, RegisterKeyRequest);
    if (!(await usablePublicKey(request.publicKey)))
      refuse(400, 'invalid-key', 'That is not a usable P-256 public key: the device should make a new key pair and register it.');
    const outcome = await db.transaction((tx) => registerSigningKey(tx, caller, request, services.now()));
    switch (outcome.status) {
      case 'taken':
        refuse(409, 'key-id-taken', 'Another key is already registered under this id: the device should make a new key pair with a new id.');
      case 'too-many':
        refuse(409, 'too-many-keys', `You already have ${MAX_LIVE_KEYS_PER_USER} signing keys in use. Revoke the keys of devices you no longer use, then sync again.`);
      case 'created':
        return c.json(outcome.key, 201);
      case 'existing':
        return c.json(outcome.key, 200);
    }
  });

  app.get('/', signedIn, async (c) => {
    const body: SigningKeyList = { keys: await listSigningKeys(db, c.get('caller')) };
    return c.json(body);
  });

  app.post('/:id/revoke', signedIn, async (c) => {
    const caller = c.get('caller');
    const { id } = readParams(c, IdParam);
    const text = await readLimitedText(c, 4096, 'The request');
    let raw: unknown = {};
    if (text.trim()) {
      try {
        raw = parseJsonText(text);
      } catch {
        refuse(400, 'invalid-json', 'The request body is not valid JSON.');
      }
    }
    const key = await revocableKey(db, caller, id);
    if (!key) refuse(404, 'not-found', caller.role === 'admin' ? 'There is no such signing key at your centre.' : 'There is no such signing key on your account.');
    const own = key.userId === caller.userId;
    const reason = own ? (parseOr400(OwnRevokeRequest, raw).reason ?? '') || 'Revoked by its owner' : parseOr400(AdminRevokeRequest, raw).reason;
    await db.transaction((tx) => revokeSigningKey(tx, caller, id, reason, services.now()));
    return c.json((await revocableKey(db, caller, id))!);
  });

  return app;
}
