import { ZodError } from 'zod';
import { attachmentsNotUploaded } from '../data/attachments';
import { deleteDatabase } from '../data/db';
import { seedShippedFrameworks } from '../data/frameworks';
import { pendingCount } from '../data/outbox';
import { settleWrites } from '../data/pending-writes';
import { currentSignIn, databaseNameFor, forgetSignIn, markSessionEnded, openDatabaseFor, rememberSignIn, type DeviceSignIn } from '../data/session';
import { deviceId, getSetting, setSetting } from '../data/settings';
import { SignInRequest, type DeviceSession, type Role } from '../domain/auth';
import type { AttachmentRef } from '../domain/evidence';
import { centreClient, CentreError, type CentreClient, type FetchLike } from './api';
import { listDeviceSessions, revokeDeviceSession, signInToCentre, signOutOfCentre } from './auth';

/**
 * Who uses this device, and so which database is open: the default one ("this device only") or
 * the signed-in user's own. Switching closes the sync of the old database before the new one opens.
 */

export interface AccountState {
  /** Null without an account; `ended` set when the centre refused the session (sign in again). */
  signIn: DeviceSignIn | null;
  /** The open database; the app's tree is keyed by it, so a switch remounts every screen. */
  databaseName: string;
}

export interface SignOutBlockers {
  /** Changes saved here that the centre has not confirmed. */
  waiting: number;
  /** Files of the user's evidence that the centre does not hold yet. */
  files: AttachmentRef[];
}

export class SignOutBlockedError extends Error {
  override readonly name = 'SignOutBlockedError';
  constructor(readonly blockers: SignOutBlockers) {
    const parts = [
      blockers.waiting > 0 ? `${blockers.waiting} ${blockers.waiting === 1 ? 'change is' : 'changes are'} still waiting to be sent to your centre` : null,
      blockers.files.length > 0 ? `${blockers.files.length} ${blockers.files.length === 1 ? 'file has' : 'files have'} not been uploaded yet` : null,
    ].filter(Boolean);
    super(`You cannot sign out yet: ${parts.join(' and ')}. Signing out removes your portfolio from this device, so sync first.`);
  }
}

export class SignInOfflineError extends Error {
  override readonly name = 'SignInOfflineError';
  constructor() {
    super('You are offline. Signing in needs a connection to your centre. You can keep using the app on this device meanwhile.');
  }
}

export interface SignOutResult {
  /** False when the centre could not be told (offline): the session then ends when it expires or is revoked. */
  centreToldOf: boolean;
}

export interface AccountService {
  get(): AccountState;
  subscribe(listener: (state: AccountState) => void): () => void;
  /** Reads the stored sign-in and opens that user's database. Call before the first render. */
  restore(): Promise<AccountState>;
  signIn(email: string, password: string): Promise<DeviceSignIn>;
  signOutBlockers(): Promise<SignOutBlockers>;
  signOut(): Promise<SignOutResult>;
  /** The centre answered 401: keep the user's data and outbox, stop syncing, ask to sign in again. */
  sessionEnded(error: CentreError): Promise<void>;
  /** An authorised client for the signed-in user's calls outside sync (wrap them in endOn401). */
  client(): CentreClient;
  /** Passes a call's result through; a 401 on the way ends the session here first. */
  endOn401<T>(call: Promise<T>): Promise<T>;
  sessions(): Promise<DeviceSession[]>;
  revoke(sessionId: string): Promise<void>;
  keepAllOffline(): Promise<boolean>;
  setKeepAllOffline(keep: boolean): Promise<void>;
  /** Runs before any database switch (the sync runtime stops there). Returns unsubscribe. */
  beforeSwitch(hook: () => Promise<void>): () => void;
}

export interface AccountDeps {
  fetch?: FetchLike;
  baseUrl?: string;
  isOnline?: () => boolean;
  deviceLabel?: () => string;
}

/** A name the user recognises in their list of signed-in devices, e.g. "Chrome on Android". */
export function describeDevice(userAgent: string): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /CrOS/.test(userAgent)
            ? 'ChromeOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : 'a device';
  return `${browser} on ${os}`;
}

function readableZodError(error: ZodError): string {
  return error.issues.map((i) => i.message).join(' ');
}

/**
 * Assessors and IQAs visit learners where there may be no connection: their devices always hold
 * every file of their learners' evidence, so the "keep offline" choice is not theirs to turn off.
 */
export function alwaysKeepsAllOffline(role: Role | null | undefined): boolean {
  return role === 'assessor' || role === 'iqa';
}

