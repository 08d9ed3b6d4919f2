import { z } from 'zod';
import { DeviceSessionList, SignInResponse, type DeviceSession, type SignInRequest } from '../domain/auth';
import type { CentreClient } from './api';

/** The centre's account routes, validated with the shared schemas. */

const Ok = z.unknown();

export function signInToCentre(client: CentreClient, request: SignInRequest): Promise<SignInResponse> {
  return client.call('POST', '/api/auth/sign-in', SignInResponse, request);
}

export async function signOutOfCentre(client: CentreClient): Promise<void> {
  await client.call('POST', '/api/auth/sign-out', Ok);
}

export async function listDeviceSessions(client: CentreClient): Promise<DeviceSession[]> {
  return (await client.call('GET', '/api/auth/sessions', DeviceSessionList)).sessions;
}

export async function revokeDeviceSession(client: CentreClient, sessionId: string): Promise<void> {
  await client.call('POST', `/api/auth/sessions/${encodeURIComponent(sessionId)}/revoke`, Ok);
}
