import { useLocation } from 'preact-iso';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { todayIso } from '../../domain/dates';
import { emptyEvidenceContent, type AttachmentRef, type Evidence, type EvidenceContent, type WitnessDetails } from '../../domain/evidence';
import {
  addAttachments,
  contentOf,
  getEvidence,
  recordAssessorEvidence,
  removeAttachment,
  submitEvidence,
  submitProblems,
  updateEvidence,
  type AssessorEvidenceKind,
} from '../../data/evidence';
import { useLive } from '../../data/live';
import { KIND_WORDS } from '../assessor-words';
import { mappingOf, useCaseloadLearner, type CaseloadPortfolio } from '../caseload-live';
import { AddingFiles, AttachmentInputs, AttachmentList } from '../components/AttachmentList';
import { AudioRecorder } from '../components/AudioRecorder';
import { CriterionPicker } from '../components/CriterionPicker';
import { StatusTag } from '../components/EvidenceRow';
import { ErrorMessage, LiveView } from '../components/feedback';
import { Page } from '../components/Page';
import { NotSavedAlert, SaveStatusLine, type SaveState } from '../components/SaveStatus';
import { SignaturePad } from '../components/SignaturePad';
import { clearRescuedDraft, rescueDraft } from '../draft-rescue';
import { useAccount } from '../services';
import { useWriteQueue } from '../write-queue';

const KINDS: readonly AssessorEvidenceKind[] = ['observation', 'professional-discussion', 'questioning', 'witness-testimony'];

const NARRATIVE: Record<AssessorEvidenceKind, { label: string; hint: string }> = {
  observation: { label: 'What you observed', hint: 'What the learner did, how, and to what standard; the setting and anyone else involved.' },
  'professional-discussion': { label: 'Summary of the discussion', hint: 'The topics covered and what the learner showed they know and can do. The recording, if any, is below.' },
  questioning: { label: 'Context', hint: 'Why and where the questions were asked, for example after an observed task. The questions and answers go below.' },
  'witness-testimony': { label: "Witness's statement", hint: "In the witness's words: what they saw the learner do, when, and how well." },
};

type Field = 'title' | 'narrative' | 'activityDate' | 'hours' | 'criterionIds' | 'questions' | 'witness.name' | 'witness.jobTitle' | 'witness.relationship' | 'witness.signature';
const FIELD_IDS: Record<Field, string> = {
  title: 'record-title',
  narrative: 'record-narrative',
  activityDate: 'record-date',
  hours: 'record-hours',
  criterionIds: 'record-criteria-search',
  questions: 'record-question-0',
  'witness.name': 'witness-name',
  'witness.jobTitle': 'witness-job',
  'witness.relationship': 'witness-relationship',
  'witness.signature': 'witness-pad-keyboard',
};

interface Problem {
  field: Field;
  message: string;
}

const EMPTY_WITNESS: WitnessDetails = { name: '', jobTitle: '', relationship: '', signature: null, signedAt: null };

function startingContent(kind: AssessorEvidenceKind): EvidenceContent {
  return {
    ...emptyEvidenceContent(),
    kind,
    method: kind,
    activityDate: todayIso(),
    questions: kind === 'questioning' ? [{ question: '', answer: '' }] : [],
    witness: kind === 'witness-testimony' ? { ...EMPTY_WITNESS } : null,
  };
}

const EDITED_FIELDS = ['title', 'narrative', 'activityDate', 'hours', 'offTheJob', 'criterionIds', 'questions', 'witness'] as const;

function changed(saved: EvidenceContent, current: EvidenceContent): Partial<EvidenceContent> {
  const patch: Record<string, unknown> = {};
  for (const f of EDITED_FIELDS) if (JSON.stringify(saved[f]) !== JSON.stringify(current[f])) patch[f] = current[f];
  return patch as Partial<EvidenceContent>;
}

/** Everything an assessor's record needs before it can be submitted, in words, each tied to its field. */
export function recordProblems(content: EvidenceContent): Problem[] {
  const problems: Problem[] = [];
  const known = new Set<Field>(['title', 'narrative', 'activityDate', 'hours', 'criterionIds']);
  for (const p of submitProblems(content as Evidence))
    if (known.has(p.field as Field)) problems.push({ field: p.field as Field, message: content.kind === 'witness-testimony' && p.field === 'narrative' ? "Write the witness's statement" : p.message });
  if (content.kind === 'questioning' && !content.questions.some((q) => q.question.trim() && q.answer.trim()))
    problems.push({ field: 'questions', message: 'Write at least one question with the answer the learner gave' });
  if (content.kind === 'witness-testimony') {
    const w = content.witness ?? EMPTY_WITNESS;
    if (!w.name.trim()) problems.push({ field: 'witness.name', message: "Enter the witness's name" });
    if (!w.jobTitle.trim()) problems.push({ field: 'witness.jobTitle', message: "Enter the witness's job title" });
    if (!w.relationship.trim()) problems.push({ field: 'witness.relationship', message: 'Say how the witness knows the learner’s work' });
    if (!w.signature) problems.push({ field: 'witness.signature', message: 'Ask the witness to sign in the signature box' });
  }
  return problems;
}

