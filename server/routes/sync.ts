import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { todayIso } from '../../src/domain/dates';
import { MIN_SYNC_PROTOCOL_VERSION, PullQuery, PushRequest, type PushResponse, type PushResult } from '../../src/domain/sync';
import { requireCaller } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { parseOr400, readQuery, refuse } from '../http-errors';
import { applyMutation } from '../sync/apply';
import type { SyncContext } from '../sync/authorise';
import { pullChanges } from '../sync/pull';
import { parseJsonText, readLimitedText } from './body';

/** A full batch of long narratives fits; anything bigger is not a device's outbox. */
export const MAX_PUSH_BYTES = 5 * 1024 * 1024;
const MAX_SEQ = 9223372036854775807n;

const UPDATE_REQUIRED =
  'This version of the app is too old for your centre: update it (your unsynced work stays on this device).';

/** Read first, on its own, so an old app whose batch no longer parses is told to update rather than that its request is invalid. */
const ProtocolOnly = z.object({ protocol: z.number() });

/** The batch, read with a byte limit (a body too large is refused before it is all in memory). */
async function readPushBody(c: Context): Promise<unknown> {
  const text = await readLimitedText(c, MAX_PUSH_BYTES, 'A sync batch');
  try {
    return parseJsonText(text);
  } catch {
    refuse(400, 'invalid-json', 'The request body is not valid JSON.');
  }
}

/** An answer in the device's protocol: version 1 devices know a key refusal only as 'forbidden'. */
function inProtocol(result: PushResult, protocol: number): PushResult {
  if (protocol < 2 && result.status === 'rejected' && result.reason === 'signing-key') return { ...result, reason: 'forbidden' };
  return result;
}

export function syncRoutes(services: Services): Hono<AppEnv> {
  const sync = new Hono<AppEnv>();
  sync.use('*', requireCaller(services));

  sync.post('/push', async (c) => {
    const body = await readPushBody(c);
    const version = ProtocolOnly.safeParse(body);
    if (version.success && version.data.protocol < MIN_SYNC_PROTOCOL_VERSION) refuse(426, 'update-required', UPDATE_REQUIRED);
    const request = parseOr400(PushRequest, body);
    const caller = c.get('caller');
    const now = services.now();
    const ctx: SyncContext = { caller, today: todayIso(now), now, newId: randomUUID };
    // In order, each in its own transaction: a later change may depend on an earlier one (the
    // enrolment before its evidence), and a failure part-way leaves the earlier ones applied
    // and remembered, so the device's retry is answered for them and carries on from there.
    const results: PushResult[] = [];
    for (const mutation of request.mutations) results.push(inProtocol(await applyMutation(services.db, ctx, mutation), request.protocol));
    return c.json({ results } satisfies PushResponse);
  });

  sync.get('/pull', async (c) => {
    const query = readQuery(c, PullQuery);
    if (BigInt(query.since) > MAX_SEQ) refuse(400, 'invalid-request', 'The cursor is beyond any change this centre can have: pull again from 0.');
    return c.json(await pullChanges(services.db, c.get('caller'), query.since, query.limit));
  });

  return sync;
}
