import { useMemo, useRef, useState } from 'preact/hooks';
import type { StoredDecision } from '../../data/db';
import { decisionsForLearner, recordDeclaration, signOffQualification, signOffUnit } from '../../data/decisions';
import { useLive } from '../../data/live';
import { assessmentMethodLabel } from '../../domain/assessment-methods';
import { formatDate, todayIso } from '../../domain/dates';
import type { Evidence, EvidenceKind, EvidenceStatus } from '../../domain/evidence';
import type { AuditEntry } from '../../domain/audit';
import { computeProgress, type QualificationProgress } from '../../domain/progress';
import type { QualificationSpec } from '../../domain/qualification';
import { checkRulesOfCombination } from '../../domain/rules';
import { useCaseloadLearner, type CaseloadPortfolio } from '../caseload-live';
import { AuditTrail } from '../components/AuditTrail';
import { atCentre } from '../components/DecisionSummary';
import { formatDateTime } from '../components/EvidenceHistory';
import { StatusTag } from '../components/EvidenceRow';
import { ErrorMessage, LiveView } from '../components/feedback';
import { Page } from '../components/Page';
import { RagTag } from '../components/RagTag';
import { DECLARATION_TEXT, KIND_WORDS, SIGNED_HERE } from '../assessor-words';
import { SignOffPanel } from '../components/SignOffPanel';
import { UnitCard, pct } from '../components/UnitProgress';
import { useAccount } from '../services';

const RECORDABLE: Array<Exclude<EvidenceKind, 'learner'>> = ['observation', 'professional-discussion', 'questioning', 'witness-testimony'];

/** Awaiting review first: it is what a visit is for. */
const GROUPS: Array<{ key: string; title: string; statuses: EvidenceStatus[]; empty: string }> = [
  { key: 'awaiting', title: 'Awaiting your review', statuses: ['submitted'], empty: 'Nothing is waiting for your review.' },
  { key: 'referred', title: 'Referred back to the learner', statuses: ['referred'], empty: 'Nothing is referred back.' },
  { key: 'drafts', title: 'Drafts (not submitted yet)', statuses: ['draft'], empty: 'No drafts on this tablet.' },
  { key: 'signed-off', title: 'Signed off', statuses: ['signed-off', 'accepted'], empty: 'Nothing signed off yet.' },
];

function isAssessorRecorded(item: Evidence): boolean {
  return item.recordedBy !== null && item.kind !== 'learner';
}

/** Where an assessor opens an item: their own records open for editing until submitted; everything else opens for review. */
export function reviewHref(item: Evidence): string {
  return `/review/${item.id}`;
}

function recordHref(learnerId: string, item: Evidence): string {
  return `/caseload/${encodeURIComponent(learnerId)}/record/${item.kind}/${item.id}`;
}

function EvidenceItem({ item, learnerId }: { item: Evidence; learnerId: string }) {
  const details = [
    isAssessorRecorded(item) ? `${KIND_WORDS[item.kind]} by ${item.recordedBy!.name}` : null,
    item.activityDate ? formatDate(item.activityDate) : 'No date yet',
    item.method && !isAssessorRecorded(item) ? assessmentMethodLabel(item.method) : null,
    `${item.criterionIds.length} ${item.criterionIds.length === 1 ? 'criterion' : 'criteria'}`,
    item.attachments.length > 0 ? `${item.attachments.length} ${item.attachments.length === 1 ? 'file' : 'files'}` : null,
  ].filter(Boolean);
  const title = item.title.trim() || 'Untitled';
  const editable = isAssessorRecorded(item) && (item.status === 'draft' || item.status === 'referred');
  return (
    <li class="assessor-item">
      <a class="list-link" href={editable ? recordHref(learnerId, item) : reviewHref(item)}>
        <span class="list-title">{title}</span> <StatusTag evidence={item} />
        <span class="small muted" style={{ display: 'block' }}>
          {details.join(' · ')}
        </span>
      </a>
      {isAssessorRecorded(item) && item.status === 'submitted' && (
        <a class="button secondary" href={recordHref(learnerId, item)}>
          Edit<span class="visually-hidden"> {title}</span>
        </a>
      )}
    </li>
  );
}

