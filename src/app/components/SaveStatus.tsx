import type { ComponentChildren } from 'preact';
import { StorageFullError } from '../../data/errors';

export type SaveState = { kind: 'none' } | { kind: 'saved' } | { kind: 'failed'; error: unknown; rescued: boolean };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The one line that says whether the typing is saved; polite, and busy while writes are queued. */
export function SaveStatusLine({ saveState, pending, slow, stored, idleText }: { saveState: SaveState; pending: number; slow: boolean; stored: boolean; idleText: string }) {
  const text =
    saveState.kind === 'failed'
      ? saveState.error instanceof StorageFullError
        ? 'Not saved: this device is out of storage space.'
        : `Not saved: ${messageOf(saveState.error)}`
      : pending > 0 && slow
        ? 'Saving…'
        : stored
          ? 'Saved on this device'
          : idleText;
  return (
    <span
      role="status"
      aria-live="polite"
      aria-atomic="true"
      // Writes still queued: "Saved on this device" is not yet true of the newest keystrokes.
      aria-busy={pending > 0 ? 'true' : undefined}
      data-testid="save-status"
      style={saveState.kind === 'failed' ? { color: 'var(--danger)', fontWeight: 600 } : undefined}>
      {text}
    </span>
  );
}

/** The alert when typing could not be saved (full disk included), with the caller's way out. */
export function NotSavedAlert({ error, rescued, children }: { error: unknown; rescued: boolean; children: ComponentChildren }) {
  return (
    <div class="banner error" role="alert">
      <p>
        <strong>Not saved.</strong> {messageOf(error)}
      </p>
      {error instanceof StorageFullError && (
        <p>
          {rescued
            ? 'A copy of your text is also kept in this browser, so it can be restored if this page closes.'
            : 'Keep this page open until it has saved: there was no room to keep a backup copy either.'}
        </p>
      )}
      <div class="actions">{children}</div>
    </div>
  );
}
