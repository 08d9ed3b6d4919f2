import type { SessionUser } from '../domain/auth';
import { DEFAULT_DB_NAME, useDatabase, type PortfolioDb } from './db';
import { getSetting, setSetting } from './settings';

/** A device signed in to a centre. Kept in idb-keyval so it survives restarts and works offline. */
export interface DeviceSignIn {
  token: string;
  sessionId: string;
  expiresAt: string;
  user: SessionUser;
}

const KEY = 'signIn';

export async function currentSignIn(): Promise<DeviceSignIn | null> {
  return (await getSetting<DeviceSignIn>(KEY)) ?? null;
}

export async function rememberSignIn(signIn: DeviceSignIn): Promise<void> {
  await setSetting(KEY, signIn);
}

export async function forgetSignIn(): Promise<void> {
  await setSetting(KEY, null);
}

/** Each user has their own database, so a shared tablet never mixes two people's portfolios. */
export function databaseNameFor(userId: string | null): string {
  return userId ? `${DEFAULT_DB_NAME}-user-${userId}` : DEFAULT_DB_NAME;
}

export function openDatabaseFor(userId: string | null): PortfolioDb {
  return useDatabase(databaseNameFor(userId));
}
