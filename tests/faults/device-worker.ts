/**
 * One simulated device: a worker thread with its own IndexedDB (fake-indexeddb), its own module
 * instances of the app's data layer and sync engine, and its own settings (device id, sign-in).
 * tests/faults/devices.ts starts it and sends it operations; each one calls the app's own
 * functions, as the screens do. Nothing here decides an outcome: it reports what the device holds.
 */
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

if (!parentPort) throw new Error('device-worker.ts runs as a worker thread (tests/faults/devices.ts)');
const port = parentPort;

/** baseUrl: where the device reaches its centre (perhaps through a proxy); centreUrl: the centre itself, for the checks. */
const { name, baseUrl, centreUrl } = workerData as { name: string; baseUrl: string; centreUrl: string };

// The app's modules are loaded after fake-indexeddb is installed: Dexie reads the factory when a database opens.
const { createAccountService } = await import('../../src/sync/account');
const { createSyncEngine } = await import('../../src/sync/engine');
const { createSyncStatusStore } = await import('../../src/sync/status');
const { tusUploader } = await import('../../src/sync/tus-uploader');
const evidence = await import('../../src/data/evidence');
const decisions = await import('../../src/data/decisions');
const { db } = await import('../../src/data/db');
const { currentEnrolment } = await import('../../src/data/learner');
const { qualificationVersion } = await import('../../src/data/frameworks');
const { enrolledUnitIds, mappingTargets } = await import('../../src/domain/specs');
const { centreClient } = await import('../../src/sync/api');
const { deviceId } = await import('../../src/data/settings');
const { PullResponse } = await import('../../src/domain/sync');
const { evidenceFromRecord } = await import('../../src/data/sync-records');

const RETRY_DELAYS = [50, 200, 500];

let offline = false;
/** Requests this device made, and how many failed on the way (connection refused, reset, cut). */
const traffic = { requests: 0, failed: 0 };

const netFetch = async (input: string, init?: RequestInit): Promise<Response> => {
  if (offline) throw new TypeError('fetch failed: this device is offline');
  traffic.requests++;
  try {
    return await fetch(input, init);
  } catch (error) {
    traffic.failed++;
    throw error;
  }
};

const account = createAccountService({ fetch: netFetch, baseUrl, isOnline: () => !offline, deviceLabel: () => `fault suite ${name}` });
const status = createSyncStatusStore({ state: 'idle' });
let engine: ReturnType<typeof createSyncEngine> | null = null;
const token = () => account.get().signIn?.token ?? null;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

type Ops = Record<string, (...args: never[]) => Promise<unknown>>;

