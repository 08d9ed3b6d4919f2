import { assessmentMethodLabel } from '../../domain/assessment-methods';
import { formatDate } from '../../domain/dates';
import type { Evidence } from '../../domain/evidence';

const STATUS_LABEL: Record<Evidence['status'], string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  accepted: 'Accepted',
  referred: 'Referred',
  'signed-off': 'Signed off',
};

export function StatusTag({ evidence }: { evidence: Evidence }) {
  if (evidence.deletedAt) return <span class="tag deleted">Deleted</span>;
  return <span class={`tag ${evidence.status}`}>{STATUS_LABEL[evidence.status]}</span>;
}

export function EvidenceRow({ evidence }: { evidence: Evidence }) {
  const details = [
    evidence.activityDate ? formatDate(evidence.activityDate) : 'No date yet',
    evidence.method ? assessmentMethodLabel(evidence.method) : null,
    `${evidence.criterionIds.length} ${evidence.criterionIds.length === 1 ? 'criterion' : 'criteria'}`,
    evidence.attachments.length > 0 ? `${evidence.attachments.length} ${evidence.attachments.length === 1 ? 'file' : 'files'}` : null,
    evidence.hours > 0 ? `${evidence.hours} h${evidence.offTheJob ? ' off-the-job' : ''}` : null,
  ].filter(Boolean);
  return (
    <li>
      <a class="list-link" href={`/evidence/${evidence.id}`}>
        <span class="list-title">{evidence.title.trim() || 'Untitled draft'}</span> <StatusTag evidence={evidence} />
        {evidence.conflicts.length > 0 && (
          <>
            {' '}
            <span class="tag conflict" title="Changed on two devices: open it to choose which version to keep">
              Conflict
            </span>
          </>
        )}
        <span class="small muted" style={{ display: 'block' }}>
          {details.join(' · ')}
        </span>
      </a>
    </li>
  );
}
