import { useEffect, useState } from 'preact/hooks';
import type { AttachmentRef, Evidence, EvidenceContent } from '../../domain/evidence';
import type { FieldConflict } from '../../domain/sync';
import { canKeepBoth, type ConflictChoice } from '../../data/evidence';
import { deviceId } from '../../data/settings';
import { FIELD_WORDS, formatDateTime } from './EvidenceHistory';

/**
 * Shown on an item when this device and another changed the same text before either synced. The
 * centre kept one version in the field and the other as a conflict copy; nothing is lost until the
 * user chooses, one conflict at a time, with both versions side by side.
 */
export interface ConflictNoticeProps {
  evidence: Evidence;
  /** Writes the choice (resolveConflict); rejects with a readable error. Omitted: shown read-only (a locked item). */
  onResolve?: (conflictId: string, choice: ConflictChoice) => Promise<void>;
  /** This device's id, to say whose version the copy is (read from settings when not given). */
  ownDeviceId?: string | null;
  criterionLabel?: (id: string) => string;
}

function show(field: string, value: unknown, criterionLabel: (id: string) => string): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (field === 'criterionIds' && Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((id) => criterionLabel(String(id))).join(', ');
  if (field === 'attachments' && Array.isArray(value)) return value.length === 0 ? '(none)' : (value as AttachmentRef[]).map((a) => a.name).join(', ');
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

function fieldWords(field: string): string {
  return FIELD_WORDS[field as keyof EvidenceContent] ?? field;
}

export function ConflictNotice({ evidence, onResolve, ownDeviceId, criterionLabel = (id) => id }: ConflictNoticeProps) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [ownDevice, setOwnDevice] = useState<string | null>(ownDeviceId ?? null);
  useEffect(() => {
    if (ownDeviceId !== undefined) return;
    deviceId().then(setOwnDevice, (failure: unknown) => console.error('Could not read this device’s id', failure));
  }, [ownDeviceId]);
  if (evidence.conflicts.length === 0) return null;

  const choose = async (conflict: FieldConflict, choice: ConflictChoice) => {
    if (!onResolve) return;
    setBusy(conflict.id);
    setError(null);
    try {
      await onResolve(conflict.id, choice);
    } catch (failure) {
      console.error(failure);
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  const count = evidence.conflicts.length;
  return (
    <section class="banner warn conflict-notice" aria-labelledby="conflict-heading" data-testid="conflict-notice">
      <h2 id="conflict-heading">
        {count === 1 ? 'Two versions of this evidence' : `${count} places with two versions`}
      </h2>
      {onResolve ? (
        <p>
          This evidence was changed on two devices before they synced. Both versions are kept: choose which to use. The one you replace stays in the
          history below.
        </p>
      ) : (
        <p>This evidence was changed on two devices before they synced, and both versions are kept. It can no longer be changed: if the other version matters, talk to your assessor.</p>
      )}
      {error !== null && (
        <p role="alert" class="error-text" style={{ color: 'var(--danger)', fontWeight: 600 }}>
          That did not work: {error instanceof Error ? error.message : String(error)}
        </p>
      )}
      {evidence.conflicts.map((conflict, index) => {
        const field = conflict.field;
        const words = fieldWords(field);
        const headingId = `conflict-${index}-heading`;
        const fromHere = ownDevice !== null && conflict.deviceId === ownDevice;
        const current = (evidence as unknown as Record<string, unknown>)[field];
        return (
          <article key={conflict.id} class="conflict" aria-labelledby={headingId}>
            <h3 id={headingId}>The {words}</h3>
            <div class="conflict-grid">
              <div class="conflict-version">
                <p class="label">Now in the evidence</p>
                <p class="conflict-text" data-testid="conflict-current">
                  {show(field, current, criterionLabel)}
                </p>
              </div>
              <div class="conflict-version">
                <p class="label">
                  {fromHere ? 'Your version from this device' : 'The version from another device'}{' '}
                  <span class="small muted">({formatDateTime(conflict.at)})</span>
                </p>
                <p class="conflict-text" data-testid="conflict-other">
                  {show(field, conflict.value, criterionLabel)}
                </p>
              </div>
            </div>
            {onResolve && (
              <div class="actions">
                <button type="button" class="button" disabled={busy !== null} onClick={() => void choose(conflict, 'use-conflict')}>
                  Keep this version instead<span class="visually-hidden"> of the {words}</span>
                </button>
                {canKeepBoth(field) && (
                  <button type="button" class="button secondary" disabled={busy !== null} onClick={() => void choose(conflict, 'keep-both')}>
                    Keep both (add it below)<span class="visually-hidden"> for the {words}</span>
                  </button>
                )}
                <button type="button" class="button secondary" disabled={busy !== null} onClick={() => void choose(conflict, 'dismiss')}>
                  Dismiss (keep current)<span class="visually-hidden"> {words}</span>
                </button>
              </div>
            )}
          </article>
        );
      })}
    </section>
  );
}