const ops = {
  async signIn(email: string, password: string, keepAllOffline: boolean) {
    await account.restore();
    const signIn = await account.signIn(email, password);
    if (keepAllOffline && signIn.user.role === 'learner') await account.setKeepAllOffline(true);
    // The engine is the runtime's (src/sync/runtime.ts), for the device id the sign-in used.
    const id = await deviceId();
    engine = createSyncEngine({
      fetch: netFetch,
      baseUrl,
      token,
      deviceId: id,
      // The app's retries inside one sync, at test speed (the app waits 0.5-5 s, tus 1-10 s):
      // what a retry cannot get through ends the sync, and the suite syncs again as the scheduler would.
      retryDelays: RETRY_DELAYS,
      uploader: tusUploader({ endpoint: `${baseUrl}/api/files/uploads`, token, fetch: netFetch, retryDelays: RETRY_DELAYS }),
      status,
      onSessionEnded: (error) => account.sessionEnded(error),
      keepAllOffline: () => account.keepAllOffline(),
      isOnline: () => !offline,
    });
    return { userId: signIn.user.id, role: signIn.user.role, deviceId: id };
  },
  async sync() {
    if (!engine) throw new Error(`${name} is not signed in`);
    const outcome = await engine!.sync();
    const s = status.get();
    return { ...outcome, fileProblems: s.fileProblems.map((p) => `${p.name}: ${p.message}`) };
  },
  async setOffline(value: boolean) {
    offline = value;
  },
  async traffic() {
    return { ...traffic };
  },
  /** The learner's own enrolment (a learner device), or the enrolment with this learner id (an assessor's). */
  async enrolment(learnerId?: string) {
    const enrolment = learnerId ? await db().enrolments.where('learnerId').equals(learnerId).first() : await currentEnrolment();
    if (!enrolment) throw new Error(`${name} holds no enrolment${learnerId ? ` of learner ${learnerId}` : ''}`);
    const spec = await qualificationVersion(enrolment.qualificationId, enrolment.qualificationVersion);
    if (!spec) throw new Error(`${name} lacks the spec ${enrolment.qualificationId}@${enrolment.qualificationVersion}`);
    const criteria = mappingTargets(spec, enrolledUnitIds(spec, enrolment.optionalUnitIds)).map((t) => t.id);
    return { id: enrolment.id, learnerId: enrolment.learnerId, criteria };
  },
  async createEvidence(enrolmentId: string, content: Record<string, unknown>) {
    return (await evidence.createEvidence(enrolmentId, content)).id;
  },
  async recordAssessorEvidence(enrolmentId: string, kind: 'observation' | 'professional-discussion', content: Record<string, unknown>) {
    return (await evidence.recordAssessorEvidence(enrolmentId, kind, content)).id;
  },
  async updateEvidence(id: string, patch: Record<string, unknown>) {
    await evidence.updateEvidence(id, patch);
  },
  async addAttachment(id: string, file: { name: string; type: string; bytes: Uint8Array }) {
    await evidence.addAttachments(id, [new File([new Uint8Array(file.bytes)], file.name, { type: file.type })]);
  },
  async submitEvidence(id: string) {
    await evidence.submitEvidence(id);
  },
  async decide(evidenceId: string, outcome: 'accepted' | 'referred', criterionIds: string[], overall: string, drawnSignature: string) {
    await decisions.decideOnEvidence({ evidenceId, outcome, criterionIds, feedback: { overall, criteria: {} }, drawnSignature });
  },
  /** The items on the device, oldest first, with what decides which edits the app allows. */
  async items() {
    return (await db().evidence.orderBy('id').toArray()).filter((e) => !e.deletedAt).map((e) => ({ id: e.id, status: e.status, kind: e.kind, criterionIds: e.criterionIds }));
  },
  async getEvidence(id: string) {
    return evidence.getEvidence(id);
  },
  /** Everything the device holds that sync is about, with the SHA-256 of every file's bytes. */
  async snapshot() {
    const items = await db().evidence.toArray();
    const history = await db().evidenceHistory.toArray();
    const files = await db().attachments.toArray();
    const outbox = await db().outbox.toArray();
    const held = await db().decisions.toArray();
    return {
      evidence: items,
      history: history.map((h) => ({ id: h.id, evidenceId: h.evidenceId, action: h.action, fields: h.fields, before: h.before, deviceId: h.deviceId })),
      files: await Promise.all(
        files.map(async (f) => ({ id: f.id, size: f.size, uploadState: f.uploadState, sha256: f.blob ? sha256(new Uint8Array(await f.blob.arrayBuffer())) : null })),
      ),
      outbox: outbox.map((e) => ({ seq: e.seq, id: e.id, entity: e.entity, recordId: e.recordId, patch: e.patch, reason: e.reason ?? null, lastError: e.lastError, attempts: e.attempts })),
      decisions: held.map((d) => ({ id: d.id, kind: d.kind, outcome: d.outcome, evidenceIds: d.evidenceIds, feedback: d.feedback })),
    };
  },
  /** What the centre holds in this user's scope, read with this device's session (GET /api/sync/pull from 0). */
  async centreView() {
    const client = centreClient(token, centreUrl, (input, init) => fetch(input, init));
    const records = [];
    let since = '0';
    for (;;) {
      const page = await client.call('GET', `/api/sync/pull?since=${since}`, PullResponse);
      records.push(...page.changes);
      since = page.cursor;
      if (!page.more) break;
    }
    const latest = new Map(records.map((r) => [`${r.entity}:${r.id}`, r]));
    return {
      evidence: [...latest.values()].filter((r) => r.entity === 'evidence' && !r.deleted).map((r) => evidenceFromRecord(r)),
      decisions: [...latest.values()].filter((r) => r.entity === 'decision').map((r) => ({ id: r.id, data: r.data })),
      pulledRecords: records.length,
      distinctRecords: latest.size,
    };
  },
  /** The centre's bytes of one file, hashed (GET /api/files/sha256/:id with this device's session). */
  async centreFileHash(id: string) {
    const client = centreClient(token, centreUrl, (input, init) => fetch(input, init));
    const response = await client.fetch(`/api/files/sha256/${id}`);
    if (!response.ok) return { status: response.status, sha256: null };
    return { status: response.status, sha256: sha256(new Uint8Array(await response.arrayBuffer())) };
  },
  async stop() {
    await engine?.stop();
  },
} satisfies Ops;

export type DeviceOps = typeof ops;

port.on('message', async (message: { id: number; op: keyof DeviceOps; args: unknown[] }) => {
  try {
    const fn = ops[message.op] as (...args: unknown[]) => Promise<unknown>;
    if (!fn) throw new Error(`No operation ${String(message.op)} on the device`);
    const value = await fn(...message.args);
    port.postMessage({ id: message.id, ok: true, value });
  } catch (error) {
    const e = error as Error;
    port.postMessage({ id: message.id, ok: false, error: { name: e?.name ?? 'Error', message: e?.message ?? String(error), stack: e?.stack ?? '' } });
  }
});
port.postMessage({ ready: true });
