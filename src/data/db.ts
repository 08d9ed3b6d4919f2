import Dexie, { type EntityTable } from 'dexie';
import type { LearnerProfile, Enrolment } from '../domain/enrolment';
import type { Evidence, EvidenceHistoryEntry, EvidenceStatus } from '../domain/evidence';
import type { Decision } from '../domain/signoff';
import type { PublicJwk, SigningKey } from '../domain/signing';
import type { FrameworkSpec } from '../domain/qualification';
import type { Mutation, RejectReason, SyncRecord } from '../domain/sync';

export interface StoredFramework {
  /** `${id}@${version}`: every version is kept, because an enrolment keeps the version it started on. */
  key: string;
  id: string;
  version: number;
  kind: FrameworkSpec['kind'];
  spec: FrameworkSpec;
  storedAt: string;
}

export type UploadState = 'pending' | 'uploading' | 'uploaded' | 'failed';

export interface StoredAttachment {
  /** SHA-256 of the bytes (hex): a retried upload or a second pick of the same file cannot duplicate. */
  id: string;
  /**
   * The bytes; null for a file another device added that is known here only by its metadata
   * (pulled records do not bring their files: they are downloaded when first viewed).
   */
  blob: Blob | null;
  name: string;
  type: string;
  size: number;
  createdAt: string;
  uploadState: UploadState;
  uploadUrl: string | null;
}

export interface OutboxEntry extends Mutation {
  seq?: number;
  attempts: number;
  lastError: string | null;
  /**
   * Set once the mutation has been handed to the network: it is then never coalesced into, because
   * the centre may have applied it and would answer a resend of its id without reading the patch.
   */
  sentAt: string | null;
  /**
   * Why the centre refused this change, while it waits for the user (Retry or Discard). A refused
   * mutation is never resent on its own: the same change would only be refused again.
   */
  reason?: RejectReason | null;
  /** The centre's copy of the record, when it sent one with a refusal: what "Discard" restores. */
  serverRecord?: SyncRecord | null;
  /**
   * Conflict copies the user resolved in this change. `conflicts` in the patch is a whole list;
   * these ids let a newer centre copy keep conflict copies this device never saw.
   */
  resolvedConflictIds?: string[];
  /**
   * Decision entries: what the decision changed on this device's items ahead of the centre (their
   * status and criteria just before), so a refusal puts the items back (src/data/decisions.ts).
   */
  undo?: DecisionUndo[];
}

export interface DecisionUndo {
  evidenceId: string;
  status: EvidenceStatus;
  criterionIds: string[];
}

/** Rows the centre also holds carry the revision they match, so the next change is based on it. */
export interface Synced {
  serverRevision?: number;
}

/**
 * This user's signing key on this device. The private key is a non-extractable CryptoKey: it can
 * be used to sign here but never read out, not even by this app.
 */
export interface StoredSigningKey {
  id: string;
  userId: string;
  privateKey: SigningKey;
  publicKey: PublicJwk;
  createdAt: string;
  /** When the centre accepted the public key; null until then (signing still works offline). */
  registeredAt: string | null;
  revokedAt: string | null;
}

/** A decision as this device keeps it: `evidenceIds` (the ids in `evidence`) is indexed to find an item's decisions. */
export type StoredDecision = Decision & Synced & { evidenceIds: string[] };

/** Small per-database facts of sync (pull cursor, last success): they change with the data. */
export interface MetaRow {
  key: string;
  value: unknown;
}

export class PortfolioDb extends Dexie {
  frameworks!: EntityTable<StoredFramework, 'key'>;
  profile!: EntityTable<LearnerProfile & Synced, 'id'>;
  enrolments!: EntityTable<Enrolment & Synced, 'id'>;
  evidence!: EntityTable<Evidence, 'id'>;
  evidenceHistory!: EntityTable<EvidenceHistoryEntry, 'id'>;
  attachments!: EntityTable<StoredAttachment, 'id'>;
  outbox!: EntityTable<OutboxEntry, 'seq'>;
  meta!: EntityTable<MetaRow, 'key'>;
  decisions!: EntityTable<StoredDecision, 'id'>;
  signingKeys!: EntityTable<StoredSigningKey, 'id'>;

  constructor(name: string) {
    super(name);
    // Every schema change gets a new version with an upgrade for the data already on devices.
    this.version(1).stores({
      frameworks: 'key, id, kind',
      profile: 'id',
      enrolments: 'id, learnerId',
      evidence: 'id, enrolmentId, updatedAt, status, dirty',
      evidenceHistory: 'id, evidenceId, [evidenceId+at]',
      attachments: 'id, uploadState',
      outbox: '++seq, &id, [entity+recordId]',
    });
    // v2: evidence carries the texts that lost an overlapping edit (sync conflicts).
    this.version(2).upgrade((tx) =>
      tx
        .table('evidence')
        .toCollection()
        .modify((item: Partial<Evidence>) => {
          item.conflicts ??= [];
        }),
    );
    // v3: sync with the centre. The pull cursor lives in `meta`, written in the same transaction
    // as the records it brought; outbox entries can wait with the reason the centre refused them.
    this.version(3)
      .stores({ meta: 'key' })
      .upgrade((tx) =>
        tx
          .table('outbox')
          .toCollection()
          .modify((entry: Partial<OutboxEntry>) => {
            entry.reason ??= null;
            entry.serverRecord ??= null;
          }),
      );
    // v4: assessment. Signed decisions (assessor, learner declaration, IQA, unit sign-off) and this
    // user's device signing key; evidence may be recorded by an assessor and locked by an IQA.
    this.version(4)
      .stores({ decisions: 'id, learnerId, enrolmentId, kind, *evidenceIds', signingKeys: 'id, userId' })
      .upgrade((tx) =>
        tx
          .table('evidence')
          .toCollection()
          .modify((item: Partial<Evidence>) => {
            item.kind ??= 'learner';
            item.questions ??= [];
            item.witness ??= null;
            item.recordedBy ??= null;
            item.iqaLock ??= null;
          }),
      );
  }
}

export const DEFAULT_DB_NAME = 'ict-portfolio';

let current: PortfolioDb | null = null;

/** The one open database of this tab. */
export function db(): PortfolioDb {
  current ??= new PortfolioDb(DEFAULT_DB_NAME);
  return current;
}

/** Tests and (later) per-user sign-in switch databases through here only. */
export function useDatabase(name: string): PortfolioDb {
  if (current && current.name === name) return current;
  current?.close();
  current = new PortfolioDb(name);
  return current;
}

export async function deleteDatabase(name: string = DEFAULT_DB_NAME): Promise<void> {
  if (current?.name === name) {
    current.close();
    current = null;
  }
  await Dexie.delete(name);
}
