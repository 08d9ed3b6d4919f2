import { z } from 'zod';

/**
 * The protocol this app speaks. Bumped when the messages change; the centre answers each device in
 * the version it sent (version 1 devices do not know the 'signing-key' refusal, so they are told
 * 'forbidden').
 */
export const SYNC_PROTOCOL_VERSION = 2;
/**
 * The oldest protocol the centre still serves. Older devices are refused with 426 and a message to
 * update; their outbox stays on the device until they do.
 */
export const MIN_SYNC_PROTOCOL_VERSION = 1;
export const MAX_PUSH_BATCH = 200;
export const MAX_PULL_PAGE = 500;

/** Entities a device can change; each change travels to the centre as one outbox mutation. */
export const SyncEntity = z.enum(['profile', 'enrolment', 'evidence', 'decision']);
export type SyncEntity = z.infer<typeof SyncEntity>;

export const Mutation = z.object({
  /** Made on the device; the centre records applied ids so a repeat is answered, not applied twice. */
  id: z.string().uuid(),
  entity: SyncEntity,
  recordId: z.string().min(1).max(100),
  op: z.enum(['upsert', 'delete']),
  /** Server revision the change was made against; 0 for a record the centre has not seen. */
  baseRevision: z.number().int().nonnegative(),
  /** Changed fields with their new values. */
  patch: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type Mutation = z.infer<typeof Mutation>;

export const PushRequest = z.object({
  protocol: z.number().int().positive(),
  deviceId: z.string().uuid(),
  mutations: z.array(Mutation).min(1).max(MAX_PUSH_BATCH),
});
export type PushRequest = z.infer<typeof PushRequest>;

/** A record as the centre holds it: what pull returns and what a conflict answers with. */
export const SyncRecord = z.object({
  entity: SyncEntity,
  id: z.string(),
  revision: z.number().int().positive(),
  deleted: z.boolean(),
  data: z.record(z.string(), z.unknown()),
  updatedAt: z.string(),
});
export type SyncRecord = z.infer<typeof SyncRecord>;

/**
 * Typed reasons, so the device can explain a refusal and decide what to do with the change.
 * signing-key (protocol 2): a decision signed with a key the centre does not accept for the caller
 * (unknown, revoked, or someone else's); the device retires that key and makes a new one.
 */
export const RejectReason = z.enum(['forbidden', 'invalid', 'locked', 'not-found', 'missing-attachment', 'signing-key']);
export type RejectReason = z.infer<typeof RejectReason>;

export const PushResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('applied'), mutationId: z.string(), recordId: z.string(), revision: z.number().int().positive() }),
  /**
   * Another device changed the record since baseRevision. Fields that did not overlap were merged;
   * where both changed the same text the centre's value stands and the device's text is kept in the
   * record's `conflicts` for the user to resolve. `record` is the merged result.
   */
  z.object({
    status: z.literal('conflict'),
    mutationId: z.string(),
    recordId: z.string(),
    revision: z.number().int().positive(),
    fields: z.array(z.string()),
    record: SyncRecord,
  }),
  z.object({
    status: z.literal('rejected'),
    mutationId: z.string(),
    recordId: z.string(),
    reason: RejectReason,
    message: z.string(),
    record: SyncRecord.optional(),
  }),
]);
export type PushResult = z.infer<typeof PushResult>;

export const PushResponse = z.object({ results: z.array(PushResult) });
export type PushResponse = z.infer<typeof PushResponse>;

export const PullQuery = z.object({
  since: z.string().regex(/^\d{1,19}$/, 'The cursor is a whole number').default('0'),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_PAGE).default(MAX_PULL_PAGE),
});

export const PullResponse = z.object({
  changes: z.array(SyncRecord),
  /** Opaque to the device: the centre's change sequence after the last change returned. */
  cursor: z.string(),
  more: z.boolean(),
});
export type PullResponse = z.infer<typeof PullResponse>;

/** One side of an overlapping edit that lost: kept on the record until the user resolves it. */
export const FieldConflict = z.object({
  id: z.string().uuid(),
  field: z.string(),
  /** The text that was not kept in the field. */
  value: z.unknown(),
  deviceId: z.string(),
  at: z.string(),
});
export type FieldConflict = z.infer<typeof FieldConflict>;

/** Every error body from the centre: a code the device can act on and words a user can read. */
export const ApiError = z.object({ error: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiError>;
