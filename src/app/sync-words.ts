import type { RejectReason } from '../domain/sync';

/** What each refusal means for the user, in a few words (the centre's own message follows). */
export const REASON_WORDS: Record<RejectReason, string> = {
  forbidden: 'Your account may not make this change',
  invalid: 'Your centre could not accept this change as it is',
  locked: 'This was signed off, so it can no longer change',
  'not-found': 'Your centre no longer has this record',
  'missing-attachment': 'Waiting for a file to reach your centre first',
  'signing-key': 'Your centre does not accept the key this was signed with',
};

const dateTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "just now", "2 min ago", "3 h ago", then the date: how long ago the last sync finished. */
export function formatAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `on ${dateTime.format(new Date(iso))}`;
}

export function formatWhen(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function changesWord(n: number): string {
  return `${n} ${n === 1 ? 'change' : 'changes'}`;
}
