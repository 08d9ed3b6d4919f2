import type { ExportManifest } from '../../src/domain/export-manifest';

/** README.txt of an export: what is in it and how anyone can check it, with or without the app. */
export function renderReadme(manifest: ExportManifest, fingerprints: Map<string, string>): string {
  const keys = manifest.keys.map((k) => `  ${k.name} (${k.role}), key ${k.id}\n    fingerprint ${fingerprints.get(k.id) ?? ''}${k.revokedAt ? `, revoked ${k.revokedAt}` : ''}`);
  return `ICT Portfolio export for external quality assurance
===================================================

Centre:      ${manifest.centre.name}
Exported:    ${manifest.exportedAt} by ${manifest.exportedBy.name} (${manifest.exportedBy.role})
Contents:    ${manifest.scope.type === 'learner' ? `the portfolio of ${manifest.learners.map((l) => l.name).join(', ')}` : `IQA sample ${manifest.scope.planId}`}
Format:      ${manifest.format}, version ${manifest.version}

What is in this folder
----------------------
index.html     The portfolio to read: open it in any browser, offline. Enrolment, units with
               their criteria and the evidence for each, every item with its files, every
               decision with its signer, time, outcome, feedback and drawn signature.
icttech.html   The learner's evidence grouped under the ICTTech competences A to E.
manifest.json  Everything above as data: the records, every signed decision, the public keys
               that signed them, and the audit trail of the exported records.
files/         Every attached file, named by the SHA-256 of its bytes. Original names and
               types are in manifest.json and index.html.

How to verify it
----------------
This export is sealed by ${manifest.centre.name}'s own signing key, whose fingerprint is

    ${manifest.centre.signingKey.fingerprint}

Compare it with the fingerprint your centre published (its admins see it in the app); only
that comparison shows the export came from the centre and not from someone with a key of
their own. With the app (Node 20 or later, from a copy of the ICT Portfolio source):

    npm ci
    npm run verify -- path/to/this-export.zip --centre-key ${manifest.centre.signingKey.fingerprint}

Without --centre-key it prints the fingerprint of the key that sealed the export for you to
compare. It prints every problem, naming the evidence item (title and id) or the decision (id,
kind and signer), and exits with status 1; with none it prints a summary and exits with status 0.
It checks:

  1. the centre's seal: signature.json is the centre key's signature over manifest.json and
     index.html, icttech.html and README.txt, so no record, decision, key, scope or page was
     added, removed or changed after the export was made;
  2. every signing key carries the centre's certificate of its owner, role, registration and
     revocation times;
  3. every file's SHA-256 equals its name, and its size the size manifest.json lists;
  4. every decision's ECDSA P-256 signature verifies with the certified key it names, that key
     belongs to the signer (same user and role), the decision is dated in UTC, not after the key
     was revoked (a decision signed before a revocation stays valid: the key was good then),
     not more than 30 days before the centre registered the key (devices sign offline and
     register their key at the next sync), and not after the export; it is about the learner
     and enrolment of every item it covers;
  5. every item signed off (its latest assessment accepted it) still has the content, files and
     criteria the assessor signed, and shows as signed off; an IQA lock names an IQA decision
     that agreed with the item;
  6. manifest.json matches the export format (version ${manifest.version}).

By hand, with other tools:

  - Files: sha256sum files/*   (each line's hash must equal the file name).
  - The seal: signature.json's "signature" (base64url, IEEE P1363 r||s) is an ECDSA P-256 /
    SHA-256 signature by its "centreKey" (a JWK; the fingerprint is its RFC 7638 thumbprint)
    over the RFC 8785 canonical JSON of signature.json without "signature"; "manifestSha256" is
    the SHA-256 hex of the RFC 8785 canonical JSON of manifest.json, and "pages" the SHA-256 hex
    of each page's bytes.
  - Key certificates: each key's "certificate" is the centre key's signature over the canonical
    JSON of { type: "ict-portfolio-device-key-certificate", v: 1, keyId, userId, name, role,
    centreId, publicKey: { crv, kty, x, y }, createdAt, revokedAt }.
  - Decisions: each decision's signature (base64url, IEEE P1363 r||s) is an ECDSA P-256 /
    SHA-256 signature over the RFC 8785 canonical JSON of:
      { v: 1, id, kind, outcome, learnerId, enrolmentId, unitId, subjectId,
        evidence: [{ id, contentHash, attachments (sorted) }] sorted by id,
        criterionIds (unique, sorted), feedback, signer: { userId, name, role }, signedFor,
        drawnSignature: SHA-256 hex of the drawn signature's data URL text (or null),
        signedAt, keyId }
    using the public key (JWK) listed under "keys" with that keyId.
  - An item's contentHash is the SHA-256 hex of the RFC 8785 canonical JSON of its
    { title, narrative, activityDate, method, hours, offTheJob, kind, questions, witness,
      recordedBy: { userId, name, role } or null }.

The keys that signed decisions in this export (RFC 7638 JWK thumbprints), each certified by
the centre key above:

${keys.join('\n') || '  (none: nothing in this export is signed)'}

Declarations, IQA decisions and unit sign-offs cover the items as they were when signed. An item
that was assessed again later (referred and resubmitted, or reopened) is checked against its
latest assessment; the earlier decisions are checked by their signatures.
`;
}
