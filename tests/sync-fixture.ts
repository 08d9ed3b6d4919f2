import { vi } from 'vitest';
import { rememberSignIn, type DeviceSignIn } from '../src/data/session';
import { deviceId } from '../src/data/settings';
import { centreClient, type CentreClient } from '../src/sync/api';
import { createSyncEngine, type SyncEngine } from '../src/sync/engine';
import { createSyncStatusStore, type SyncStatus, type SyncStatusStore } from '../src/sync/status';
import { tusUploader } from '../src/sync/tus-uploader';
import { freshDatabase } from './db-fixture';
import { FakeCentre, LEARNER, type FakeUser } from './fake-centre';

/** A device signed in to a fake centre, with a fresh database: what every sync test starts from. */
export interface Device {
  centre: FakeCentre;
  signIn: DeviceSignIn;
  deviceId: string;
  client: CentreClient;
  status: SyncStatusStore;
  /** Every status the store went through, to check progress and states. */
  statuses: SyncStatus[];
  engine: SyncEngine;
  onSessionEnded: ReturnType<typeof vi.fn>;
}

export async function signedInDevice(options: { centre?: FakeCentre; user?: FakeUser; keepAllOffline?: boolean; chunkSize?: number; retryDelays?: number[] } = {}): Promise<Device> {
  await freshDatabase();
  const centre = options.centre ?? new FakeCentre();
  const id = await deviceId();
  const answer = centre.openSession(options.user ?? LEARNER, id);
  const signIn: DeviceSignIn = { ...answer, ended: null };
  await rememberSignIn(signIn);
  const token = () => signIn.token;
  const client = centreClient(token, centre.origin, centre.fetch);
  const status = createSyncStatusStore({ state: 'idle' });
  const statuses: SyncStatus[] = [];
  status.subscribe((s) => statuses.push(s));
  const onSessionEnded = vi.fn(async () => {});
  const engine = createSyncEngine({
    fetch: centre.fetch,
    baseUrl: centre.origin,
    token,
    deviceId: id,
    // No automatic retries unless a test asks: a cut connection ends the sync, as a long outage would.
    retryDelays: options.retryDelays ?? [],
    uploader: tusUploader({ endpoint: `${centre.origin}/api/files/uploads`, token, fetch: centre.fetch, retryDelays: [], ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}) }),
    status,
    onSessionEnded,
    keepAllOffline: async () => options.keepAllOffline ?? false,
  });
  return { centre, signIn, deviceId: id, client, status, statuses, engine, onSessionEnded };
}

/** Bytes that look like a photo: deterministic, so their hash is stable. */
export function photoBytes(size: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