export function createAccountService(deps: AccountDeps = {}): AccountService {
  let state: AccountState = { signIn: null, databaseName: databaseNameFor(null) };
  const listeners = new Set<(state: AccountState) => void>();
  const hooks = new Set<() => Promise<void>>();
  const isOnline = deps.isOnline ?? (() => navigator.onLine);

  const set = (next: AccountState) => {
    state = next;
    for (const listener of [...listeners]) listener(state);
  };
  const token = () => state.signIn?.token ?? null;
  const anonymous = () => centreClient(() => null, deps.baseUrl ?? '', deps.fetch);
  const authorised = () => centreClient(token, deps.baseUrl ?? '', deps.fetch);

  /** Closes sync and waits for writes under way, then opens the database of `userId`. */
  async function switchTo(signIn: DeviceSignIn | null): Promise<void> {
    for (const hook of [...hooks]) await hook();
    await settleWrites();
    const database = openDatabaseFor(signIn?.user.id ?? null);
    await database.open();
    // Each database holds its own copy of the shipped specs, which every screen reads.
    await seedShippedFrameworks();
    set({ signIn, databaseName: database.name });
  }

  const keepKey = () => `keepAllOffline:${state.signIn?.user.id ?? 'device'}`;

  async function sessionEnded(error: CentreError): Promise<void> {
    const ended = await markSessionEnded(error.code, error.message);
    set({ ...state, signIn: ended });
  }

  /** Any call the centre answers 401 ends the session on this device, as a sync would. */
  async function endOn401<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof CentreError && error.reason === 'signed-out' && state.signIn && !state.signIn.ended) await sessionEnded(error);
      throw error;
    }
  }

  async function signOutBlockers(): Promise<SignOutBlockers> {
    const [waiting, files] = await Promise.all([pendingCount(), attachmentsNotUploaded()]);
    return { waiting, files };
  }

  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async restore() {
      const signIn = await currentSignIn();
      const database = openDatabaseFor(signIn?.user.id ?? null);
      state = { signIn, databaseName: database.name };
      return state;
    },
    async signIn(email, password) {
      const parsed = SignInRequest.safeParse({ email, password, deviceId: await deviceId(), deviceLabel: deps.deviceLabel?.() ?? describeDevice(navigator.userAgent) });
      if (!parsed.success) throw new Error(readableZodError(parsed.error));
      if (!isOnline()) throw new SignInOfflineError();
      const answer = await signInToCentre(anonymous(), parsed.data);
      const signIn: DeviceSignIn = { token: answer.token, sessionId: answer.sessionId, expiresAt: answer.expiresAt, user: answer.user, ended: null };
      await rememberSignIn(signIn);
      await switchTo(signIn);
      return signIn;
    },
    signOutBlockers,
    async signOut() {
      const signIn = state.signIn;
      if (!signIn) return { centreToldOf: true };
      // Nothing may be written between the check and the deletion: stop sync, let writes land, check.
      for (const hook of [...hooks]) await hook();
      await settleWrites();
      const blockers = await signOutBlockers();
      if (blockers.waiting > 0 || blockers.files.length > 0) {
        set({ ...state }); // wakes the sync runtime again
        throw new SignOutBlockedError(blockers);
      }
      let centreToldOf = false;
      if (isOnline() && !signIn.ended) {
        try {
          await signOutOfCentre(authorised());
          centreToldOf = true;
        } catch (error) {
          // Already ended at the centre is what we wanted; offline or a failing centre must not
          // trap the user on this device (the session then lapses or can be revoked elsewhere).
          if (error instanceof CentreError && error.reason === 'signed-out') centreToldOf = true;
          else console.warn('Could not tell the centre about the sign-out', error);
        }
      } else centreToldOf = !!signIn.ended;
      await forgetSignIn();
      await deleteDatabase(databaseNameFor(signIn.user.id));
      await switchTo(null);
      return { centreToldOf };
    },
    sessionEnded,
    client: authorised,
    sessions: () => endOn401(listDeviceSessions(authorised())),
    revoke: (sessionId) => endOn401(revokeDeviceSession(authorised(), sessionId)),
    endOn401,
    async keepAllOffline() {
      if (alwaysKeepsAllOffline(state.signIn?.user.role)) return true;
      return (await getSetting<boolean>(keepKey())) ?? false;
    },
    async setKeepAllOffline(keep) {
      if (!keep && alwaysKeepsAllOffline(state.signIn?.user.role))
        throw new Error('Assessors’ and IQAs’ devices always keep their learners’ files available offline, for visits without a connection.');
      await setSetting(keepKey(), keep);
    },
    beforeSwitch(hook) {
      hooks.add(hook);
      return () => void hooks.delete(hook);
    },
  };
}
