import type { SessionUser } from '../domain/auth';
import { DEFAULT_DB_NAME, useDatabase, type PortfolioDb } from './db';
import { getSetting, setSetting } from './settings';

/** A device signed in to a centre. Kept in idb-keyval so it survives restarts and works offline. */
export interface DeviceSignIn {
  token: string;
  sessionId: string;
  expiresAt: string;
  user: SessionUser;
  /**
   * Set when the centre refused this session (revoked, expired, signed out elsewhere). The user's
   * database and outbox stay; sync stops until the same user signs in again.
   */
  ended?: { at: string; code: string | null; message: string } | null;
}

const KEY = 'signIn';

export async function currentSignIn(): Promise<DeviceSignIn | null> {
  return (await getSetting<DeviceSignIn>(KEY)) ?? null;
}

export async function rememberSignIn(signIn: DeviceSignIn): Promise<void> {
  await setSetting(KEY, signIn);
}

/** The centre answered 401: keep the user (and so their database), remember why sync stopped. */
export async function markSessionEnded(code: string | null, message: string): Promise<DeviceSignIn | null> {
  const signIn = await currentSignIn();
  if (!signIn) return null;
  const ended: DeviceSignIn = { ...signIn, ended: { at: new Date().toISOString(), code, message } };
  await rememberSignIn(ended);
  return ended;
}

export async function forgetSignIn(): Promise<void> {
  await setSetting(KEY, null);
}

const USER_DB_PREFIX = `${DEFAULT_DB_NAME}-user-`;

/** Each user has their own database, so a shared tablet never mixes two people's portfolios. */
export function databaseNameFor(userId: string | null): string {
  return userId ? `${USER_DB_PREFIX}${userId}` : DEFAULT_DB_NAME;
}

/** Whose database this is (null for the "this device only" one): known without reading settings. */
export function userIdOfDatabase(name: string): string | null {
  return name.startsWith(USER_DB_PREFIX) ? name.slice(USER_DB_PREFIX.length) : null;
}

export function openDatabaseFor(userId: string | null): PortfolioDb {
  return useDatabase(databaseNameFor(userId));
}