function focusById(id: string) {
  const el = document.getElementById(id);
  el?.scrollIntoView?.({ block: 'center' });
  el?.focus();
}

function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string | undefined; children: (describedBy: string | undefined) => ComponentChildren }) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="error-text" id={`${id}-error`}>
          {error}
        </span>
      )}
      {children(describedBy)}
    </div>
  );
}

function RecordForm({ portfolio, kind, initialId, onCreated }: { portfolio: CaseloadPortfolio; kind: AssessorEvidenceKind; initialId: string | null; onCreated: (id: string) => void }) {
  const { learner, spec, icttech } = portfolio;
  const { signIn } = useAccount();
  const { units, targets } = useMemo(() => mappingOf(spec, learner.enrolment.optionalUnitIds, icttech), [spec, learner.enrolment, icttech]);
  const { serial, pending, slow } = useWriteQueue();
  const [item, setItem] = useState<Evidence | null>(null);
  const [content, setContent] = useState<EvidenceContent | null>(initialId ? null : startingContent(kind));
  const [hoursText, setHoursText] = useState('0');
  const [hoursError, setHoursError] = useState<string | null>(null);
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'none' });
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [adding, setAdding] = useState<{ files: Array<{ name: string; size: number }>; fraction: number | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const idRef = useRef<string | null>(initialId);
  const contentRef = useRef<EvidenceContent | null>(content);
  const savedRef = useRef<EvidenceContent>(startingContent(kind));
  const summaryRef = useRef<HTMLDivElement>(null);
  const mountedRef = useRef(true);
  useEffect(() => () => void (mountedRef.current = false), []);

  const live = useLive(() => (initialId ? getEvidence(initialId) : Promise.resolve(null)), [initialId]);
  useEffect(() => {
    if (live.status !== 'ready' || !live.value || contentRef.current !== null) return;
    const c = contentOf(live.value);
    savedRef.current = c;
    contentRef.current = c;
    setItem(live.value);
    setContent(c);
    setHoursText(String(c.hours));
  }, [live]);

  const persist = async () => {
    const current = contentRef.current!;
    if (!idRef.current) {
      const created = await recordAssessorEvidence(learner.enrolment.id, kind, current);
      idRef.current = created.id;
      savedRef.current = contentOf(created);
      setItem(created);
      if (mountedRef.current) onCreated(created.id);
      return;
    }
    const patch = changed(savedRef.current, current);
    if (Object.keys(patch).length === 0) return;
    const stored = await updateEvidence(idRef.current, patch);
    savedRef.current = contentOf(stored);
    setItem(stored);
  };

  const save = (): Promise<boolean> =>
    serial(persist).then(
      () => {
        setSaveState({ kind: 'saved' });
        if (idRef.current) clearRescuedDraft(idRef.current);
        return true;
      },
      (error: unknown) => {
        console.error(error);
        const rescued = rescueDraft(idRef.current ?? `record:${learner.enrolment.id}:${kind}`, contentRef.current!);
        setSaveState({ kind: 'failed', error, rescued });
        return false;
      },
    );

  const change = (patch: Partial<EvidenceContent>) => {
    const next = { ...contentRef.current!, ...patch };
    contentRef.current = next;
    setContent(next);
    setNotice(null);
    setProblems((shown) => {
      if (!shown) return shown;
      const remaining = new Set(recordProblems(next).map((p) => p.field));
      return shown.filter((p) => remaining.has(p.field));
    });
    void save();
  };

  const changeWitness = (patch: Partial<WitnessDetails>) => change({ witness: { ...(contentRef.current!.witness ?? EMPTY_WITNESS), ...patch } });

  const onHours = (text: string) => {
    setHoursText(text);
    const value = text.trim() === '' ? 0 : Number(text.trim());
    if (!Number.isFinite(value) || value < 0 || value > 1000) {
      setHoursError('Enter the hours as a number from 0 to 1,000, for example 1.5');
      return;
    }
    setHoursError(null);
    if (value !== contentRef.current!.hours) change({ hours: value });
  };

  const attach = async (files: File[]) => {
    setActionError(null);
    setAdding({ files: files.map((f) => ({ name: f.name, size: f.size })), fraction: null });
    try {
      if (!(await save()) || !idRef.current) throw new Error('Save what you typed first, then add the files again.');
      const id = idRef.current;
      const stored = await serial(() => addAttachments(id, files, (fraction) => setAdding((now) => (now ? { ...now, fraction } : now))));
      setItem(stored);
      savedRef.current = contentOf(stored);
      contentRef.current = { ...contentRef.current!, attachments: stored.attachments };
      setContent(contentRef.current);
      setNotice(files.length === 1 ? `Added ${files[0]!.name}.` : `Added ${files.length} files.`);
    } finally {
      setAdding(null);
    }
  };

  const detach = async (attachment: AttachmentRef) => {
    const id = idRef.current;
    if (!id) return;
    setActionError(null);
    try {
      const stored = await serial(() => removeAttachment(id, attachment.id));
      setItem(stored);
      contentRef.current = { ...contentRef.current!, attachments: stored.attachments };
      setContent(contentRef.current);
      setNotice(`Removed ${attachment.name}.`);
    } catch (error) {
      setActionError(error);
    }
  };

  const submit = async () => {
    setActionError(null);
    setNotice(null);
    const found = recordProblems(contentRef.current!);
    if (found.length > 0) {
      setProblems(found);
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setProblems(null);
    setBusy(true);
    try {
      if (!(await save()) || !idRef.current) return;
      const id = idRef.current;
      setItem(await serial(() => submitEvidence(id)));
      setNotice('Submitted. It is now in the learner’s portfolio, awaiting your review and sign-off.');
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(false);
    }
  };

  if (content === null) {
    if (live.status === 'error') return <ErrorMessage error={live.error} title="Could not open this record" />;
    if (live.status === 'ready' && live.value === null) return <p>This record is not on this tablet.</p>;
    return (
      <p role="status" class="muted">
        Loading the record…
      </p>
    );
  }

  const form = content;
  const frozen = !!item && (item.status === 'signed-off' || item.status === 'accepted' || !!item.deletedAt);
  const problemFor = (field: Field) => problems?.find((p) => p.field === field)?.message;
  const witness = form.witness ?? EMPTY_WITNESS;
  const learnerHref = `/caseload/${encodeURIComponent(learner.learnerId)}`;

  if (frozen)
    return (
      <div class="banner info">
        <p>This record is signed off, so it can no longer be changed.</p>
        {item && (
          <a class="standalone-link" href={`/review/${item.id}`}>
            See it
          </a>
        )}
      </div>
    );

  return (
    <>
      <div class="small save-line">
        {item && <StatusTag evidence={item} />}
        <SaveStatusLine saveState={saveState} pending={pending} slow={slow} stored={!!item} idleText="Saves on this tablet as you type." />
      </div>
      {saveState.kind === 'failed' && (
        <NotSavedAlert error={saveState.error} rescued={saveState.rescued}>
          <button type="button" class="button" onClick={() => void save()}>
            Try saving again
          </button>
        </NotSavedAlert>
      )}
      {actionError !== null && <ErrorMessage error={actionError} title="That did not work" />}
      {notice && (
        <div class="banner ok" role="status">
          <p>{notice}</p>
          {item?.status === 'submitted' && (
            <a class="button" href={`/review/${item.id}`}>
              Review and sign off now
            </a>
          )}
        </div>
      )}
      {problems && problems.length > 0 && (
        <div class="banner error" ref={summaryRef} tabIndex={-1} aria-labelledby="record-problems-heading" data-testid="record-problems">
          <h2 id="record-problems-heading">Before you can submit this</h2>
          <ul>
            {problems.map((p) => (
              <li key={p.field}>
                <a
                  class="standalone-link"
                  href={`#${FIELD_IDS[p.field]}`}
                  onClick={(e) => {
                    e.preventDefault();
                    focusById(FIELD_IDS[p.field]);
                  }}
                >
                  {p.message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}

      <section class="card" aria-labelledby="record-details-heading">
        <h2 id="record-details-heading">{KIND_WORDS[kind]}</h2>
        <p class="small muted">
          Recorded by {signIn?.user.name ?? 'you'} for {learner.name}.
        </p>
        <Field id={FIELD_IDS.title} label="Title" hint="A short name, for example “Observed: server room fault finding”." error={problemFor('title')}>
          {(d) => <input id={FIELD_IDS.title} type="text" maxLength={300} autocomplete="off" value={form.title} aria-describedby={d} aria-invalid={problemFor('title') ? 'true' : undefined} onInput={(e) => change({ title: e.currentTarget.value })} />}
        </Field>
        {kind === 'witness-testimony' && (
          <fieldset class="witness" id="evidence-witness">
            <legend class="label">The witness</legend>
            <Field id={FIELD_IDS['witness.name']} label="Witness's name" error={problemFor('witness.name')}>
              {(d) => <input id={FIELD_IDS['witness.name']} type="text" maxLength={200} autocomplete="off" value={witness.name} aria-describedby={d} onInput={(e) => changeWitness({ name: e.currentTarget.value })} />}
            </Field>
            <Field id={FIELD_IDS['witness.jobTitle']} label="Job title" error={problemFor('witness.jobTitle')}>
              {(d) => <input id={FIELD_IDS['witness.jobTitle']} type="text" maxLength={200} autocomplete="off" value={witness.jobTitle} aria-describedby={d} onInput={(e) => changeWitness({ jobTitle: e.currentTarget.value })} />}
            </Field>
            <Field id={FIELD_IDS['witness.relationship']} label="How they know the learner's work" hint="For example: line manager for 8 months." error={problemFor('witness.relationship')}>
              {(d) => <input id={FIELD_IDS['witness.relationship']} type="text" maxLength={500} autocomplete="off" value={witness.relationship} aria-describedby={d} onInput={(e) => changeWitness({ relationship: e.currentTarget.value })} />}
            </Field>
          </fieldset>
        )}
        <Field id={FIELD_IDS.narrative} label={NARRATIVE[kind].label} hint={NARRATIVE[kind].hint} error={problemFor('narrative')}>
          {(d) => <textarea id={FIELD_IDS.narrative} rows={8} maxLength={100_000} value={form.narrative} aria-describedby={d} aria-invalid={problemFor('narrative') ? 'true' : undefined} onInput={(e) => change({ narrative: e.currentTarget.value })} />}
        </Field>
        <div class="grid">
          <Field id={FIELD_IDS.activityDate} label="Date of the activity" error={problemFor('activityDate')}>
            {(d) => <input id={FIELD_IDS.activityDate} type="date" max={todayIso()} value={form.activityDate ?? ''} aria-describedby={d} onInput={(e) => change({ activityDate: e.currentTarget.value || null })} />}
          </Field>
          <Field id={FIELD_IDS.hours} label="Hours" hint="How long it took, for example 1.5." error={hoursError ?? undefined}>
            {(d) => <input id={FIELD_IDS.hours} type="number" inputMode="decimal" min={0} max={1000} step={0.25} value={hoursText} aria-describedby={d} onInput={(e) => onHours(e.currentTarget.value)} />}
          </Field>
        </div>
        <label class="check" for="record-off-the-job">
          <input id="record-off-the-job" type="checkbox" checked={form.offTheJob} onChange={(e) => change({ offTheJob: e.currentTarget.checked })} />
          <span>These were off-the-job hours for the learner</span>
        </label>
      </section>

      {kind === 'questioning' && (
        <section class="card" aria-labelledby="questions-heading">
          <h2 id="questions-heading">Questions and answers</h2>
          {problemFor('questions') && <p class="error-text">{problemFor('questions')}</p>}
          <ol class="qa-list">
            {form.questions.map((qa, i) => (
              <li key={i}>
                <div class="field">
                  <label for={`record-question-${i}`}>Question {i + 1}</label>
                  <textarea
                    id={`record-question-${i}`}
                    rows={2}
                    maxLength={5_000}
                    value={qa.question}
                    onInput={(e) => change({ questions: form.questions.map((x, j) => (j === i ? { ...x, question: e.currentTarget.value } : x)) })}
                  />
                </div>
                <div class="field">
                  <label for={`record-answer-${i}`}>Learner's answer to question {i + 1}</label>
                  <textarea
                    id={`record-answer-${i}`}
                    rows={3}
                    maxLength={20_000}
                    value={qa.answer}
                    onInput={(e) => change({ questions: form.questions.map((x, j) => (j === i ? { ...x, answer: e.currentTarget.value } : x)) })}
                  />
                </div>
                {form.questions.length > 1 && (
                  <button
                    type="button"
                    class="button secondary"
                    onClick={() => {
                      change({ questions: form.questions.filter((_, j) => j !== i) });
                      requestAnimationFrame(() => document.getElementById('add-question')?.focus());
                    }}
                  >
                    Remove question {i + 1}
                  </button>
                )}
              </li>
            ))}
          </ol>
          <button
            type="button"
            id="add-question"
            class="button secondary"
            disabled={form.questions.length >= 200}
            onClick={() => {
              const next = form.questions.length;
              change({ questions: [...form.questions, { question: '', answer: '' }] });
              requestAnimationFrame(() => document.getElementById(`record-question-${next}`)?.focus());
            }}
          >
            Add a question
          </button>
        </section>
      )}

      <section class="card" aria-labelledby="record-files-heading">
        <h2 id="record-files-heading">Files</h2>
        {kind === 'professional-discussion' && (
          <AudioRecorder id="discussion-audio" baseName="professional-discussion" onRecorded={(file) => attach([file])} />
        )}
        <AttachmentInputs
          idPrefix="record-attach"
          onFiles={(files) =>
            void attach(files).catch((error: unknown) => {
              console.error(error);
              setActionError(error);
            })
          }
        />
        {adding && <AddingFiles files={adding.files} fraction={adding.fraction} />}
        <AttachmentList attachments={form.attachments} onRemove={(a) => void detach(a)} />
      </section>

      {kind === 'witness-testimony' && (
        <section class="card" aria-labelledby="witness-sign-heading">
          <h2 id="witness-sign-heading">Witness's signature</h2>
          <p class="small muted">Hand the tablet to the witness to read their statement above and sign it.</p>
          <SignaturePad
            id="witness-pad"
            label={`Signature of ${witness.name.trim() || 'the witness'}`}
            signerName={witness.name.trim() || 'the witness'}
            value={witness.signature}
            error={problemFor('witness.signature') ?? null}
            onChange={(signature) => changeWitness({ signature, signedAt: signature ? new Date().toISOString() : null })}
          />
        </section>
      )}

      <section class="card" aria-labelledby="record-criteria-heading">
        <h2 id="record-criteria-heading">Criteria this evidence covers</h2>
        {problemFor('criterionIds') && (
          <p class="error-text" id="record-criteria-error">
            {problemFor('criterionIds')}
          </p>
        )}
        <CriterionPicker
          targets={targets}
          units={units}
          selected={form.criterionIds}
          onChange={(ids) => change({ criterionIds: ids })}
          searchId={FIELD_IDS.criterionIds}
          {...(problemFor('criterionIds') ? { errorId: 'record-criteria-error' } : {})}
        />
      </section>

      <div class="actions">
        {(!item || item.status === 'draft' || item.status === 'referred') && (
          <button type="button" class="button" disabled={busy} onClick={() => void submit()}>
            {busy ? 'Submitting…' : 'Submit for sign-off'}
          </button>
        )}
        <a class="button secondary" href={learnerHref}>
          {item ? 'Done for now: back to the learner' : 'Back to the learner'}
        </a>
      </div>
    </>
  );
}

/**
 * Routes /caseload/:learnerId/record/:kind and .../:evidenceId. The first keystroke creates the
 * record and the URL gains its id; the form is keyed so that change does not remount it.
 */
export default function RecordEvidence({ learnerId, kind, evidenceId }: { learnerId: string; kind: string; evidenceId?: string }) {
  const { signIn } = useAccount();
  const { route } = useLocation();
  const today = todayIso();
  const live = useCaseloadLearner(learnerId, today);
  const created = useRef<string | null>(null);
  const known = KINDS.includes(kind as AssessorEvidenceKind) ? (kind as AssessorEvidenceKind) : null;
  const ownSession = !evidenceId || evidenceId === created.current;
  const formKey = ownSession ? 'new' : `item-${evidenceId}`;
  if (signIn?.user.role !== 'assessor')
    return (
      <Page title="Record evidence">
        <p>Recording evidence for a learner is for assessors. Sign in with an assessor account.</p>
      </Page>
    );
  if (!known)
    return (
      <Page title="Record evidence">
        <p>There is no kind of evidence called “{kind}”. Choose observation, professional discussion, questioning or witness testimony from the learner's page.</p>
      </Page>
    );
  return (
    <Page title={`${KIND_WORDS[known]}${live.status === 'ready' && live.value ? `: ${live.value.learner.name}` : ''}`}>
      <p>
        <a class="standalone-link" href={`/caseload/${encodeURIComponent(learnerId)}`}>
          Back to the learner
        </a>
      </p>
      <LiveView live={live} what="the learner's portfolio">
        {(portfolio) =>
          portfolio ? (
            <RecordForm
              key={formKey}
              portfolio={portfolio}
              kind={known}
              initialId={ownSession ? null : evidenceId!}
              onCreated={(id) => {
                created.current = id;
                route(`/caseload/${encodeURIComponent(learnerId)}/record/${known}/${id}`, true);
              }}
            />
          ) : (
            <p>This learner is not on your caseload on this tablet. Sync and try again.</p>
          )
        }
      </LiveView>
    </Page>
  );
}