function EvidenceGroups({ evidence, learnerId }: { evidence: Evidence[]; learnerId: string }) {
  const live = evidence.filter((e) => !e.deletedAt);
  return (
    <section class="card" aria-labelledby="assessor-evidence-heading">
      <h2 id="assessor-evidence-heading">Evidence</h2>
      {GROUPS.map((group) => {
        // Oldest submission first within "awaiting": first come, first reviewed.
        const items = live.filter((e) => group.statuses.includes(e.status));
        if (group.key === 'awaiting') items.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
        return (
          <section key={group.key} aria-labelledby={`group-${group.key}`} data-testid={`evidence-group-${group.key}`}>
            <h3 id={`group-${group.key}`}>
              {group.title} ({items.length})
            </h3>
            {items.length === 0 ? (
              <p class="small muted">{group.empty}</p>
            ) : (
              <ul class="list">
                {items.map((item) => (
                  <EvidenceItem key={item.id} item={item} learnerId={learnerId} />
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </section>
  );
}

function DeclarationPanel({
  portfolio,
  decisions,
  onDone,
  onCancel,
}: {
  portfolio: CaseloadPortfolio;
  decisions: StoredDecision[];
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const { learner, evidence } = portfolio;
  // The learner declares their own items: what the assessor recorded is the assessor's.
  const candidates = useMemo(() => evidence.filter((e) => !e.deletedAt && e.status !== 'draft' && !isAssessorRecorded(e)), [evidence]);
  const declared = useMemo(() => new Set(decisions.filter((d) => d.kind === 'declaration').flatMap((d) => d.evidenceIds)), [decisions]);
  const [chosen, setChosen] = useState<string[]>(() => candidates.filter((e) => !declared.has(e.id)).map((e) => e.id));
  const toggle = (id: string) => setChosen((now) => (now.includes(id) ? now.filter((x) => x !== id) : [...now, id]));

  const blockers = chosen.length === 0 ? ['Choose at least one item for the declaration to cover.'] : [];
  return (
    <SignOffPanel
      id="declaration"
      heading={`${learner.name}'s declaration`}
      summary={[
        { label: 'Learner', value: learner.name },
        { label: 'Items covered', value: `${chosen.length} of ${candidates.length}` },
        { label: 'Signed by', value: `${learner.name}, on this tablet` },
      ]}
      signerLabel={`${learner.name}'s signature`}
      signerName={learner.name}
      confirmLabel="Record the declaration"
      blockers={blockers}
      onCancel={onCancel}
      onSign={async (drawnSignature) => {
        await recordDeclaration({ enrolmentId: learner.enrolment.id, evidenceIds: chosen, drawnSignature, signedFor: learner.name });
        onDone(`${learner.name}'s declaration is recorded. ${SIGNED_HERE}`);
      }}
    >
      <blockquote class="declaration-text" data-testid="declaration-text">
        {DECLARATION_TEXT}
      </blockquote>
      {candidates.length === 0 ? (
        <p>The learner has no submitted evidence on this tablet for a declaration to cover.</p>
      ) : (
        <fieldset>
          <legend class="label">Evidence this declaration covers</legend>
          {candidates.map((item) => (
            <label class="check" key={item.id}>
              <input type="checkbox" checked={chosen.includes(item.id)} onChange={() => toggle(item.id)} />
              <span>
                {item.title.trim() || 'Untitled'}
                <span class="small muted">
                  {' '}
                  ({item.activityDate ? formatDate(item.activityDate) : 'no date'}
                  {declared.has(item.id) ? '; already declared' : ''})
                </span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <p class="small muted">Hand the tablet to {learner.name} to read the declaration and sign it themselves.</p>
    </SignOffPanel>
  );
}

/** What still stands between the learner and a qualification sign-off, in words; empty when nothing does. */
export function qualificationBlockers(spec: QualificationSpec, progress: QualificationProgress, signedOffUnitIds: ReadonlySet<string>): string[] {
  const blockers: string[] = [];
  const unsigned = progress.units.filter((u) => !signedOffUnitIds.has(u.unitId));
  if (unsigned.length > 0)
    blockers.push(
      `${unsigned.length === 1 ? 'This unit is' : `These ${unsigned.length} units are`} not signed off yet: ${unsigned.map((u) => `“${u.title}”`).join(', ')}.`,
    );
  if (!progress.qualification.rulesMetByAchieved) {
    const achievedOptional = progress.units.filter((u) => !u.mandatory && u.achieved).map((u) => u.unitId);
    const problems = checkRulesOfCombination(spec, achievedOptional).problems.map((p) => p.message);
    if (problems.length > 0) blockers.push(`The rules of combination of ${spec.id} are not met yet: ${problems.join(' ')}`);
    else if (unsigned.length === 0) blockers.push(`The units achieved do not meet the rules of combination of ${spec.id} yet.`);
  }
  return blockers;
}

function QualificationSignOff({
  portfolio,
  progress,
  decisions,
  unitSignOffs,
  open,
  onOpen,
  onCancel,
  onDone,
}: {
  portfolio: CaseloadPortfolio;
  progress: QualificationProgress;
  decisions: StoredDecision[];
  unitSignOffs: Map<string, StoredDecision>;
  open: boolean;
  onOpen: () => void;
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const { signIn } = useAccount();
  const { learner, spec } = portfolio;
  const signed = decisions.find((d) => d.kind === 'qualification');
  const blockers = useMemo(() => qualificationBlockers(spec, progress, new Set(unitSignOffs.keys())), [spec, progress, unitSignOffs]);
  const q = progress.qualification;
  const unitsSigned = progress.units.filter((u) => unitSignOffs.has(u.unitId)).length;
  return (
    <section class="card" aria-labelledby="qualification-heading" data-testid="qualification-sign-off">
      <h2 id="qualification-heading">Qualification sign-off</h2>
      {signed ? (
        <p>
          <span class="tag ok">Qualification signed off</span> by {signed.signer.name} on {formatDateTime(signed.signedAt)}
          {!atCentre(signed) && '; waiting to reach the centre'}.
        </p>
      ) : blockers.length > 0 ? (
        <>
          <p>
            {learner.qualificationTitle} can be signed off once every unit is signed off and the rules of combination are met ({unitsSigned} of {progress.units.length} units signed
            off; {q.creditsAchieved} of {q.creditsRequired} credits).
          </p>
          <ul data-testid="qualification-missing">
            {blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </>
      ) : open ? (
        <SignOffPanel
          id="qualification"
          heading={`Sign off ${learner.name}'s qualification`}
          summary={[
            { label: 'Learner', value: learner.name },
            { label: 'Qualification', value: learner.qualificationTitle },
            { label: 'Units', value: `All ${progress.units.length} signed off` },
            { label: 'Credits', value: `${q.creditsAchieved} of ${q.creditsRequired}` },
            { label: 'Outcome', value: 'Qualification signed off' },
          ]}
          signerLabel="Your signature"
          signerName={signIn!.user.name}
          confirmLabel="Sign off the qualification"
          onCancel={onCancel}
          onSign={async (drawnSignature) => {
            await signOffQualification(learner.enrolment.id, drawnSignature);
            onDone(`${learner.name}'s qualification is signed off. ${SIGNED_HERE}`);
          }}
        />
      ) : (
        <>
          <p>Every unit is signed off and the rules of combination are met.</p>
          <button type="button" class="button" onClick={onOpen}>
            Sign off the qualification
          </button>
        </>
      )}
    </section>
  );
}

function LearnerView({ portfolio, decisions, decisionsError }: { portfolio: CaseloadPortfolio; decisions: StoredDecision[]; decisionsError: Error | null }) {
  const { signIn } = useAccount();
  const { learner, spec, evidence } = portfolio;
  const me = signIn!.user;
  const progress = useMemo(() => computeProgress(spec, learner.enrolment.optionalUnitIds, evidence), [spec, learner.enrolment, evidence]);
  const titles = useMemo(() => new Map(evidence.map((e) => [e.id, e.title])), [evidence]);
  const [panel, setPanel] = useState<null | { kind: 'declaration' } | { kind: 'unit'; unitId: string } | { kind: 'qualification' }>(null);
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  const unitSignOffs = useMemo(() => new Map(decisions.filter((d) => d.kind === 'unit' && d.unitId).map((d) => [d.unitId!, d])), [decisions]);
  const declarations = decisions.filter((d) => d.kind === 'declaration');
  const q = progress.qualification;
  const unitTitles = useMemo(() => new Map(spec.units.map((u) => [u.id, u.title])), [spec]);
  /** What an audit entry is about, in the words of this page: an item's title, a unit's. */
  const about = (entry: AuditEntry): string | null => {
    const itemTitle = (id: unknown) => (typeof id === 'string' && titles.has(id) ? `“${titles.get(id)!.trim() || 'Untitled'}”` : null);
    if (entry.entity === 'evidence') return itemTitle(entry.recordId);
    if (entry.entity === 'decision') {
      const { unitId, evidenceIds } = entry.detail;
      if (typeof unitId === 'string') return `“${unitTitles.get(unitId) ?? unitId}”`;
      if (Array.isArray(evidenceIds)) return evidenceIds.length === 1 ? itemTitle(evidenceIds[0]) : `${evidenceIds.length} items`;
    }
    return null;
  };

  const finish = (message: string) => {
    setPanel(null);
    setDone(message);
    requestAnimationFrame(() => doneRef.current?.focus());
  };

  return (
    <>
      <div class="caseload-status" style={{ marginBottom: '1rem' }}>
        <RagTag rag={learner.rag} />
        <span>{learner.ragReason}</span>
      </div>
      {done && (
        <div class="banner ok" role="status" tabIndex={-1} ref={doneRef} data-testid="signed-notice">
          <p>{done}</p>
        </div>
      )}
      {decisionsError && <ErrorMessage error={decisionsError} title="Could not read the decisions on this tablet" />}

      <section class="card" aria-labelledby="record-heading">
        <h2 id="record-heading">Record evidence</h2>
        <p class="small muted">Evidence you record goes into {learner.name}'s portfolio, mapped to criteria, for you to sign off.</p>
        <div class="actions" style={{ marginTop: 0 }}>
          {RECORDABLE.map((kind) => (
            <a key={kind} class="button secondary" href={`/caseload/${encodeURIComponent(learner.learnerId)}/record/${kind}`}>
              {KIND_WORDS[kind]}
            </a>
          ))}
        </div>
      </section>

      <section class="card" aria-labelledby="declaration-heading">
        <h2 id="declaration-heading">Declaration of authenticity</h2>
        <p>
          {declarations.length === 0
            ? `${learner.name} has not signed a declaration yet.`
            : `Last signed ${formatDateTime(declarations.at(-1)!.signedAt)}, covering ${declarations.at(-1)!.evidenceIds.length} items.`}
        </p>
        {panel?.kind !== 'declaration' && (
          <button type="button" class="button secondary" onClick={() => setPanel({ kind: 'declaration' })}>
            Collect {learner.name}'s declaration
          </button>
        )}
      </section>
      {panel?.kind === 'declaration' && <DeclarationPanel portfolio={portfolio} decisions={decisions} onDone={finish} onCancel={() => setPanel(null)} />}

      <EvidenceGroups evidence={evidence} learnerId={learner.learnerId} />

      <h2>Units</h2>
      <p class="small muted">
        {q.criteriaAssessed} of {q.criteriaTotal} criteria assessed ({pct(q.criteriaAssessed, q.criteriaTotal)}%); {q.creditsAchieved} of {q.creditsRequired} credits;{' '}
        {progress.units.filter((u) => unitSignOffs.has(u.unitId)).length} of {progress.units.length} units signed off.
      </p>
      {progress.units.map((unit) => {
        const signedOff = unitSignOffs.get(unit.unitId);
        return (
          <UnitCard key={unit.unitId} unit={unit} titles={titles} evidenceHref={(id) => `/review/${id}`}>
            <div class="unit-sign-off">
              {signedOff ? (
                <p class="small">
                  <span class="tag ok">Unit signed off</span> by {signedOff.signer.name} on {formatDateTime(signedOff.signedAt)}
                  {!atCentre(signedOff) && '; waiting to reach the centre'}.
                </p>
              ) : unit.achieved ? (
                panel?.kind === 'unit' && panel.unitId === unit.unitId ? (
                  <SignOffPanel
                    id={`unit-${unit.unitId.replace(/[^a-zA-Z0-9_-]/g, '_')}`}
                    heading={`Sign off ${unit.title}`}
                    summary={[
                      { label: 'Learner', value: learner.name },
                      { label: 'Unit', value: `${unit.title}${unit.reference ? ` (${unit.reference})` : ''}` },
                      { label: 'Criteria', value: `All ${unit.criteriaTotal} met by signed-off evidence` },
                      { label: 'Outcome', value: 'Unit signed off' },
                    ]}
                    signerLabel="Your signature"
                    signerName={me.name}
                    confirmLabel="Sign off the unit"
                    onCancel={() => setPanel(null)}
                    onSign={async (drawnSignature) => {
                      await signOffUnit(learner.enrolment.id, unit.unitId, drawnSignature);
                      finish(`${unit.title} is signed off. ${SIGNED_HERE}`);
                    }}
                  />
                ) : (
                  <button type="button" class="button" onClick={() => setPanel({ kind: 'unit', unitId: unit.unitId })}>
                    Sign off this unit
                  </button>
                )
              ) : (
                <p class="small muted">
                  Sign-off opens when every criterion is met by signed-off evidence ({unit.criteriaAssessed} of {unit.criteriaTotal} so far
                  {unit.specIncomplete ? '; this unit’s full content is not on this tablet' : ''}).
                </p>
              )}
            </div>
          </UnitCard>
        );
      })}

      <QualificationSignOff
        portfolio={portfolio}
        progress={progress}
        decisions={decisions}
        unitSignOffs={unitSignOffs}
        open={panel?.kind === 'qualification'}
        onOpen={() => setPanel({ kind: 'qualification' })}
        onCancel={() => setPanel(null)}
        onDone={finish}
      />

      <AuditTrail
        subject={{ learnerId: learner.learnerId }}
        heading={`Audit trail: ${learner.name}`}
        intro="Every change and decision about this learner's portfolio that has reached the centre, newest first."
        recordLabel={about}
      />
    </>
  );
}

function WithDecisions({ portfolio }: { portfolio: CaseloadPortfolio }) {
  const live = useLive(() => decisionsForLearner(portfolio.learner.learnerId), [portfolio.learner.learnerId]);
  if (live.status === 'loading') return <LearnerView portfolio={portfolio} decisions={[]} decisionsError={null} />;
  return <LearnerView portfolio={portfolio} decisions={live.status === 'ready' ? live.value : []} decisionsError={live.status === 'error' ? live.error : null} />;
}

/** Route /caseload/:learnerId: one learner's portfolio as their assessor works through it. */
export default function AssessorLearner({ learnerId }: { learnerId: string }) {
  const { signIn } = useAccount();
  const today = todayIso();
  const live = useCaseloadLearner(learnerId, today);
  if (signIn?.user.role !== 'assessor')
    return (
      <Page title="Learner">
        <p>This page is for assessors. Sign in with an assessor account to see your learners.</p>
      </Page>
    );
  const title = live.status === 'ready' && live.value ? live.value.learner.name : 'Learner';
  const lead =
    live.status === 'ready' && live.value
      ? [live.value.learner.employer.trim(), `${live.value.learner.qualificationTitle}`, `planned end ${formatDate(live.value.learner.plannedEndDate)}`]
          .filter(Boolean)
          .join(' · ')
      : undefined;
  return (
    <Page title={title} lead={lead}>
      <p>
        <a class="standalone-link" href="/caseload">
          Back to your caseload
        </a>
      </p>
      <LiveView live={live} what="the learner's portfolio">
        {(value) =>
          value ? (
            <WithDecisions portfolio={value} />
          ) : (
            <p>This learner is not on your caseload on this tablet. If they were added recently, sync and try again.</p>
          )
        }
      </LiveView>
    </Page>
  );
}
