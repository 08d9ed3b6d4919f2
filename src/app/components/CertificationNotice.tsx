import { certificationCheck } from '../../domain/dates';
import type { QualificationSpec } from '../../domain/qualification';

/** Warns plainly when the planned end is after, or close to, the last date the qualification can be certificated. */
export function CertificationNotice({ spec, plannedEndDate, today }: { spec: QualificationSpec; plannedEndDate: string; today: string }) {
  const check = certificationCheck(spec, plannedEndDate, today);
  if (check.level === 'ok' || !check.message) return null;
  return (
    <div class={`banner ${check.level === 'after' ? 'error' : 'warn'}`} role="note" data-testid="certification-warning">
      <p>
        <strong>{check.level === 'after' ? 'Your planned end date is too late. ' : 'Certification deadline is close. '}</strong>
        {check.message}
      </p>
    </div>
  );
}
