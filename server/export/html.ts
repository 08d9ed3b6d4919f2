import { assessmentMethodLabel } from '../../src/domain/assessment-methods';
import { formatDate } from '../../src/domain/dates';
import type { ExportManifest, ExportedEvidence } from '../../src/domain/export-manifest';
import { groupByIctTech, STATUS_WORDS, type IctTechSummary } from '../../src/domain/icttech';
import type { CompetenceStandard, QualificationSpec } from '../../src/domain/qualification';
import { unitLabel } from '../../src/domain/qualification';
import { unitName } from '../../src/domain/rules';
import type { Decision } from '../../src/domain/signoff';
import { competenceTargets, enrolledUnitIds, mappingTargets } from '../../src/domain/specs';
import { decisionLabel, formatFinding, readableTime, type VerifyResult } from '../../src/domain/verify';

/**
 * index.html and icttech.html of an EQA export: plain, self-contained pages that open from the
 * unzipped folder in any browser with no network. No script; inline CSS; images and links point
 * only at files/ beside them (the CSP meta forbids anything else); every piece of learner text
 * is escaped.
 */

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const CSP = "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #505a5f; --line: #b1b4b6; --ok: #00703c; --bad: #d4351c; --note: #f3f2f1; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 60rem; padding: 1rem; }
h1 { font-size: 1.8rem; margin: 0.5rem 0; } h2 { font-size: 1.4rem; margin-top: 2rem; border-bottom: 2px solid var(--ink); } h3 { font-size: 1.15rem; } h4 { font-size: 1rem; margin-bottom: 0.25rem; }
a { color: #1d70b8; } a:focus { outline: 3px solid #fd0; background: #fd0; color: #0b0c0c; }
.muted { color: var(--muted); } .small { font-size: 0.9rem; }
.card { border: 1px solid var(--line); border-radius: 4px; padding: 0.75rem 1rem; margin: 1rem 0; break-inside: avoid; }
.pass { border-left: 8px solid var(--ok); } .fail { border-left: 8px solid var(--bad); }
.tag { display: inline-block; padding: 0 0.4rem; border: 1px solid currentColor; border-radius: 3px; font-size: 0.85rem; white-space: nowrap; }
.tag.signed-off { color: var(--ok); } .tag.referred { color: var(--bad); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--note); padding: 0.5rem 0.75rem; border-radius: 4px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.5rem 0; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
img.attachment { max-width: 100%; max-height: 30rem; display: block; margin: 0.5rem 0; border: 1px solid var(--line); }
img.drawn { max-width: 18rem; max-height: 8rem; background: #fff; border: 1px solid var(--line); display: block; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; } th, td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
code { font-size: 0.85rem; overflow-wrap: anywhere; }
nav ul { padding-left: 1.2rem; }
@media (max-width: 40rem) { dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: 0.5rem; } }
@media print { body { max-width: none; font-size: 11pt; } a { color: inherit; text-decoration: none; } nav, .no-print { display: none; } h2 { break-after: avoid; } .card { border-color: #777; } }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const KIND_WORDS: Record<ExportedEvidence['kind'], string> = {
  learner: 'Written by the learner',
  observation: 'Observation by the assessor',
  'professional-discussion': 'Professional discussion recorded by the assessor',
  questioning: 'Questioning recorded by the assessor',
  'witness-testimony': 'Witness testimony taken by the assessor',
};

const OUTCOME_WORDS: Record<Decision['outcome'], string> = {
  accepted: 'Accepted: signed off',
  referred: 'Referred back to the learner',
  reopened: 'Sign-off withdrawn (reopened)',
  declared: 'Declared to be the learner’s own work',
  agreed: 'IQA agreed with the decision',
  action: 'IQA asked the assessor to act',
  'signed-off': 'Signed off',
};

const DECISION_KIND_WORDS: Record<Decision['kind'], string> = {
  assessment: 'Assessment',
  declaration: 'Declaration of authenticity',
  iqa: 'Internal quality assurance',
  unit: 'Unit sign-off',
  qualification: 'Qualification sign-off',
};

function status(item: Pick<ExportedEvidence, 'status' | 'deletedAt'>): string {
  if (item.deletedAt) return `<span class="tag">Deleted ${esc(readableTime(item.deletedAt))}</span>`;
  return `<span class="tag ${esc(item.status)}">${esc(STATUS_WORDS[item.status])}</span>`;
}

function title(item: Pick<ExportedEvidence, 'title'>): string {
  return esc(item.title.trim() || 'Untitled');
}

function bytes(size: number): string {
  if (size < 1024) return `${size} bytes`;
  if (size < 1024 ** 2) return `${(size / 1024).toFixed(1)} KB`;
  if (size < 1024 ** 3) return `${(size / 1024 ** 2).toFixed(1)} MB`;
  return `${(size / 1024 ** 3).toFixed(2)} GB`;
}

/** Images a browser shows in place; SVG can carry script, so it is a link like any other file. */
function showsInline(type: string): boolean {
  const base = type.split(';')[0]!.trim().toLowerCase();
  return base.startsWith('image/') && base !== 'image/svg+xml';
}

function order(a: { activityDate: string | null; createdAt: string; id: string }, b: typeof a): number {
  const da = a.activityDate ?? a.createdAt.slice(0, 10);
  const db = b.activityDate ?? b.createdAt.slice(0, 10);
  return da.localeCompare(db) || a.id.localeCompare(b.id);
}

export interface RenderInput {
  manifest: ExportManifest;
  specs: Map<string, QualificationSpec>;
  icttech: CompetenceStandard | null;
  /** Key id to RFC 7638 fingerprint. */
  fingerprints: Map<string, string>;
  /** The checks run while the export was built. */
  checks: VerifyResult;
}

function checksSection(checks: VerifyResult): string {
  const c = checks.checked;
  const summary = `${c.files} files, ${c.evidence} evidence items, ${c.decisions} decisions (${c.signaturesValid} signatures valid), ${c.signedOffItems} signed-off items, ${c.keys} keys.`;
  const list = (items: VerifyResult['findings']) => `<ul>${items.map((f) => `<li>${esc(formatFinding(f))}</li>`).join('')}</ul>`;
  return `<section id="checks" aria-labelledby="checks-h">
<h2 id="checks-h">Checks made when this export was built</h2>
<div class="card ${checks.ok ? 'pass' : 'fail'}">
<p><strong>${checks.ok ? 'Passed: everything signed still matches what was signed.' : `Failed: ${checks.findings.length} problem${checks.findings.length === 1 ? '' : 's'} found.`}</strong></p>
<p class="small">Checked: ${esc(summary)}</p>
${checks.findings.length > 0 ? list(checks.findings) : ''}
${checks.notes.length > 0 ? `<h3>Notes (not failures)</h3>${list(checks.notes)}` : ''}
<p class="small muted">This page was written by the centre. Check the export yourself, independently of it, as README.txt describes (<code>npm run verify -- FILE.zip</code>).</p>
</div>
</section>`;
}

function decisionCard(d: Decision, manifest: ExportManifest, fingerprints: Map<string, string>, items: Map<string, ExportedEvidence>): string {
  const key = manifest.keys.find((k) => k.id === d.keyId);
  const criteria = Object.entries(d.feedback.criteria).filter(([, text]) => text.trim() !== '');
  const covered = d.evidence.map((e) => {
    const item = items.get(e.id);
    return `<li>${item ? `<a href="#ev-${esc(e.id)}">${title(item)}</a>` : `Evidence ${esc(e.id)} (not in this export)`} <span class="small muted">content SHA-256 <code>${esc(e.contentHash)}</code>${e.attachments.length > 0 ? `, ${e.attachments.length} file${e.attachments.length === 1 ? '' : 's'}` : ''}</span></li>`;
  });
  return `<article class="card" id="d-${esc(d.id)}">
<h3>${esc(DECISION_KIND_WORDS[d.kind])}: ${esc(OUTCOME_WORDS[d.outcome])}</h3>
<dl class="facts">
<dt>Signed by</dt><dd>${esc(d.signer.name)} (${esc(d.signer.role)})${d.signedFor ? `, drawn by ${esc(d.signedFor)}` : ''}</dd>
<dt>Signed at</dt><dd>${esc(readableTime(d.signedAt))}</dd>
${d.unitId ? `<dt>Unit</dt><dd>${esc(d.unitId)}</dd>` : ''}
${d.subjectId ? `<dt>Decision sampled</dt><dd><a href="#d-${esc(d.subjectId)}">${esc(d.subjectId)}</a></dd>` : ''}
<dt>Key</dt><dd><code>${esc(d.keyId)}</code>${key ? `, fingerprint <code>${esc(fingerprints.get(key.id) ?? '')}</code>${key.revokedAt ? ` <span class="tag referred">revoked ${esc(readableTime(key.revokedAt))}</span>` : ''}` : ' <strong>(not in this export)</strong>'}</dd>
<dt>Decision id</dt><dd><code>${esc(d.id)}</code></dd>
${d.criterionIds.length > 0 ? `<dt>Criteria</dt><dd>${d.criterionIds.map(esc).join(', ')}</dd>` : ''}
</dl>
${d.feedback.overall.trim() ? `<h4>Feedback</h4><div class="text">${esc(d.feedback.overall)}</div>` : ''}
${criteria.length > 0 ? `<h4>Feedback on criteria</h4><ul>${criteria.map(([id, text]) => `<li><strong>${esc(id)}</strong>: <span class="text">${esc(text)}</span></li>`).join('')}</ul>` : ''}
${covered.length > 0 ? `<h4>Covers</h4><ul>${covered.join('')}</ul>` : ''}
${d.drawnSignature ? `<h4>Drawn signature</h4><img class="drawn" src="${esc(d.drawnSignature)}" alt="Drawn signature of ${esc(d.signedFor ?? d.signer.name)}">` : ''}
</article>`;
}

function evidenceCard(item: ExportedEvidence, labels: Map<string, string>, about: Decision[]): string {
  const facts = [
    ['Status', status(item)],
    ['Made', esc(KIND_WORDS[item.kind]) + (item.recordedBy ? ` (${esc(item.recordedBy.name)})` : '')],
    ['Activity date', item.activityDate ? esc(formatDate(item.activityDate)) : 'Not given'],
    ['Assessment method', item.method ? esc(assessmentMethodLabel(item.method)) : 'Not given'],
    ['Hours', `${item.hours}${item.offTheJob ? ' (off-the-job)' : ''}`],
    ['Created / last changed', `${esc(readableTime(item.createdAt))} / ${esc(readableTime(item.updatedAt))}`],
    ['Evidence id', `<code>${esc(item.id)}</code> (revision ${item.revision})`],
  ];
  if (item.iqaLock) facts.push(['IQA lock', `Agreed by IQA ${esc(readableTime(item.iqaLock.at))} (<a href="#d-${esc(item.iqaLock.decisionId)}">decision</a>)`]);
  const attachments = item.attachments.map((a) => {
    const link = `<a href="${esc(a.path)}" download="${esc(a.name)}">${esc(a.name)}</a> <span class="small muted">${esc(a.type || 'unknown type')}, ${bytes(a.size)}, SHA-256 <code>${esc(a.id)}</code></span>`;
    return `<li>${link}${showsInline(a.type) ? `<img class="attachment" src="${esc(a.path)}" alt="${esc(a.name)}">` : ''}</li>`;
  });
  const witness = item.witness
    ? `<h4>Witness</h4><dl class="facts"><dt>Name</dt><dd>${esc(item.witness.name)}</dd><dt>Job title</dt><dd>${esc(item.witness.jobTitle)}</dd><dt>Relationship</dt><dd>${esc(item.witness.relationship)}</dd>${item.witness.signedAt ? `<dt>Signed</dt><dd>${esc(readableTime(item.witness.signedAt))}</dd>` : ''}</dl>${item.witness.signature ? `<img class="drawn" src="${esc(item.witness.signature)}" alt="Drawn signature of ${esc(item.witness.name)}">` : ''}`
    : '';
  const questions = item.questions.length
    ? `<h4>Questions and answers</h4><ol>${item.questions.map((q) => `<li><p><strong>${esc(q.question)}</strong></p><div class="text">${esc(q.answer)}</div></li>`).join('')}</ol>`
    : '';
  return `<article class="card" id="ev-${esc(item.id)}">
<h3>${title(item)}</h3>
<dl class="facts">${facts.map(([dt, dd]) => `<dt>${dt}</dt><dd>${dd}</dd>`).join('')}</dl>
<h4>${item.kind === 'witness-testimony' ? 'Statement' : 'Account'}</h4>
<div class="text">${esc(item.narrative) || '<span class="muted">Empty</span>'}</div>
${questions}${witness}
<h4>Mapped to</h4>
${item.criterionIds.length > 0 ? `<ul>${item.criterionIds.map((id) => `<li>${esc(labels.get(id) ?? id)}</li>`).join('')}</ul>` : '<p class="muted">No criteria</p>'}
${attachments.length > 0 ? `<h4>Files</h4><ul>${attachments.join('')}</ul>` : ''}
${about.length > 0 ? `<h4>Decisions</h4><ul>${about.map((d) => `<li><a href="#d-${esc(d.id)}">${esc(readableTime(d.signedAt))}: ${esc(DECISION_KIND_WORDS[d.kind])}, ${esc(OUTCOME_WORDS[d.outcome])}, ${esc(d.signer.name)}</a></li>`).join('')}</ul>` : ''}
</article>`;
}

function enrolmentSection(enrolment: ExportManifest['enrolments'][number], spec: QualificationSpec | undefined, items: ExportedEvidence[], decisions: Decision[]): string {
  const head = `<h3>${esc(spec?.title ?? enrolment.qualificationId)} (${esc(enrolment.qualificationId)}), spec version ${enrolment.qualificationVersion}</h3>
<dl class="facts"><dt>Registered</dt><dd>${esc(formatDate(enrolment.startDate))}</dd><dt>Planned end</dt><dd>${esc(formatDate(enrolment.plannedEndDate))}</dd><dt>Off-the-job hours planned</dt><dd>${enrolment.plannedOffTheJobHoursPerWeek} a week</dd></dl>`;
  if (!spec) return `${head}<p class="card fail">The centre does not hold spec ${esc(enrolment.qualificationId)} version ${enrolment.qualificationVersion}, so the units cannot be listed.</p>`;
  const live = items.filter((i) => i.enrolmentId === enrolment.id && i.deletedAt === null);
  const byCriterion = new Map<string, ExportedEvidence[]>();
  for (const item of live) for (const id of new Set(item.criterionIds)) byCriterion.set(id, [...(byCriterion.get(id) ?? []), item]);
  const units = enrolledUnitIds(spec, enrolment.optionalUnitIds).map((id) => spec.units.find((u) => u.id === id)!);
  const unitHtml = units.map((unit) => {
    const signOffs = decisions.filter((d) => d.kind === 'unit' && d.unitId === unit.id && d.enrolmentId === enrolment.id);
    const outcomes = unit.outcomes.map((o) => {
      const criteria = o.criteria.map((c) => {
        const evidence = (byCriterion.get(c.id) ?? []).sort(order);
        return `<li><strong>${esc(c.number)}</strong> ${esc(c.text)}<br>${evidence.length > 0 ? evidence.map((e) => `<a href="#ev-${esc(e.id)}">${title(e)}</a> ${status(e)}`).join('; ') : '<span class="muted">No evidence</span>'}</li>`;
      });
      return `<h5>Outcome ${o.number}: ${esc(o.title)}</h5><ul>${criteria.join('')}</ul>`;
    });
    return `<section class="card"><h4>${esc(unitLabel(unit))}: ${esc(unitName(spec, unit))}${unit.mandatory ? ' <span class="small muted">(mandatory)</span>' : ''}</h4>
${unit.completeness !== 'complete' ? `<p class="small muted">The centre’s spec does not hold all of this unit’s content (${esc(unit.completeness)}). ${esc(unit.sourceNote)}</p>` : ''}
${signOffs.map((d) => `<p><a href="#d-${esc(d.id)}">Unit signed off by ${esc(d.signer.name)} on ${esc(readableTime(d.signedAt))}</a></p>`).join('')}
${outcomes.join('')}</section>`;
  });
  const qualification = decisions.filter((d) => d.kind === 'qualification' && d.enrolmentId === enrolment.id);
  return `${head}${qualification.map((d) => `<p class="card pass"><a href="#d-${esc(d.id)}">Qualification signed off by ${esc(d.signer.name)} on ${esc(readableTime(d.signedAt))}</a></p>`).join('')}
<h4>Units, criteria and the evidence for each</h4>${unitHtml.join('')}`;
}

function criterionLabels(specs: Iterable<QualificationSpec>, icttech: CompetenceStandard | null): Map<string, string> {
  const labels = new Map<string, string>();
  for (const spec of specs)
    for (const t of mappingTargets(
      spec,
      spec.units.map((u) => u.id),
    ))
      labels.set(t.id, `${t.label}: ${t.text}`);
  if (icttech) for (const t of competenceTargets(icttech)) labels.set(t.id, `${t.label}: ${t.text}`);
  return labels;
}

function subjectWords(manifest: ExportManifest): string {
  const names = manifest.learners.map((l) => l.name).join(', ') || 'no learners';
  return manifest.scope.type === 'learner' ? `Portfolio of ${names}` : `IQA sample ${manifest.scope.planId} (${names})`;
}

export function renderIndexHtml(input: RenderInput): string {
  const { manifest, specs, icttech, fingerprints, checks } = input;
  const items = new Map(manifest.evidence.map((e) => [e.id, e]));
  const sortedDecisions = [...manifest.decisions].sort((a, b) => a.signedAt.localeCompare(b.signedAt) || a.id.localeCompare(b.id));
  const labels = criterionLabels(specs.values(), icttech);
  const heading = subjectWords(manifest);

  const learners = manifest.learners.map((learner) => {
    const enrolments = manifest.enrolments.filter((e) => e.learnerId === learner.id);
    const mine = manifest.evidence.filter((e) => e.learnerId === learner.id).sort(order);
    const decisions = sortedDecisions.filter((d) => d.learnerId === learner.id);
    return `<section id="learner-${esc(learner.id)}" aria-labelledby="learner-${esc(learner.id)}-h">
<h2 id="learner-${esc(learner.id)}-h">${esc(learner.name)}</h2>
${enrolments.map((e) => enrolmentSection(e, specs.get(`${e.qualificationId}@${e.qualificationVersion}`), mine, decisions)).join('') || '<p>No enrolment in this export.</p>'}
<h3>Evidence of ${esc(learner.name)} (${mine.length})</h3>
${mine.map((item) => evidenceCard(item, labels, decisions.filter((d) => d.evidence.some((e) => e.id === item.id)))).join('') || '<p>No evidence.</p>'}
</section>`;
  });

  const keys = manifest.keys
    .map(
      (k) =>
        `<tr><td>${esc(k.name)} (${esc(k.role)})</td><td><code>${esc(k.id)}</code></td><td><code>${esc(fingerprints.get(k.id) ?? '')}</code></td><td>${esc(readableTime(k.createdAt))}</td><td>${k.revokedAt ? esc(readableTime(k.revokedAt)) : 'No'}</td></tr>`,
    )
    .join('');
  const auditRows = manifest.audit
    .map(
      (a) =>
        `<tr><td>${esc(readableTime(a.at))}</td><td>${esc(a.user ? `${a.user.name} (${a.user.role})` : 'The centre')}</td><td>${esc(a.deviceLabel ?? a.deviceId ?? '')}</td><td>${esc(a.action)}</td><td>${esc(a.entity ?? '')} <code>${esc(a.recordId ?? '')}</code></td></tr>`,
    )
    .join('');

  const body = `<header>
<p class="muted">${esc(manifest.centre.name)} · export for external quality assurance</p>
<h1>${esc(heading)}</h1>
<p>Exported ${esc(readableTime(manifest.exportedAt))} by ${esc(manifest.exportedBy.name)} (${esc(manifest.exportedBy.role)}). See also <a href="icttech.html">the ICTTech summary</a> and README.txt.</p>
<nav aria-label="Contents"><ul>
<li><a href="#checks">Checks</a></li>
${manifest.learners.map((l) => `<li><a href="#learner-${esc(l.id)}">${esc(l.name)}</a></li>`).join('')}
<li><a href="#decisions">Decisions (${manifest.decisions.length})</a></li>
<li><a href="#keys">Signing keys (${manifest.keys.length})</a></li>
<li><a href="#audit">Audit trail (${manifest.audit.length})</a></li>
</ul></nav>
</header>
<main>
${checksSection(checks)}
${learners.join('\n')}
<section id="decisions" aria-labelledby="decisions-h"><h2 id="decisions-h">Decisions, oldest first</h2>
${sortedDecisions.map((d) => decisionCard(d, manifest, fingerprints, items)).join('\n') || '<p>No decisions yet.</p>'}
</section>
<section id="keys" aria-labelledby="keys-h"><h2 id="keys-h">Signing keys</h2>
<p class="small">Each decision is signed (ECDSA P-256) by a key made on the signer’s device, and each key is certified by the centre’s own key, which also seals this whole export (signature.json). The centre key’s fingerprint (RFC 7638 thumbprint) is <code>${esc(manifest.centre.signingKey.fingerprint)}</code>: compare it with the one ${esc(manifest.centre.name)} published, or run <code>npm run verify -- FILE.zip --centre-key ${esc(manifest.centre.signingKey.fingerprint)}</code>.</p>
${keys ? `<table><thead><tr><th scope="col">Owner</th><th scope="col">Key id</th><th scope="col">Fingerprint</th><th scope="col">Registered</th><th scope="col">Revoked</th></tr></thead><tbody>${keys}</tbody></table>` : '<p>No keys: nothing in this export is signed.</p>'}
</section>
<section id="audit" aria-labelledby="audit-h"><h2 id="audit-h">Audit trail</h2>
${auditRows ? `<table><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Device</th><th scope="col">Action</th><th scope="col">Record</th></tr></thead><tbody>${auditRows}</tbody></table>` : '<p>No audit entries.</p>'}
</section>
</main>`;
  return page(`${heading} · ${manifest.centre.name}`, body);
}

function ictTechLearner(id: string, name: string, summary: IctTechSummary): string {
  const t = summary.totals;
  const headings = summary.headings.map(
    (h) => `<section class="card"><h3>${esc(h.code)}. ${esc(h.title)} <span class="small muted">(${h.covered} of ${h.competences.length} competences evidenced)</span></h3>
${h.competences
  .map(
    (c) => `<h4>${esc(c.code)} ${esc(c.text)}</h4>
${
  c.items.length === 0
    ? '<p class="muted">No evidence mapped yet.</p>'
    : `<table><thead><tr><th scope="col">Evidence</th><th scope="col">Status</th><th scope="col">Activity date</th><th scope="col">Signed off</th></tr></thead><tbody>${c.items
        .map(
          (i) =>
            `<tr><td><a href="index.html#ev-${esc(i.id)}">${esc(i.title)}</a></td><td>${esc(STATUS_WORDS[i.status])}</td><td>${i.activityDate ? esc(formatDate(i.activityDate)) : 'Not given'}</td><td>${i.signedOffAt ? esc(readableTime(i.signedOffAt)) : '—'}</td></tr>`,
        )
        .join('')}</tbody></table>`
}`,
  )
  .join('')}</section>`,
  );
  return `<section aria-labelledby="ict-${esc(id)}"><h2 id="ict-${esc(id)}">${esc(name)}</h2>
<p>${t.covered} of ${t.competences} competences have evidence; ${t.coveredBySignedOff} have signed-off evidence. ${t.items} item${t.items === 1 ? '' : 's'} mapped to ICTTech; ${t.notMapped} other item${t.notMapped === 1 ? ' is' : 's are'} mapped only to qualification criteria or to nothing yet.</p>
<p class="small muted">${esc(summary.mappingNote)}</p>
${headings.join('')}</section>`;
}

export function renderIctTechHtml(manifest: ExportManifest, icttech: CompetenceStandard | null): string {
  const heading = `ICTTech summary: ${manifest.learners.map((l) => l.name).join(', ') || 'no learners'}`;
  if (!icttech) return page(heading, `<h1>${esc(heading)}</h1><p>The centre holds no ICTTech standard, so no summary could be made.</p>`);
  const learners = manifest.learners.map((l) =>
    ictTechLearner(
      l.id,
      l.name,
      groupByIctTech(
        icttech,
        manifest.evidence.filter((e) => e.learnerId === l.id),
        manifest.decisions.filter((d) => d.learnerId === l.id),
      ),
    ),
  );
  const body = `<header><p class="muted">${esc(manifest.centre.name)} · ${esc(icttech.title)}, ${esc(icttech.body)}, version ${icttech.version}</p>
<h1>${esc(heading)}</h1>
<p>Evidence grouped under the ICTTech competences A to E, ready to support a registration application. Exported ${esc(readableTime(manifest.exportedAt))}. Each item links to its full record in <a href="index.html">index.html</a>.</p>
${icttech.note ? `<p class="small muted">${esc(icttech.note)}</p>` : ''}</header>
<main>${learners.join('')}</main>`;
  return page(heading, body);
}
