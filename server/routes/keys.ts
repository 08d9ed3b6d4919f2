import { Hono } from 'hono';
import {
  AdminRevokeKeyRequest,
  RegisterKeyRequest,
  RevokeKeyRequest,
  SigningKeyListQuery,
  type SigningKeyAnswer,
  type SigningKeyList,
} from '../../src/domain/signoff';
import { requireCaller, requireRole } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { parseOr400, readJson, readQuery, refuse } from '../http-errors';
import { listSigningKeys, MAX_LIVE_KEYS_PER_USER, registerSigningKey, revocableKey, revokeSigningKey, usablePublicKey } from '../keys';
import { parseJsonText, readLimitedText } from './body';
import { IdParam, readParams } from './params';


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
        return c.json({ key: outcome.key } satisfies SigningKeyAnswer, 201);
      case 'existing':
        return c.json({ key: outcome.key } satisfies SigningKeyAnswer, 200);
    }
  });

  app.get('/', signedIn, async (c) => {
    const caller = c.get('caller');
    const { userId } = readQuery(c, SigningKeyListQuery);
    if (userId !== undefined && caller.role !== 'admin' && userId !== caller.userId) refuse(403, 'forbidden', 'You can only see your own signing keys.');
    const body: SigningKeyList = { keys: await listSigningKeys(db, caller, userId) };
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
    // An admin revoking someone else's key must say why: the owner and an auditor read it.
    const reason = own ? (parseOr400(RevokeKeyRequest, raw).reason ?? '') || 'Revoked by its owner' : parseOr400(AdminRevokeKeyRequest, raw).reason;
    await db.transaction((tx) => revokeSigningKey(tx, caller, id, reason, services.now()));
    return c.json({ key: (await revocableKey(db, caller, id))! } satisfies SigningKeyAnswer);
  });

  return app;
}
