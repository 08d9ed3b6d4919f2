import { Worker } from 'node:worker_threads';
import type { DeviceOps } from './device-worker';

/**
 * Simulated devices for the sync fault suites (1 crash during sync, 2 bad network, 4 concurrent
 * edits). The app keeps one current database and its settings in module globals (src/data/db.ts,
 * src/data/settings.ts), so each device runs in its own worker thread (tests/faults/device-worker.ts)
 * with its own IndexedDB and module instances: three devices in one test are as separate as three
 * browsers, and each syncs with the app's real engine, tus uploader and Dexie data layer.
 */

export interface SimDevice {
  readonly name: string;
  /** Runs one operation of tests/faults/device-worker.ts on the device; rejects with its error. */
  call<K extends keyof DeviceOps>(op: K, ...args: Parameters<DeviceOps[K]>): Promise<Awaited<ReturnType<DeviceOps[K]>>>;
  close(): Promise<void>;
}

export class DeviceOpError extends Error {
  constructor(
    readonly device: string,
    readonly op: string,
    readonly errorName: string,
    message: string,
  ) {
    super(`${device} ${op}: ${errorName}: ${message}`);
    this.name = 'DeviceOpError';
  }
}

/** `baseUrl` is where the device reaches the centre (a proxy, say); `centreUrl` the centre itself, for checks. */
export async function startDevice(name: string, baseUrl: string, centreUrl = baseUrl): Promise<SimDevice> {
  const worker = new Worker(new URL('./device-worker.mjs', import.meta.url), {
    workerData: { name, baseUrl, centreUrl },
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; op: string }>();
  let next = 0;
  let failure: Error | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { ready?: boolean }) => (m.ready ? resolve() : reject(new Error(`${name}: unexpected first message`))));
    worker.once('error', reject);
  });
  worker.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: { name: string; message: string; stack: string } }) => {
    if (m.id === undefined) return;
    const waiting = pending.get(m.id);
    if (!waiting) return;
    pending.delete(m.id);
    if (m.ok) waiting.resolve(m.value);
    else waiting.reject(new DeviceOpError(name, waiting.op, m.error!.name, m.error!.message));
  });
  const failAll = (error: Error) => {
    failure = error;
    for (const w of pending.values()) w.reject(error);
    pending.clear();
  };
  worker.on('error', (error) => failAll(new Error(`${name} worker failed: ${error.message}`)));
  worker.on('exit', (code) => failAll(new Error(`${name} worker exited (${code})`)));
  await ready;
  const device: SimDevice = {
    name,
    call(op, ...args) {
      if (failure) return Promise.reject(failure);
      const id = ++next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, op: String(op) });
        worker.postMessage({ id, op, args });
      });
    },
    async close() {
      if (!failure) await device.call('stop').catch(() => undefined);
      await worker.terminate();
    },
  };
  return device;
}
