import canonicalize from 'canonicalize';
import { signedAttachments, signedContent, signedPayload, type Decision, type EvidenceForSigning, type SignedEvidence, type UnsignedDecision } from './signoff';

/**
 * Canonical JSON (RFC 8785), SHA-256 and ECDSA P-256 with WebCrypto, which browsers and Node 20
 * both have as globalThis.crypto.subtle: the device signs and the centre and `npm run verify`
 * check with the same code.
 */

// Named from the global crypto so this file compiles for the browser (DOM types) and the server (Node types).
type Subtle = typeof crypto.subtle;
export type SigningKey = Parameters<Subtle['sign']>[1];
export type PublicJwk = { kty?: string; crv?: string; x?: string; y?: string };
export interface SigningKeyPair {
  privateKey: SigningKey;
  publicKey: SigningKey;
}

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Nothing to canonicalise');
  return text;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return hex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** SHA-256 of an item's signed content, as a decision's `evidence[].contentHash`. */
export async function evidenceContentHash(evidence: Parameters<typeof signedContent>[0]): Promise<string> {
  return sha256Hex(canonicalJson(signedContent(evidence)));
}

/** What a decision records of an item: its content hash and attachment hashes now. */
export async function signedEvidenceOf(evidence: EvidenceForSigning): Promise<SignedEvidence> {
  return { id: evidence.id, contentHash: await evidenceContentHash(evidence), attachments: signedAttachments(evidence.attachments) };
}

/** The exact bytes that are signed. */
export async function payloadBytes(decision: UnsignedDecision): Promise<Uint8Array<ArrayBuffer>> {
  const drawn = decision.drawnSignature ? await sha256Hex(decision.drawnSignature) : null;
  return new TextEncoder().encode(canonicalJson(signedPayload(decision, drawn)));
}

/** A new device key pair; the private key cannot be exported, even by our own code. */
export async function generateSigningKey(): Promise<SigningKeyPair> {
  return (await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify'])) as SigningKeyPair;
}

export async function exportPublicJwk(publicKey: SigningKey): Promise<PublicJwk> {
  const jwk = await crypto.subtle.exportKey('jwk', publicKey);
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

export async function signDecision(decision: UnsignedDecision, privateKey: SigningKey): Promise<Decision> {
  const signature = await crypto.subtle.sign(SIGN, privateKey, await payloadBytes(decision));
  return { ...decision, signature: base64url(signature) };
}

/** True when `decision.signature` is a valid signature by `publicJwk` over the decision as it stands. */
export async function verifyDecisionSignature(decision: Decision, publicJwk: PublicJwk): Promise<boolean> {
  let key: SigningKey;
  try {
    const jwk = { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y, ext: true };
    key = await crypto.subtle.importKey('jwk', jwk, ECDSA, false, ['verify']);
  } catch {
    return false;
  }
  const { signature, ...unsigned } = decision;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64url(signature);
  } catch {
    return false;
  }
  return crypto.subtle.verify(SIGN, key, bytes, await payloadBytes(unsigned));
}
