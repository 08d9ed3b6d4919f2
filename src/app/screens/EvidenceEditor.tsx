import { useLocation } from 'preact-iso';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ASSESSMENT_METHODS, type AssessmentMethodId } from '../../domain/assessment-methods';
import { todayIso } from '../../domain/dates';
import { EvidenceContent, emptyEvidenceContent, type AttachmentRef, type Evidence, type EvidenceHistoryEntry } from '../../domain/evidence';
import type { MappingTarget, Unit } from '../../domain/qualification';
import { competenceTargets, enrolledUnitIds, mappingTargets } from '../../domain/specs';
import {
  EvidenceIncompleteError,
  EvidenceLockedError,
  addAttachments,
  getEvidence,
  contentOf,
  createEvidence,
  deleteEvidence,
  removeAttachment,
  resolveConflict,
  restoreEvidence,
  restoreVersion,
  submitEvidence,
  submitProblems,
  updateEvidence,
  type ConflictChoice,
  type SubmitProblem,
} from '../../data/evidence';
import { useLive } from '../../data/live';
import { AddingFiles, AttachmentInputs, AttachmentList } from '../components/AttachmentList';
import { AuditTrail } from '../components/AuditTrail';
import { ConflictNotice } from '../components/ConflictNotice';
import { LatestDecision } from '../components/DecisionSummary';
import { NotSavedAlert, SaveStatusLine, type SaveState } from '../components/SaveStatus';
import { CriterionPicker } from '../components/CriterionPicker';
import { ContentSummary, EvidenceHistory, formatDateTime } from '../components/EvidenceHistory';
import { StatusTag } from '../components/EvidenceRow';
import { ErrorMessage, LiveView } from '../components/feedback';
import { Page } from '../components/Page';
import { clearRescuedDraft, newDraftRescueKey, peekRescuedDraft, rescueDraft, type RescuedDraft } from '../draft-rescue';
import { usePortfolio, type Portfolio } from '../portfolio';
import { useAccount } from '../services';
import { useWriteQueue } from '../write-queue';

type Field = keyof EvidenceContent;
const CONTENT_FIELDS = Object.keys(EvidenceContent.shape) as Field[];
/** Attachments change only through addAttachments/removeAttachment, never through the typing diff. */
const TYPED_FIELDS = CONTENT_FIELDS.filter((f) => f !== 'attachments');
const LOCKED: ReadonlySet<Evidence['status']> = new Set(['accepted', 'signed-off']);

/** Where each field lives, so a problem can link to (and focus) it. */
const FIELD_IDS: Record<Field, string> = {
  title: 'evidence-title',
  narrative: 'evidence-narrative',
  activityDate: 'evidence-date',
  method: 'evidence-method',
  hours: 'evidence-hours',
  offTheJob: 'evidence-off-the-job',
  attachments: 'attach-files',
  criterionIds: 'criteria-search',
  kind: 'evidence-title',
  questions: 'evidence-questions',
  witness: 'evidence-witness',
};

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameContent(a: EvidenceContent, b: EvidenceContent, fields: readonly Field[] = CONTENT_FIELDS): boolean {
  return fields.every((f) => same(a[f], b[f]));
}

function typedPatch(saved: EvidenceContent, current: EvidenceContent): Partial<EvidenceContent> {
  const patch: Record<string, unknown> = {};
  for (const field of TYPED_FIELDS) if (!same(saved[field], current[field])) patch[field] = current[field];
  return patch as Partial<EvidenceContent>;
}

function problemsOf(content: EvidenceContent): SubmitProblem[] {
  // submitProblems only reads the content fields.
  return submitProblems(content as Evidence);
}

function focusById(id: string) {
  const el = document.getElementById(id);
  if (!el) return;
  el.scrollIntoView?.({ block: 'center' });
  el.focus();
}

/**
 * Routes /evidence/new and /evidence/:id. After the first keystroke on /evidence/new the item is
 * created and the URL becomes /evidence/<id>; the form below is keyed by a value that survives that
 * change, so it is not remounted and the user's focus, caret and typing carry on undisturbed.
 */
