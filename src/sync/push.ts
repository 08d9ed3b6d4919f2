import { attachmentIdsOf } from '../data/attachments';
import { applyPushResults, holdChange, markSent, mutationOf, nextPushBatch, noteSendFailure } from '../data/sync-outbox';
import { MAX_PUSH_BATCH, Mutation, PushResponse, SYNC_PROTOCOL_VERSION, type PushRequest } from '../domain/sync';
import { CentreError, type CentreClient } from './api';

/**
 * Step 2 of a sync: the outbox goes to the centre in order, in batches, and each batch's answers are
 * applied in one transaction (see data/sync-outbox.ts for what each answer does).
 */

export interface PushContext {
  client: CentreClient;
  deviceId: string;
  /** Files the centre does not hold yet: changes naming them wait (the centre would refuse them). */
  filesNotAtCentre: ReadonlySet<string>;
}

export interface PushReport {
  sent: number;
  applied: number;
  merged: number;
  keptAsCopies: number;
  held: number;
  /** Refused for a file the centre lacks: its upload is retried, then the change. */
  waitingForFiles: number;
}

/** Enough rounds for any outbox; a guard against a centre that answers without settling anything. */
const MAX_ROUNDS = 100;

export async function pushOutbox(ctx: PushContext): Promise<PushReport> {
  const report: PushReport = { sent: 0, applied: 0, merged: 0, keptAsCopies: 0, held: 0, waitingForFiles: 0 };
  const notAtCentre = new Set(ctx.filesNotAtCentre);
  const notNow = new Set<number>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const candidates = await nextPushBatch(MAX_PUSH_BATCH, notAtCentre, notNow);
    if (candidates.length === 0) break;
    // The centre validates the whole request with the shared schema: one malformed change would
    // get every change refused, round after round. Hold it here instead, with the reason.
    const batch = [];
    for (const entry of candidates) {
      const valid = Mutation.safeParse(mutationOf(entry));
      if (valid.success) batch.push(entry);
      else {
        await holdChange(entry.seq!, 'invalid', `This change cannot be sent as it is (${valid.error.issues[0]?.message ?? 'it is malformed'}). Change it and it is sent again.`);
        report.held++;
      }
    }
    if (batch.length === 0) continue;
    const mutations = await markSent(batch);
    if (mutations.length === 0) break;
    const request: PushRequest = { protocol: SYNC_PROTOCOL_VERSION, deviceId: ctx.deviceId, mutations };
    let response: PushResponse;
    try {
      response = await ctx.client.call('POST', '/api/sync/push', PushResponse, request);
    } catch (error) {
      // The centre may or may not have applied them: they stay frozen and go again as they are.
      await noteSendFailure(
        mutations.map((m) => m.id),
        (error as Error).message,
      );
      throw error;
    }
    report.sent += mutations.length;
    let settled = 0;
    const effects = await applyPushResults(response.results, ctx.deviceId);
    for (const [i, result] of response.results.entries()) {
      const effect = effects[i]!;
      if (effect !== 'unknown') settled++;
      if (effect === 'applied') report.applied++;
      else if (effect === 'merged') report.merged++;
      else if (effect === 'kept-as-copy') report.keptAsCopies++;
      else if (effect === 'held') report.held++;
      else if (effect === 'waiting-for-files') {
        report.waitingForFiles++;
        // Not again in this push: the files go up first.
        const entry = batch.find((e) => e.id === result.mutationId);
        if (entry) {
          notNow.add(entry.seq!);
          for (const id of attachmentIdsOf(entry)) notAtCentre.add(id);
        }
      }
    }
    if (settled === 0)
      throw new CentreError('server', 'Your centre did not answer for the changes that were sent. They are kept and will be sent again.');
  }
  return report;
}
