import { AuditPage } from '../domain/audit';
import type { CentreClient } from './api';

/** Whose trail: one record's (an evidence item, a decision) or one learner's (everything about their records and keys). */
export type AuditSubject = { recordId: string } | { learnerId: string };

/**
 * GET /api/audit: one page of the centre's audit trail, newest first. `before` is the `next` of the
 * previous page. The centre answers 404 for a record or learner outside the caller's scope.
 */
export async function readAuditTrail(client: CentreClient, subject: AuditSubject, before?: string | null, limit = 20): Promise<AuditPage> {
  const query = new URLSearchParams();
  if ('recordId' in subject) query.set('recordId', subject.recordId);
  else query.set('learnerId', subject.learnerId);
  if (before) query.set('before', before);
  query.set('limit', String(limit));
  return client.call('GET', `/api/audit?${query.toString()}`, AuditPage);
}
