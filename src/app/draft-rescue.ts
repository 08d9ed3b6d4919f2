import { EvidenceContent } from '../domain/evidence';

/**
 * A last-resort copy of a draft that IndexedDB refused to store (device full). localStorage has
 * its own small quota, separate from IndexedDB's, so a text-only copy usually still fits there
 * and survives a reload or a crash while the user frees space.
 */
const PREFIX = 'ict-portfolio:draft-rescue:';

export interface RescuedDraft {
  content: EvidenceContent;
  /** When the copy was made (ISO time), so the user can tell how old it is. */
  savedAt: string;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Some browsers throw on access when site data is blocked.
    return null;
  }
}

/** Keeps a copy; false when even localStorage is full or blocked (the form state is then the only copy). */
export function rescueDraft(key: string, content: EvidenceContent): boolean {
  const store = storage();
  if (!store) return false;
  try {
    store.setItem(PREFIX + key, JSON.stringify({ v: 1, savedAt: new Date().toISOString(), content }));
    return true;
  } catch {
    return false;
  }
}

/** Reads the copy without removing it, e.g. to offer it when the editor opens. */
export function peekRescuedDraft(key: string): RescuedDraft | null {
  const store = storage();
  const raw = store?.getItem(PREFIX + key);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as { savedAt?: unknown; content?: unknown };
    const content = EvidenceContent.safeParse(parsed.content);
    // A copy written by an older app version that no longer validates is useless: drop it.
    if (!content.success || typeof parsed.savedAt !== 'string') {
      store!.removeItem(PREFIX + key);
      return null;
    }
    return { content: content.data, savedAt: parsed.savedAt };
  } catch {
    store!.removeItem(PREFIX + key);
    return null;
  }
}

export function clearRescuedDraft(key: string): void {
  try {
    storage()?.removeItem(PREFIX + key);
  } catch {
    // Nothing to clear, or storage blocked: either way there is no copy to worry about.
  }
}

/** Reads and removes the copy. */
export function takeRescuedDraft(key: string): RescuedDraft | null {
  const draft = peekRescuedDraft(key);
  if (draft) clearRescuedDraft(key);
  return draft;
}

/** The rescue key of an item not yet stored: one slot per enrolment. */
export function newDraftRescueKey(enrolmentId: string): string {
  return `new:${enrolmentId}`;
}
