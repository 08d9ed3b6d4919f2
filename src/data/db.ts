import Dexie, { type EntityTable } from 'dexie';
import type { LearnerProfile, Enrolment } from '../domain/enrolment';
import type { Evidence, EvidenceHistoryEntry } from '../domain/evidence';
import type { FrameworkSpec } from '../domain/qualification';
import type { Mutation } from '../domain/sync';

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
  blob: Blob;
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
  /** Set once the mutation has been handed to the network: it is then never coalesced into. */
  sentAt: string | null;
}

export class PortfolioDb extends Dexie {
  frameworks!: EntityTable<StoredFramework, 'key'>;
  profile!: EntityTable<LearnerProfile, 'id'>;
  enrolments!: EntityTable<Enrolment, 'id'>;
  evidence!: EntityTable<Evidence, 'id'>;
  evidenceHistory!: EntityTable<EvidenceHistoryEntry, 'id'>;
  attachments!: EntityTable<StoredAttachment, 'id'>;
  outbox!: EntityTable<OutboxEntry, 'seq'>;

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
