import {
  CentreEnrolment,
  CentreEnrolmentList,
  CentreUser,
  CentreUserList,
  SpecSummary,
  SpecSummaryList,
  type CreateEnrolmentRequest,
  type CreateUserRequest,
  type SetCaseloadRequest,
  type UpdateUserRequest,
} from '../../domain/admin';
import { DeviceSession, DeviceSessionList } from '../../domain/auth';
import { FrameworkSpec } from '../../domain/qualification';
import { IqaLockedItemList, type UnlockEvidenceRequest } from '../../domain/sampling';
import { ErasureResult, ErasureStatus, type EraseLearnerRequest } from '../../domain/personal-data';
import { SyncRecord } from '../../domain/sync';
import { listSigningKeys, revokeSigningKey, type CentreClient } from '../../sync/api';
import { fetchZip } from '../download';
import { readAuditTrail, type AuditSubject } from '../../sync/audit';

const ADMIN = '/api/admin';
const id = (value: string) => encodeURIComponent(value);

/**
 * The centre's admin API (server/routes/admin.ts), one function per route. Every answer is checked
 * against the shared schema, and lists come back unwrapped so screens handle plain arrays.
 */
export function adminApi(client: CentreClient) {
  return {
    listUsers: async () => (await client.call('GET', `${ADMIN}/users`, CentreUserList)).users,
    createUser: (request: CreateUserRequest) => client.call('POST', `${ADMIN}/users`, CentreUser, request),
    updateUser: (userId: string, request: UpdateUserRequest) => client.call('PATCH', `${ADMIN}/users/${id(userId)}`, CentreUser, request),
    setCaseload: (assessorId: string, request: SetCaseloadRequest) => client.call('PUT', `${ADMIN}/caseloads/${id(assessorId)}`, CentreUser, request),
    listEnrolments: async () => (await client.call('GET', `${ADMIN}/enrolments`, CentreEnrolmentList)).enrolments,
    createEnrolment: (request: CreateEnrolmentRequest) => client.call('POST', `${ADMIN}/enrolments`, CentreEnrolment, request),
    listSpecs: async () => (await client.call('GET', `${ADMIN}/specs`, SpecSummaryList)).specs,
    /** The file's own JSON goes up as it is; the centre validates it again with the same schema. */
    importSpec: (raw: unknown) => client.call('POST', `${ADMIN}/specs`, SpecSummary, raw),
    userSessions: async (userId: string) => (await client.call('GET', `${ADMIN}/users/${id(userId)}/sessions`, DeviceSessionList)).sessions,
    revokeSession: (sessionId: string) => client.call('POST', `${ADMIN}/sessions/${id(sessionId)}/revoke`, DeviceSession),
    /** Any signed-in user may read a stored spec version; versions never change once stored. */
    spec: (specId: string, version: number) => client.call('GET', `/api/specs/${id(specId)}/${version}`, FrameworkSpec),
    /** A learner's EQA export (server/routes/exports.ts): the ZIP and the file name the centre gave it. */
    exportLearner: (learnerId: string) => fetchZip(client, `/api/exports/learners/${id(learnerId)}`, 'eqa-export.zip'),
    /** Everything the centre holds about a learner, for their subject-access request (server/routes/personal-data.ts). */
    exportPersonalData: (learnerId: string) => fetchZip(client, `/api/personal-data/learners/${id(learnerId)}/export`, 'personal-data.zip'),
    /** Whether the learner's retention period is over, and from when they can be erased. */
    erasureStatus: (learnerId: string) => client.call('GET', `/api/personal-data/learners/${id(learnerId)}/erasure`, ErasureStatus),
    /** Erases the learner for good (refused with 409 before the retention period ends). */
    eraseLearner: (learnerId: string, request: EraseLearnerRequest) => client.call('POST', `/api/personal-data/learners/${id(learnerId)}/erase`, ErasureResult, request),
    /** Items an IQA's agreement has locked, for the whole centre or one learner (server/routes/sampling.ts). */
    listIqaLocks: async (learnerId?: string) =>
      (await client.call('GET', `/api/iqa/locks${learnerId ? `?learnerId=${id(learnerId)}` : ''}`, IqaLockedItemList)).items,
    /** Clears an IQA lock; the centre keeps the reason in the audit log and answers with the item as it now stands. */
    unlockEvidence: (evidenceId: string, request: UnlockEvidenceRequest) => client.call('POST', `${ADMIN}/evidence/${id(evidenceId)}/unlock`, SyncRecord, request),
    /** A record's or a learner's audit trail, a page at a time (server/routes/audit.ts). */
    auditTrail: (subject: AuditSubject, before: string | null) => readAuditTrail(client, subject, before),
    /** One user's device signing keys, live first (server/routes/keys.ts). */
    userKeys: (userId: string) => listSigningKeys(client, userId),
    /** Revokes someone's signing key; the reason (at least 10 characters) goes to the audit log and the owner. */
    revokeKey: (keyId: string, reason: string) => revokeSigningKey(client, keyId, reason),
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