export default function EvidenceEditor({ id }: { id?: string }) {
  const portfolio = usePortfolio();
  const { route } = useLocation();
  const requested = id && id !== 'new' ? id : undefined;
  const session = useRef<{ n: number; createdId: string | null }>({ n: 1, createdId: null });
  // Back on /evidence/new after creating one: that is a fresh item, so a fresh form.
  if (requested === undefined && session.current.createdId !== null) session.current = { n: session.current.n + 1, createdId: null };
  const ownSession = requested === undefined || requested === session.current.createdId;
  const formKey = ownSession ? `new-${session.current.n}` : `item-${requested}`;

  const onCreated = (createdId: string) => {
    session.current.createdId = createdId;
    route(`/evidence/${createdId}`, true);
  };

  return (
    <LiveView live={portfolio} what="your portfolio">
      {(value) =>
        value ? (
          <EditorForm key={formKey} initialId={ownSession ? null : requested!} portfolio={value} onCreated={onCreated} />
        ) : (
          <Page title="Log evidence">
            <p>
              <a href="/enrol">Set up your portfolio</a> before logging evidence.
            </p>
          </Page>
        )
      }
    </LiveView>
  );
}

interface Adding {
  files: Array<{ name: string; size: number }>;
  /** Share of the bytes hashed so far; null until the first slice is done. */
  fraction: number | null;
}

