// The one module that talks to the service worker (service-worker/sw.ts).
//
// Updates are prompt-to-update, never forced: when a new worker has installed
// and is waiting, listeners registered with onUpdateReady() are told; the UI
// asks the user, and applyUpdate() first awaits the app's `beforeReload`
// (which flushes unsaved drafts to IndexedDB), then tells the waiting worker
// to skip waiting, and reloads the page once, when the new worker takes
// control. Nothing here reloads the page on its own.
import { Workbox } from 'workbox-window';

/** The part of workbox-window's Workbox that the bridge uses (so tests can fake it). */
export interface WorkboxLike {
  addEventListener(type: 'waiting' | 'controlling', listener: (event: { isExternal?: boolean }) => void): void;
  register(options?: { immediate?: boolean }): Promise<ServiceWorkerRegistration | undefined>;
  messageSkipWaiting(): void;
}

export type UpdateListener = () => void;

export interface SwBridge {
  /** Registers /sw.js. Does nothing (resolves false) in dev builds or where service workers are unsupported. */
  register(): Promise<boolean>;
  /**
   * Calls `listener` whenever a new worker is installed and waiting. If one is
   * already waiting when you subscribe, `listener` is called soon after. Returns an unsubscribe function.
   */
  onUpdateReady(listener: UpdateListener): () => void;
  /** True while a new worker is waiting to take over. */
  isUpdateReady(): boolean;
  /**
   * Awaits `beforeReload` (if it rejects, nothing is updated and the error is
   * rethrown), asks the waiting worker to take over, and reloads once when it
   * controls the page.
   */
  applyUpdate(beforeReload: () => Promise<void>): Promise<void>;
  /**
   * Resolves when a service worker controls this page. Stays pending where
   * there is none (dev builds, unsupported browsers, the very first visit
   * before a reload), so never block the UI on it.
   */
  whenControlling(): Promise<void>;
}

export interface SwBridgeDeps {
  /** Whether to register at all: production builds with service-worker support. */
  enabled: boolean;
  createWorkbox: () => WorkboxLike;
  /** navigator.serviceWorker, or undefined where unsupported. */
  container: Pick<ServiceWorkerContainer, 'controller' | 'addEventListener' | 'removeEventListener'> | undefined;
  reload: () => void;
}

export function createSwBridge(deps: SwBridgeDeps): SwBridge {
  const listeners = new Set<UpdateListener>();
  let workbox: WorkboxLike | undefined;
  let registering: Promise<boolean> | undefined;
  let updateReady = false;
  let reloadRequested = false;
  let reloaded = false;
  // Set when the new worker took control without this page asking (another
  // tab applied the update): the page still runs the old code, so applying
  // the update is then just the reload.
  let takenOverElsewhere = false;

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const reloadOnce = () => {
    if (reloaded) return;
    reloaded = true;
    deps.reload();
  };

  function register(): Promise<boolean> {
    if (!deps.enabled) return Promise.resolve(false);
    registering ??= (async () => {
      const wb = deps.createWorkbox();
      workbox = wb;
      // Fires for our own new worker and for one installed by another tab
      // (isExternal), and on start if one was already waiting.
      wb.addEventListener('waiting', () => {
        updateReady = true;
        notify();
      });
      wb.addEventListener('controlling', () => {
        // Only the update the user asked for reloads this page; a controller
        // change started elsewhere must not throw away what they are typing.
        if (!reloadRequested) {
          if (updateReady) takenOverElsewhere = true;
          return;
        }
        reloadOnce();
      });
      try {
        await wb.register();
        return true;
      } catch (error) {
        // The app works online without a worker; say why offline will not.
        console.error('Service worker registration failed; the app will not work offline.', error);
        return false;
      }
    })();
    return registering;
  }

  function onUpdateReady(listener: UpdateListener): () => void {
    listeners.add(listener);
    if (updateReady) {
      queueMicrotask(() => {
        if (listeners.has(listener) && updateReady) listener();
      });
    }
    return () => {
      listeners.delete(listener);
    };
  }

  async function applyUpdate(beforeReload: () => Promise<void>): Promise<void> {
    await beforeReload();
    if (!workbox || !updateReady) return;
    reloadRequested = true;
    if (takenOverElsewhere) reloadOnce();
    else workbox.messageSkipWaiting();
  }

  function whenControlling(): Promise<void> {
    const container = deps.container;
    if (!container) return new Promise<void>(() => {});
    if (container.controller) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const onChange = () => {
        if (!container.controller) return;
        container.removeEventListener('controllerchange', onChange);
        resolve();
      };
      container.addEventListener('controllerchange', onChange);
    });
  }

  return { register, onUpdateReady, isUpdateReady: () => updateReady, applyUpdate, whenControlling };
}

const hasServiceWorker = typeof navigator !== 'undefined' && 'serviceWorker' in navigator;

/** The app's bridge: registers /sw.js in production builds only. */
export const swBridge: SwBridge = createSwBridge({
  enabled: import.meta.env.PROD && hasServiceWorker,
  createWorkbox: () => new Workbox('/sw.js', { scope: '/' }),
  container: hasServiceWorker ? navigator.serviceWorker : undefined,
  reload: () => window.location.reload(),
});

export const registerServiceWorker = swBridge.register;
export const onUpdateReady = swBridge.onUpdateReady;
export const isUpdateReady = swBridge.isUpdateReady;
export const applyUpdate = swBridge.applyUpdate;
export const whenControlling = swBridge.whenControlling;
