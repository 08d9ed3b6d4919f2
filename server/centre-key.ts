import { exportSealPayload, keyCertificatePayload, type CentreSigningKey, type ExportSeal, type ExportedSigningKey } from '../src/domain/export-manifest';
import { base64url, canonicalJson, type SigningKey } from '../src/domain/signing';
import { keyFingerprint } from '../src/domain/verify';
import type { Sql } from './db/database';

/**
 * The centre's own signing key: one ECDSA P-256 key pair per centre, made with WebCrypto the first
 * time the centre needs it. It certifies each device key in an export and seals the export
 * (docs/assessment.md, "Verification anyone can repeat"); its RFC 7638 fingerprint is shown to
 * admins (GET /api/exports/centre-key) for the centre to publish, and printed by `npm run verify`.
 *
 * Where the private key lives: in the database (table centre_keys, migration 004), as a private
 * JWK. The key must live exactly as long as the records it vouches for and be backed up and
 * restored with them (a restored database with a lost key file would change the fingerprint
 * examiners were told to expect); every centre process shares the database, so making it on first
 * need is race-free with one insert ... on conflict do nothing; and only this module reads the
 * private_key column: no route, export or log selects it. The cost: whoever can read a database
 * dump can seal exports as the centre, so dumps must be kept as carefully as the key itself
 * (encrypted backups); moving the key to a KMS or HSM later changes only this file.
 */

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface CentreKey {
  centreId: string;
  /** The public half and its fingerprint, as exports carry them. */
  public: CentreSigningKey;
  privateKey: SigningKey;
  createdAt: string;
}

type Jwk = { kty?: string; crv?: string; x?: string; y?: string; d?: string };

interface Row {
  public_key: Jwk;
  private_key: Jwk;
  fingerprint: string;
  created_at: Date;
}

async function fromRow(centreId: string, row: Row): Promise<CentreKey> {
  const { kty, crv, x, y, d } = row.private_key;
  const privateKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y, d, ext: false }, ECDSA, false, ['sign']);
  const publicKey = { kty: 'EC' as const, crv: 'P-256' as const, x: row.public_key.x!, y: row.public_key.y! };
  return { centreId, public: { publicKey, fingerprint: row.fingerprint }, privateKey, createdAt: new Date(row.created_at).toISOString() };
}

/** The centre's key, made (and stored) the first time it is asked for. */
export async function centreKey(db: Sql, centreId: string): Promise<CentreKey> {
  const select = () => db.query<Row>('select public_key, private_key, fingerprint, created_at from centre_keys where centre_id = $1', [centreId]);
  const [existing] = await select();
  if (existing) return fromRow(centreId, existing);
  // Extractable only for the moment it takes to store the private JWK; it is imported non-extractable for use.
  const pair = (await crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as { privateKey: SigningKey; publicKey: SigningKey };
  const priv = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as Jwk;
  const publicKey = { kty: 'EC', crv: 'P-256', x: priv.x, y: priv.y };
  const fingerprint = await keyFingerprint(publicKey);
  await db.query(
    `insert into centre_keys (centre_id, public_key, private_key, fingerprint) values ($1, $2::jsonb, $3::jsonb, $4) on conflict (centre_id) do nothing`,
    [centreId, JSON.stringify(publicKey), JSON.stringify({ kty: priv.kty, crv: priv.crv, x: priv.x, y: priv.y, d: priv.d }), fingerprint],
  );
  // Another process may have made one at the same moment: theirs stands, and both use it.
  const [stored] = await select();
  return fromRow(centreId, stored!);
}

async function sign(key: CentreKey, payload: unknown): Promise<string> {
  return base64url(await crypto.subtle.sign(SIGN, key.privateKey, new TextEncoder().encode(canonicalJson(payload))));
}

/** A device key with the centre's certificate of who it belongs to, as of now. */
export async function certifyKey(key: CentreKey, device: Omit<ExportedSigningKey, 'certificate' | 'centreId'>): Promise<ExportedSigningKey> {
  const unsigned = { ...device, centreId: key.centreId };
  return { ...unsigned, certificate: await sign(key, keyCertificatePayload(unsigned)) };
}

/** signature.json: the centre's seal over the manifest's digest and the pages' hashes. */
export async function sealExport(key: CentreKey, manifestSha256: string, pages: ExportSeal['pages']): Promise<ExportSeal> {
  const unsigned = { format: 'ict-portfolio-export-signature' as const, version: 1 as const, centreId: key.centreId, centreKey: key.public, manifestSha256, pages };
  return { ...unsigned, signature: await sign(key, exportSealPayload(unsigned)) };
}
