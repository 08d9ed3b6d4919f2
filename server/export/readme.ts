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
With the app (Node 20 or later, from a copy of the ICT Portfolio source):

    npm ci
    npm run verify -- path/to/this-export.zip

It prints every problem, naming the evidence item (title and id) or the decision (id, kind and
signer), and exits with status 1; with none it prints a summary and exits with status 0. It checks:

  1. every file's SHA-256 equals its name;
  2. every decision's ECDSA P-256 signature verifies with the key it names, that key is in the
     export and belongs to the signer (same user and role), and was not revoked before signing;
  3. every item signed off (its latest assessment accepted it) still has the content, files and
     criteria the assessor signed, and shows as signed off;
  4. manifest.json matches the export format.

By hand, with other tools:

  - Files: sha256sum files/*   (each line's hash must equal the file name).
  - Signatures: each decision's signature (base64url, IEEE P1363 r||s) is an ECDSA P-256 /
    SHA-256 signature over the RFC 8785 canonical JSON of:
      { v: 1, id, kind, outcome, learnerId, enrolmentId, unitId, subjectId,
        evidence: [{ id, contentHash, attachments (sorted) }] sorted by id,
        criterionIds (unique, sorted), feedback, signer: { userId, name, role }, signedFor,
        drawnSignature: SHA-256 hex of the drawn signature's data URL text (or null),
        signedAt, keyId }
    using the public key (JWK) listed under "keys" with that keyId.
  - An item's contentHash is the SHA-256 hex of the RFC 8785 canonical JSON of its
    { title, narrative, activityDate, method, hours, offTheJob, kind, questions, witness }.

The keys prove who signed only as far as you trust that the keys are theirs. Ask the centre to
confirm the fingerprints (RFC 7638 JWK thumbprints) of the keys that signed this export:

${keys.join('\n') || '  (none: nothing in this export is signed)'}

Declarations, IQA decisions and unit sign-offs cover the items as they were when signed. An item
that was assessed again later (referred and resubmitted, or reopened) is checked against its
latest assessment; the earlier decisions are checked by their signatures.
`;
}