function EditorForm({ initialId, portfolio, onCreated }: { initialId: string | null; portfolio: Portfolio; onCreated: (id: string) => void }) {
  const { route } = useLocation();
  const { signIn } = useAccount();
  const { spec, enrolment, icttech } = portfolio;

  const { units, targets } = useMemo(() => {
    const unitIds = enrolledUnitIds(spec, enrolment.optionalUnitIds);
    const byId = new Map(spec.units.map((u) => [u.id, u]));
    const units = unitIds.map((uid) => byId.get(uid)).filter((u): u is Unit => !!u);
    const targets: MappingTarget[] = [...mappingTargets(spec, unitIds), ...(icttech ? competenceTargets(icttech) : [])];
    return { units, targets };
  }, [spec, enrolment.optionalUnitIds, icttech]);
  const labelOf = useMemo(() => {
    const labels = new Map(targets.map((t) => [t.id, t.label]));
    return (cid: string) => labels.get(cid) ?? cid;
  }, [targets]);

  const [itemId, setItemId] = useState<string | null>(initialId);
  const [item, setItem] = useState<Evidence | null>(null);
  const [content, setContent] = useState<EvidenceContent | null>(initialId ? null : emptyEvidenceContent());
  const [hoursText, setHoursText] = useState('0');
  const [hoursError, setHoursError] = useState<string | null>(null);
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'none' });
  const { serial, pending, slow, busy: writesQueued } = useWriteQueue();
  const [problems, setProblems] = useState<SubmitProblem[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState<null | 'submit' | 'delete' | 'restore' | 'version' | 'remove'>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [adding, setAdding] = useState<Adding | null>(null);
  const [attachError, setAttachError] = useState<unknown>(null);
  const [rescueOffer, setRescueOffer] = useState<{ key: string; draft: RescuedDraft } | null>(null);

  // The chain reads these, not render-time state: a job runs after later keystrokes have landed.
  const idRef = useRef<string | null>(initialId);
  const contentRef = useRef<EvidenceContent | null>(content);
  const savedRef = useRef<EvidenceContent>(emptyEvidenceContent());
  const knownRef = useRef<Evidence | null>(null);
  const failedRef = useRef(false);
  const rescuedKeyRef = useRef<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const confirmRef = useRef<HTMLHeadingElement>(null);
  const deleteButtonRef = useRef<HTMLButtonElement>(null);
  const filesHeadingRef = useRef<HTMLHeadingElement>(null);

  const mountedRef = useRef(true);
  useEffect(() => () => void (mountedRef.current = false), []);

  const rescueKey = () => idRef.current ?? newDraftRescueKey(enrolment.id);

  const live = useLive(() => (itemId ? getEvidence(itemId) : Promise.resolve(null)), [itemId]);

  /** Takes a stored record as the truth for everything, including what the form shows. */
  const adopt = (stored: Evidence) => {
    const c = contentOf(stored);
    knownRef.current = stored;
    savedRef.current = c;
    contentRef.current = c;
    setItem(stored);
    setContent(c);
    setHoursText(String(c.hours));
    setHoursError(null);
  };

  /** Records the result of one of our own writes: what is stored now, not what is on screen. */
  const noteStored = (stored: Evidence) => {
    if (!knownRef.current || stored.updatedAt >= knownRef.current.updatedAt) {
      knownRef.current = stored;
      setItem(stored);
    }
    savedRef.current = contentOf(stored);
  };

  useEffect(() => {
    if (live.status !== 'ready') return;
    const stored = live.value;
    if (!stored) return;
    if (contentRef.current === null) {
      adopt(stored);
      const offered = peekRescuedDraft(stored.id);
      if (offered && !sameContent(offered.content, contentOf(stored), TYPED_FIELDS)) setRescueOffer({ key: stored.id, draft: offered });
      else if (offered) clearRescuedDraft(stored.id);
      return;
    }
    // While our writes are queued or failing, the form is ahead of the database: keep it.
    if (writesQueued() || failedRef.current) return;
    const known = knownRef.current;
    // A sync can bring an older updatedAt with new content, status or conflict copies: compare those too.
    const syncedChange =
      !!known && (stored.status !== known.status || !same(stored.conflicts, known.conflicts) || !sameContent(contentOf(stored), contentOf(known)));
    if (known && stored.updatedAt <= known.updatedAt && !syncedChange) return;
    // Changed elsewhere (another tab, a sync): show what is stored.
    adopt(stored);
  }, [live]);

  useEffect(() => {
    if (initialId) return;
    const key = newDraftRescueKey(enrolment.id);
    const offered = peekRescuedDraft(key);
    if (offered && !sameContent(offered.content, emptyEvidenceContent(), TYPED_FIELDS)) setRescueOffer({ key, draft: offered });
  }, []);

  // Leaving with unsaved typing would lose it (the rescue copy aside): ask the browser to warn.
  useEffect(() => {
    if (saveState.kind !== 'failed') return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [saveState.kind]);

  /** Writes whatever the form holds that the database does not; creates the item on first need. */
  const persist = async (opts: { create?: boolean } = {}): Promise<void> => {
    const current = contentRef.current;
    if (!current) return;
    if (!idRef.current) {
      if (!opts.create && sameContent(current, emptyEvidenceContent())) return;
      const created = await createEvidence(enrolment.id, current);
      idRef.current = created.id;
      noteStored(created);
      setItemId(created.id);
      // The user may have left while this was saving: do not pull them back to the editor.
      if (mountedRef.current) onCreated(created.id);
      return;
    }
    const patch = typedPatch(savedRef.current, current);
    if (Object.keys(patch).length === 0) return;
    noteStored(await updateEvidence(idRef.current, patch));
  };

  const saved = () => {
    failedRef.current = false;
    setSaveState({ kind: 'saved' });
    if (rescuedKeyRef.current) {
      clearRescuedDraft(rescuedKeyRef.current);
      // A copy kept before the item existed was filed under the enrolment.
      if (idRef.current) clearRescuedDraft(newDraftRescueKey(enrolment.id));
      rescuedKeyRef.current = null;
    }
  };

  const failed = (error: unknown) => {
    console.error(error);
    failedRef.current = true;
    const key = rescueKey();
    const rescued = contentRef.current ? rescueDraft(key, contentRef.current) : false;
    if (rescued) rescuedKeyRef.current = key;
    setSaveState({ kind: 'failed', error, rescued });
  };

  /** Queues a save; never rejects (failures show in the form). */
  const save = (opts?: { create?: boolean }): Promise<boolean> =>
    serial(() => persist(opts)).then(
      () => (saved(), true),
      (error: unknown) => (failed(error), false),
    );

  const change = (patch: Partial<EvidenceContent>) => {
    const next = { ...contentRef.current!, ...patch };
    contentRef.current = next;
    setContent(next);
    setNotice(null);
    // Fixed problems drop off the list as the user fixes them; new ones wait for the next submit.
    setProblems((shown) => {
      if (!shown) return shown;
      const remaining = new Set(problemsOf(next).map((p) => p.field));
      return shown.filter((p) => remaining.has(p.field));
    });
    void save();
  };

  const onHours = (text: string) => {
    setHoursText(text);
    const trimmed = text.trim();
    const value = trimmed === '' ? 0 : Number(trimmed);
    if (!Number.isFinite(value) || value < 0 || value > 1000) {
      setHoursError('Enter the hours as a number from 0 to 1,000, for example 1.5');
      return;
    }
    setHoursError(null);
    if (value !== contentRef.current!.hours) change({ hours: value });
  };

  const withAttachments = (stored: Evidence) => {
    noteStored(stored);
    const next = { ...contentRef.current!, attachments: stored.attachments };
    contentRef.current = next;
    setContent(next);
  };

  const onFiles = async (files: File[]) => {
    setAttachError(null);
    setNotice(null);
    setAdding({ files: files.map((f) => ({ name: f.name, size: f.size })), fraction: null });
    try {
      // The item must exist to hold files; typing carries on saving while large files are checked.
      if (!(await save({ create: true })) || !idRef.current) throw new Error('Save what you typed first, then add the files again.');
      const stored = await addAttachments(idRef.current, files, (fraction) =>
        setAdding((now) => (now ? { ...now, fraction } : now)),
      );
      withAttachments(stored);
      setNotice(files.length === 1 ? `Added ${files[0]!.name}.` : `Added ${files.length} files.`);
    } catch (error) {
      console.error(error);
      setAttachError(error);
    } finally {
      setAdding(null);
    }
  };

  const onRemoveAttachment = async (attachment: AttachmentRef) => {
    const evidenceId = idRef.current;
    if (!evidenceId) return;
    setBusy('remove');
    setAttachError(null);
    try {
      withAttachments(await serial(() => removeAttachment(evidenceId, attachment.id)));
      setNotice(`Removed ${attachment.name}. It stays in this item's history.`);
      filesHeadingRef.current?.focus();
    } catch (error) {
      setAttachError(error);
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = async () => {
    setProblems(null);
    setActionError(null);
    setNotice(null);
    setBusy('submit');
    try {
      if (!(await save())) return;
      const evidenceId = idRef.current;
      const local = problemsOf(contentRef.current!);
      if (!evidenceId || local.length > 0) throw new EvidenceIncompleteError(local);
      adopt(await serial(() => submitEvidence(evidenceId)));
      setNotice('Submitted for assessment. Your assessor will see it once this device has synced with your centre.');
    } catch (error) {
      if (error instanceof EvidenceIncompleteError) {
        setProblems(error.problems);
        requestAnimationFrame(() => summaryRef.current?.focus());
      } else setActionError(error);
    } finally {
      setBusy(null);
    }
  };

  const onDelete = async () => {
    const evidenceId = idRef.current;
    if (!evidenceId) return;
    setBusy('delete');
    setActionError(null);
    try {
      await save();
      await serial(() => deleteEvidence(evidenceId));
      route('/evidence');
    } catch (error) {
      setActionError(error);
      setBusy(null);
    }
  };

  const onRestoreDeleted = async () => {
    const evidenceId = idRef.current;
    if (!evidenceId) return;
    setBusy('restore');
    setActionError(null);
    try {
      adopt(await serial(() => restoreEvidence(evidenceId)));
      setNotice('Evidence restored.');
      requestAnimationFrame(() => document.getElementById(FIELD_IDS.title)?.focus());
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(null);
    }
  };

  const onRestoreVersion = async (entry: EvidenceHistoryEntry) => {
    setBusy('version');
    setActionError(null);
    try {
      if (!(await save())) return;
      adopt(await serial(() => restoreVersion(entry.id)));
      setNotice(`Earlier version restored. The version it replaced is kept in the history.`);
      requestAnimationFrame(() => document.getElementById(FIELD_IDS.title)?.focus());
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(null);
    }
  };

  const onRestoreRescue = () => {
    if (!rescueOffer) return;
    rescuedKeyRef.current = rescueOffer.key;
    setRescueOffer(null);
    const { attachments: _kept, ...typed } = rescueOffer.draft.content;
    setHoursText(String(typed.hours));
    change(typed);
  };

  const onDiscardRescue = () => {
    if (!rescueOffer) return;
    clearRescuedDraft(rescueOffer.key);
    setRescueOffer(null);
  };

  /** After a local lock (assessor accepted it meanwhile), keep the typing as a new draft. */
  const onSaveAsNew = async () => {
    const typed = contentRef.current;
    if (!typed) return;
    setActionError(null);
    try {
      const created = await createEvidence(enrolment.id, { ...typed, title: typed.title ? `${typed.title} (copy)` : typed.title });
      failedRef.current = false;
      if (rescuedKeyRef.current) clearRescuedDraft(rescuedKeyRef.current);
      route(`/evidence/${created.id}`);
    } catch (error) {
      setActionError(error);
    }
  };

  /** Settles a sync conflict like any edit: typing first, then the choice, and the form shows the result. */
  const onResolveConflict = async (conflictId: string, choice: ConflictChoice) => {
    const evidenceId = idRef.current;
    if (!evidenceId) return;
    setNotice(null);
    if (!(await save())) throw new Error('Save what you typed first, then choose again.');
    adopt(await serial(() => resolveConflict(evidenceId, conflictId, choice)));
    setNotice(
      choice === 'dismiss'
        ? 'The other version was dismissed.'
        : choice === 'keep-both'
          ? 'Both versions are kept.'
          : 'The other version is now in the evidence. The one it replaced is in the history.',
    );
  };

  if (initialId && content === null) {
    if (live.status === 'error') return <Page title="Evidence"><ErrorMessage error={live.error} title="Could not open this evidence" /></Page>;
    if (live.status === 'ready' && live.value === null)
      return (
        <Page title="Evidence not found">
          <p>This evidence is not on this device. It may have been made on another device and not synced here yet.</p>
          <p>
            <a class="standalone-link" href="/evidence">Back to your evidence</a>
          </p>
        </Page>
      );
    return (
      <Page title="Evidence">
        <p role="status" class="muted">
          Loading the evidence…
        </p>
      </Page>
    );
  }

  const form = content!;
  const deleted = !!item?.deletedAt;
  const locked = !!item && LOCKED.has(item.status);
  const readOnly = deleted || locked;
  const problemFor = (field: Field) => problems?.find((p) => p.field === field)?.message;
  const title = initialId === null ? 'Log new evidence' : readOnly ? 'Evidence' : 'Edit evidence';
  const lockedError = saveState.kind === 'failed' && saveState.error instanceof EvidenceLockedError;

  return (
    <Page title={title}>
      <div
        class="small"
        style={{ position: 'sticky', top: 0, zIndex: 2, background: 'var(--page)', padding: '0.35rem 0', display: 'flex', flexWrap: 'wrap', gap: '0.5rem', alignItems: 'center' }}
      >
        {item && <StatusTag evidence={item} />}
        <SaveStatusLine saveState={saveState} pending={pending} slow={slow} stored={!!item} idleText="Your evidence saves on this device as you type." />
      </div>

      {saveState.kind === 'failed' && (
        <NotSavedAlert error={saveState.error} rescued={saveState.rescued}>
          {lockedError ? (
            <button type="button" class="button" onClick={onSaveAsNew}>
              Save my changes as a new draft
            </button>
          ) : (
            <button type="button" class="button" onClick={() => void save()}>
              Try saving again
            </button>
          )}
        </NotSavedAlert>
      )}

      {rescueOffer && (
        <section class="banner warn" aria-labelledby="rescue-heading">
          <h2 id="rescue-heading" style={{ marginTop: 0 }}>
            Unsaved changes were kept
          </h2>
          <p>
            On {formatDateTime(rescueOffer.draft.savedAt)} this device ran out of space before your changes could be saved. A copy was kept
            {rescueOffer.draft.content.title.trim() ? <> (titled “{rescueOffer.draft.content.title.trim()}”)</> : null}.
          </p>
          <div class="actions">
            <button type="button" class="button" onClick={onRestoreRescue}>
              Restore my unsaved changes
            </button>
            <button type="button" class="button secondary" onClick={onDiscardRescue}>
              Discard them
            </button>
          </div>
        </section>
      )}

      {actionError !== null && <ErrorMessage error={actionError} title="That did not work" />}
      {notice && (
        <div class="banner ok" role="status">
          <p>{notice}</p>
        </div>
      )}

      {deleted && (
        <div class="banner warn">
          <p>
            <strong>This evidence was deleted</strong> on {formatDateTime(item!.deletedAt!)}. Restore it to see it in your evidence list and change it again.
          </p>
          <button type="button" class="button" disabled={busy === 'restore'} onClick={onRestoreDeleted}>
            Restore
          </button>
        </div>
      )}
      {!deleted && locked && (
        <div class="banner info">
          <p>
            {item!.status === 'signed-off'
              ? 'This evidence has been signed off, so it can no longer be changed.'
              : 'Your assessor has accepted this evidence, so it can no longer be changed.'}{' '}
            If something in it is wrong, talk to your assessor.
          </p>
        </div>
      )}
      {!readOnly && item?.status === 'referred' && (
        <div class="banner warn">
          <p>Your assessor has referred this evidence back to you. Make the changes they asked for, then submit it again.</p>
        </div>
      )}
      {!readOnly && item?.status === 'submitted' && (
        <div class="banner info">
          <p>Submitted for assessment. You can still change it until your assessor accepts it; your changes go with it.</p>
        </div>
      )}

      {itemId && <LatestDecision evidenceId={itemId} criterionLabel={labelOf} audience="learner" />}

      {item && item.conflicts.length > 0 && (
        <ConflictNotice evidence={item} criterionLabel={labelOf} {...(readOnly ? {} : { onResolve: onResolveConflict })} />
      )}

      {problems && problems.length > 0 && (
        <div class="banner error" ref={summaryRef} tabIndex={-1} aria-labelledby="problems-heading" data-testid="submit-problems">
          <h2 id="problems-heading" style={{ marginTop: 0 }}>
            Before you can submit this
          </h2>
          <ul>
            {problems.map((p) => (
              <li key={p.field + p.message}>
                <a
                  class="standalone-link"
                  href={`#${FIELD_IDS[p.field as Field] ?? FIELD_IDS.title}`}
                  onClick={(e) => {
                    e.preventDefault();
                    focusById(FIELD_IDS[p.field as Field] ?? FIELD_IDS.title);
                  }}
                >
                  {p.message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}

      {readOnly ? (
        <ReadOnlyEvidence content={form} criterionLabel={labelOf} />
      ) : (
        <>
          <section class="card" aria-labelledby="details-heading">
            <h2 id="details-heading" style={{ marginTop: 0 }}>
              What you did
            </h2>
            <FieldShell field="title" label="Title" hint="A short name you will recognise, for example “Replaced a failed network switch”." error={problemFor('title')}>
              {(describedBy, invalid) => (
                <input
                  id={FIELD_IDS.title}
                  type="text"
                  value={form.title}
                  maxLength={300}
                  autocomplete="off"
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onInput={(e) => change({ title: e.currentTarget.value })}
                />
              )}
            </FieldShell>
            <FieldShell
              field="narrative"
              label="What you did and what you learned"
              hint="Say what you did, how you did it and why, who it was for, and what you learned or would do differently next time."
              error={problemFor('narrative')}
            >
              {(describedBy, invalid) => (
                <textarea
                  id={FIELD_IDS.narrative}
                  value={form.narrative}
                  maxLength={100_000}
                  rows={8}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onInput={(e) => change({ narrative: e.currentTarget.value })}
                />
              )}
            </FieldShell>
            <FieldShell field="activityDate" label="Date of the activity" hint="The day you did the work, not the day you are writing this up." error={problemFor('activityDate')}>
              {(describedBy, invalid) => (
                <input
                  id={FIELD_IDS.activityDate}
                  type="date"
                  value={form.activityDate ?? ''}
                  max={todayIso()}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onInput={(e) => change({ activityDate: e.currentTarget.value || null })}
                  onChange={(e) => {
                    const value = e.currentTarget.value || null;
                    if (value !== contentRef.current!.activityDate) change({ activityDate: value });
                  }}
                />
              )}
            </FieldShell>
            <FieldShell field="method" label="Assessment method" hint="How your assessor will assess this evidence. Ask them if you are not sure." error={problemFor('method')}>
              {(describedBy, invalid) => (
                <select
                  id={FIELD_IDS.method}
                  value={form.method ?? ''}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onChange={(e) => change({ method: (e.currentTarget.value || null) as AssessmentMethodId | null })}
                >
                  <option value="">Choose…</option>
                  {ASSESSMENT_METHODS.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.label}
                    </option>
                  ))}
                </select>
              )}
            </FieldShell>
            <FieldShell field="hours" label="Hours" hint="Time spent, to the nearest quarter hour, for example 1.5 or 0.75." error={hoursError ?? problemFor('hours')}>
              {(describedBy, invalid) => (
                <input
                  id={FIELD_IDS.hours}
                  type="number"
                  inputMode="decimal"
                  min={0}
                  max={1000}
                  step={0.25}
                  value={hoursText}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  style={{ maxWidth: '10rem' }}
                  onInput={(e) => onHours(e.currentTarget.value)}
                />
              )}
            </FieldShell>
            {/* Not a .field: its `label { display: block }` would undo the checkbox row layout. */}
            <div style={{ marginBottom: '1rem' }}>
              <label class="check" for={FIELD_IDS.offTheJob}>
                <input id={FIELD_IDS.offTheJob} type="checkbox" checked={form.offTheJob} aria-describedby="evidence-off-the-job-hint" onChange={(e) => change({ offTheJob: e.currentTarget.checked })} />
                <span>
                  These were off-the-job hours
                  <span class="hint small muted" id="evidence-off-the-job-hint" style={{ display: 'block', fontWeight: 'normal' }}>
                    Learning towards your apprenticeship in paid working hours, away from your normal day-to-day work, such as training, study or shadowing.
                  </span>
                </span>
              </label>
            </div>
          </section>

          <section class="card" aria-labelledby="files-heading">
            <h2 id="files-heading" ref={filesHeadingRef} tabIndex={-1} style={{ marginTop: 0 }}>
              Files
            </h2>
            <AttachmentInputs idPrefix="attach" disabled={lockedError} onFiles={(files) => void onFiles(files)} />
            {adding && <AddingFiles files={adding.files} fraction={adding.fraction} />}
            {attachError !== null && <ErrorMessage error={attachError} title="The files were not added" />}
            <AttachmentList attachments={form.attachments} onRemove={(a) => void onRemoveAttachment(a)} busy={busy === 'remove'} />
          </section>

          <section class="card" aria-labelledby="criteria-heading">
            <h2 id="criteria-heading" style={{ marginTop: 0 }}>
              Criteria this evidence covers
            </h2>
            {problemFor('criterionIds') && (
              <p class="error-text" id="criteria-error" style={{ color: 'var(--danger)', fontWeight: 600 }}>
                {problemFor('criterionIds')}
              </p>
            )}
            <CriterionPicker
              targets={targets}
              units={units}
              selected={form.criterionIds}
              onChange={(ids) => change({ criterionIds: ids })}
              searchId={FIELD_IDS.criterionIds}
              {...(problemFor('criterionIds') ? { errorId: 'criteria-error' } : {})}
            />
          </section>

          <div class="actions">
            {(!item || item.status === 'draft' || item.status === 'referred') && (
              <button type="button" class="button" disabled={busy === 'submit'} onClick={onSubmit}>
                {busy === 'submit' ? 'Submitting…' : 'Submit for assessment'}
              </button>
            )}
            {item && !confirmDelete && (
              <button
                type="button"
                class="button secondary"
                ref={deleteButtonRef}
                onClick={() => {
                  setConfirmDelete(true);
                  requestAnimationFrame(() => confirmRef.current?.focus());
                }}
              >
                Delete
              </button>
            )}
            <a class="button link" href="/evidence">
              Back to your evidence
            </a>
          </div>
          {confirmDelete && item && (
            <section class="banner warn" aria-labelledby="confirm-delete-heading" style={{ marginTop: '1rem' }}>
              <h2 id="confirm-delete-heading" ref={confirmRef} tabIndex={-1} style={{ marginTop: 0 }}>
                Delete this evidence?
              </h2>
              <p>It will leave your evidence list. It stays on this device with its history, and you can restore it from “Deleted evidence” on the Evidence page.</p>
              <div class="actions">
                <button type="button" class="button danger" disabled={busy === 'delete'} onClick={onDelete}>
                  Yes, delete it
                </button>
                <button
                  type="button"
                  class="button secondary"
                  onClick={() => {
                    setConfirmDelete(false);
                    requestAnimationFrame(() => deleteButtonRef.current?.focus());
                  }}
                >
                  Cancel
                </button>
              </div>
            </section>
          )}
        </>
      )}

      {itemId && (
        <section class="card" aria-labelledby="history-heading" style={{ marginTop: '1rem' }}>
          <h2 id="history-heading" style={{ marginTop: 0 }}>
            History
          </h2>
          <EvidenceHistory
            evidenceId={itemId}
            criterionLabel={labelOf}
            busy={busy === 'version'}
            {...(readOnly ? {} : { onRestore: (entry: EvidenceHistoryEntry) => void onRestoreVersion(entry) })}
          />
        </section>
      )}
      {itemId && signIn && (
        <AuditTrail
          subject={{ recordId: itemId }}
          heading="Audit trail"
          intro="What your centre has recorded about this item: every change and decision, who made it, when, and from which device."
        />
      )}
      {readOnly && (
        <p>
          <a class="standalone-link" href="/evidence">Back to your evidence</a>
        </p>
      )}
    </Page>
  );
}

/** Label, hint and error wired to the control with aria-describedby, as every field needs. */
function FieldShell({
  field,
  label,
  hint,
  error,
  children,
}: {
  field: Field;
  label: string;
  hint?: string;
  error?: string | null | undefined;
  children: (describedBy: string | undefined, invalid: 'true' | undefined) => ComponentChildren;
}) {
  const id = FIELD_IDS[field];
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <span class="hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span class="error-text" id={errorId}>
          {error}
        </span>
      )}
      {children([hintId, errorId].filter(Boolean).join(' ') || undefined, error ? 'true' : undefined)}
    </div>
  );
}

function ReadOnlyEvidence({ content, criterionLabel }: { content: EvidenceContent; criterionLabel: (id: string) => string }) {
  return (
    <>
      <section class="card" aria-labelledby="readonly-heading">
        <h2 id="readonly-heading" style={{ marginTop: 0 }}>
          {content.title.trim() || 'Untitled'}
        </h2>
        <ContentSummary content={content} criterionLabel={criterionLabel} />
      </section>
      <section class="card" aria-labelledby="readonly-files-heading">
        <h2 id="readonly-files-heading" style={{ marginTop: 0 }}>
          Files
        </h2>
        <AttachmentList attachments={content.attachments} />
      </section>
    </>
  );
}
