import type { IsoDate, QualificationSpec } from './qualification';

const DAY_MS = 86_400_000;
/** Fixed names: Intl's en-GB short months vary between ICU versions ("Sep" or "Sept"). */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** How long before the last certification date learners are warned. */
export const CERTIFICATION_WARNING_DAYS = 90;

/** Milliseconds at UTC midnight: calendar dates are compared in UTC so no time zone shifts them. */
function utc(iso: IsoDate): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) throw new RangeError(`Not a date in the form YYYY-MM-DD: ${iso}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

/** "31 Dec 2026". */
export function formatDate(iso: IsoDate): string {
  const d = new Date(utc(iso));
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** Today's date where the user is, not in UTC: a learner logging at 00:30 BST means today. */
export function todayIso(now: Date = new Date()): IsoDate {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function addDays(iso: IsoDate, days: number): IsoDate {
  return new Date(utc(iso) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`; negative when `to` is earlier. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((utc(to) - utc(from)) / DAY_MS);
}

type DatedSpec = Pick<QualificationSpec, 'id' | 'lastRegistrationDate' | 'lastCertificationDate'>;

export function registrationCheck(
  spec: Pick<QualificationSpec, 'id' | 'lastRegistrationDate'>,
  startDate: IsoDate,
  today: IsoDate,
): { open: boolean; message: string | null } {
  const last = formatDate(spec.lastRegistrationDate);
  if (startDate > spec.lastRegistrationDate)
    return {
      open: false,
      message: `${spec.id} closed to new registrations on ${last}, so a learner cannot be registered from ${formatDate(startDate)}. If the learner was registered by ${last}, enter that registration date as the start date.`,
    };
  if (today > spec.lastRegistrationDate)
    return {
      open: true,
      message: `${spec.id} closed to new registrations on ${last}: only learners registered by then can be added.`,
    };
  return { open: true, message: null };
}

export function certificationCheck(
  spec: DatedSpec,
  plannedEndDate: IsoDate,
  today: IsoDate,
): { level: 'ok' | 'near' | 'after'; message: string | null } {
  const lastIso = spec.lastCertificationDate;
  const last = formatDate(lastIso);
  const passed = `The last date a ${spec.id} certificate could be issued was ${last}, so it can no longer be certificated.`;
  if (plannedEndDate > lastIso)
    return {
      level: 'after',
      message:
        today > lastIso
          ? passed
          : `Your planned end date, ${formatDate(plannedEndDate)}, is after ${last}, the last date a ${spec.id} certificate can be issued. Plan to finish, with every unit assessed and claimed, before then.`,
    };
  const daysLeft = daysBetween(today, lastIso);
  if (daysLeft < 0) return { level: 'near', message: passed };
  if (daysLeft <= CERTIFICATION_WARNING_DAYS) {
    const when = daysLeft === 0 ? 'Today is' : `Only ${daysLeft} ${daysLeft === 1 ? 'day is' : 'days are'} left until`;
    return {
      level: 'near',
      message: `${when} ${last}, the last date a ${spec.id} certificate can be issued: make sure all evidence is assessed and claimed in time.`,
    };
  }
  return { level: 'ok', message: null };
}
