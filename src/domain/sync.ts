import { z } from 'zod';

/** Entities a device can change; each change travels to the centre as one outbox mutation. */
export const SyncEntity = z.enum(['profile', 'enrolment', 'evidence', 'attachment']);
export type SyncEntity = z.infer<typeof SyncEntity>;

export const Mutation = z.object({
  /** Made on the device; the centre records applied ids so a repeat is answered, not applied twice. */
  id: z.string().uuid(),
  entity: SyncEntity,
  recordId: z.string().min(1),
  op: z.enum(['upsert', 'delete']),
  /** Server revision the change was made against; 0 for a record the centre has not seen. */
  baseRevision: z.number().int().nonnegative(),
  /** Changed fields with their new values. */
  patch: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type Mutation = z.infer<typeof Mutation>;
