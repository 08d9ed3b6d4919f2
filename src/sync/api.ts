import { z } from 'zod';
import { PublicSigningKey, SigningKeyAnswer, SigningKeyList, type RegisterKeyRequest, type SigningKeyView } from '../domain/signoff';
import { ApiError } from '../domain/sync';

/**
 * Why a call to the centre failed, in a form the UI can explain and the sync loop can act on.
 * offline: no connection (try later); signed-out: the session is gone (sign in again, data kept);
 * update-required: this app version is too old; refused: the centre said no (message says why);
 * server: the centre failed (try later).
 */
export type CentreErrorReason = 'offline' | 'signed-out' | 'update-required' | 'refused' | 'server';

export class CentreError extends Error {
  override readonly name = 'CentreError';
  constructor(
    readonly reason: CentreErrorReason,
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export interface CentreClient {
  /** Sends a JSON request and validates the answer with the shared schema. */
  call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>>;
  /** A raw authorised fetch (files, uploads). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** The part of `fetch` the client uses: the sync engine passes one that it can abort, tests a fake centre. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The token is read on every call, so signing in again takes effect at once. */
export function centreClient(getToken: () => string | null, baseUrl = '', fetchImpl: FetchLike = (input, init) => fetch(input, init)): CentreClient {
  async function authorisedFetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    try {
      return await fetchImpl(`${baseUrl}${path}`, { ...init, headers });
    } catch (error) {
      // A sync being stopped (sign-out) is not a lost connection: let the caller see the abort.
      if ((error as { name?: string } | null)?.name === 'AbortError') throw error;
      throw new CentreError('offline', 'Cannot reach your centre: you may be offline. Your work is saved on this device.', null, String(error));
    }
  }

  return {
    fetch: authorisedFetch,
    async call(method, path, schema, body) {
      const response = await authorisedFetch(path, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
      });
      if (!response.ok) throw await errorFrom(response);
      const text = await readAnswer(() => response.text());
      const parsed = schema.safeParse(parseJson(text));
      if (!parsed.success) throw new CentreError('server', 'Your centre sent an answer this app does not understand. Try updating the app.', response.status);
      return parsed.data;
    },
  };
}

const LOST_ANSWER = 'The connection was lost while your centre was answering: you may be offline. Your work is saved on this device.';

/**
 * Reads an answer's body. A connection that drops part-way through the body fails here, after
 * fetch has resolved: that is a lost connection like any other, not a fault on this device.
 */
export async function readAnswer<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if ((error as { name?: string } | null)?.name === 'AbortError') throw error;
    throw new CentreError('offline', LOST_ANSWER, null, String(error));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON at all: the schema check that follows says so in words.
    return null;
  }
}

export async function errorFrom(response: Response): Promise<CentreError> {
  const body = ApiError.safeParse(await response.json().catch(() => null));
  const message = body.success ? body.data.message : `Your centre answered ${response.status} ${response.statusText}.`;
  const code = body.success ? body.data.error : null;
  if (response.status === 401) return new CentreError('signed-out', message, 401, code);
  if (response.status === 426) return new CentreError('update-required', message, 426, code);
  if (response.status >= 500) return new CentreError('server', message, response.status, code);
  return new CentreError('refused', message, response.status, code);
}

/** The key as the centre holds it: `{ key }`, and nothing else. */
const RegisteredKey = z.object({ key: PublicSigningKey }).transform((body) => body.key);

/**
 * POST /api/keys: the centre records this device's public key for the signed-in user (201), or
 * answers with the key it already holds under that id (200, e.g. after a lost answer).
 */
export async function registerSigningKey(client: CentreClient, request: RegisterKeyRequest): Promise<PublicSigningKey> {
  return client.call('POST', '/api/keys', RegisteredKey, request);
}

/** GET /api/keys: the caller's own keys (an admin: their centre's, or one user's with `userId`), live first. */
export async function listSigningKeys(client: CentreClient, userId?: string): Promise<SigningKeyView[]> {
  const query = userId !== undefined ? `?userId=${encodeURIComponent(userId)}` : '';
  return (await client.call('GET', `/api/keys${query}`, SigningKeyList)).keys;
}

/**
 * POST /api/keys/:id/revoke: decisions signed with the key are refused from now on. The owner may
 * give a reason; an admin revoking someone else's key must.
 */
export async function revokeSigningKey(client: CentreClient, keyId: string, reason?: string): Promise<SigningKeyView> {
  const body = reason !== undefined && reason.trim() ? { reason: reason.trim() } : {};
  return (await client.call('POST', `/api/keys/${encodeURIComponent(keyId)}/revoke`, SigningKeyAnswer, body)).key;
}
