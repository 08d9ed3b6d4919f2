import { useMemo, useState } from 'preact/hooks';
import { attachmentsMissingHere } from '../../data/attachments';
import { caseloadLearners, type CaseloadLearner, type Rag } from '../../data/caseload';
import { useLive } from '../../data/live';
import { formatDate, todayIso } from '../../domain/dates';
import { ErrorMessage, LiveView } from '../components/feedback';
import { Page } from '../components/Page';
import { RagTag } from '../components/RagTag';
import { Meter } from '../components/UnitProgress';
import { useAccount, useServices, useStatus } from '../services';
import { formatAgo } from '../sync-words';

/** Worst first: the learners who need the assessor most come to the top. */
const RAG_ORDER: Record<Rag, number> = { red: 0, amber: 1, green: 2 };

export function sortCaseload(learners: readonly CaseloadLearner[]): CaseloadLearner[] {
  return [...learners].sort(
    (a, b) => RAG_ORDER[a.rag] - RAG_ORDER[b.rag] || b.awaitingReview - a.awaitingReview || a.name.localeCompare(b.name, 'en-GB'),
  );
}

/** Whether a visit can go ahead offline: every file of the caseload's evidence is on this tablet. */
function VisitReadiness() {
  const { account, sync } = useServices();
  const status = useStatus();
  const missing = useLive(attachmentsMissingHere, []);
  const [error, setError] = useState<unknown>(null);
  const [asked, setAsked] = useState(false);

  const keepAll = async () => {
    setError(null);
    try {
      await account.setKeepAllOffline(true);
      setAsked(true);
      await sync.syncNow();
    } catch (err) {
      console.error(err);
      setError(err);
    }
  };

  if (missing.status === 'loading') return null;
  if (missing.status === 'error') return <ErrorMessage error={missing.error} title="Could not check which files are on this tablet" />;
  const count = missing.value.length;
  const synced = status.lastSuccessAt ? ` Last synced ${formatAgo(status.lastSuccessAt, Date.now())}.` : ' Not synced yet.';
  if (count === 0)
    return (
      <div class="banner ok" role="status" data-testid="visit-readiness">
        <p>
          <strong>Everything for your visit is on this tablet.</strong>
          {synced}
        </p>
      </div>
    );
  const files = `${count} ${count === 1 ? 'file' : 'files'}`;
  return (
    <div class="banner warn" role="status" data-testid="visit-readiness">
      <p>
        <strong>{status.state === 'syncing' ? `${files} still downloading.` : `${files} not on this tablet yet.`}</strong>{' '}
        {status.state === 'offline'
          ? 'They download at the next sync once this tablet is online.'
          : status.state === 'syncing'
            ? 'Keep the app open until they finish if you will be offline on your visit.'
            : 'Keep every file on this tablet to fetch them at each sync, or they download one by one when you open them (which needs a connection).'}
        {synced}
      </p>
      {status.state !== 'syncing' && status.state !== 'offline' && (
        <div class="actions" style={{ marginTop: 0 }}>
          <button type="button" class="button secondary" onClick={() => void keepAll()}>
            {asked ? 'Download them now' : 'Keep every file on this tablet'}
          </button>
        </div>
      )}
      {error !== null && <ErrorMessage error={error} title="Could not start the download" />}
    </div>
  );
}

function LearnerCard({ learner }: { learner: CaseloadLearner }) {
  const hoursBehind = learner.offTheJobHours < learner.plannedOffTheJobHoursToDate;
  return (
    <li class="card caseload-card" data-testid="caseload-learner">
      <a class="caseload-link" href={`/caseload/${encodeURIComponent(learner.learnerId)}`}>
        <span class="list-title">{learner.name}</span>
        <span class="small muted">
          {[learner.employer.trim(), learner.qualificationTitle].filter(Boolean).join(' · ')}
        </span>
      </a>
      <div class="caseload-status">
        <RagTag rag={learner.rag} />
        <span class="small">{learner.ragReason}</span>
      </div>
      <dl class="caseload-facts">
        <div>
          <dt>Evidenced</dt>
          <dd>
            {learner.percentEvidenced}%
            <Meter part={learner.percentEvidenced} whole={100} label={`${learner.name}: criteria evidenced`} />
          </dd>
        </div>
        <div>
          <dt>Assessed</dt>
          <dd>
            {learner.percentAssessed}%
            <Meter part={learner.percentAssessed} whole={100} label={`${learner.name}: criteria assessed`} />
          </dd>
        </div>
        <div>
          <dt>Awaiting your review</dt>
          <dd data-testid="awaiting">
            {learner.awaitingReview === 0 ? 'None' : `${learner.awaitingReview} ${learner.awaitingReview === 1 ? 'item' : 'items'}`}
          </dd>
        </div>
        <div>
          <dt>Off-the-job hours</dt>
          <dd>
            {learner.offTheJobHours} of {learner.plannedOffTheJobHoursToDate} planned to date
            {hoursBehind && <span class="small"> ({Math.round((learner.plannedOffTheJobHoursToDate - learner.offTheJobHours) * 10) / 10} behind)</span>}
          </dd>
        </div>
        <div>
          <dt>Planned end</dt>
          <dd>{formatDate(learner.plannedEndDate)}</dd>
        </div>
      </dl>
    </li>
  );
}

function CaseloadList({ learners }: { learners: CaseloadLearner[] }) {
  const sorted = useMemo(() => sortCaseload(learners), [learners]);
  const awaiting = learners.reduce((n, l) => n + l.awaitingReview, 0);
  if (learners.length === 0)
    return (
      <div class="card">
        <p>No learners on this tablet yet. Your centre's admin assigns learners to your caseload; they appear here after the next sync.</p>
        <a class="button secondary" href="/device">
          Sync and device
        </a>
      </div>
    );
  return (
    <>
      <p>
        {learners.length} {learners.length === 1 ? 'learner' : 'learners'}; {awaiting} {awaiting === 1 ? 'item' : 'items'} awaiting your review. At risk first, then by how much is waiting.
      </p>
      <ul class="list caseload-list" aria-label="Your learners">
        {sorted.map((learner) => (
          <LearnerCard key={learner.learnerId} learner={learner} />
        ))}
      </ul>
    </>
  );
}

/** Route /caseload: the assessor's home on the tablet, worked out from what this device holds. */
export default function Caseload() {
  const { signIn } = useAccount();
  const today = todayIso();
  const live = useLive(() => caseloadLearners(today), [today]);
  if (signIn?.user.role !== 'assessor')
    return (
      <Page title="Caseload">
        <p>The caseload is for assessors. Sign in with an assessor account to see your learners.</p>
      </Page>
    );
  return (
    <Page title="Your caseload" lead="Worked out on this tablet from your last sync; it works offline.">
      <VisitReadiness />
      <LiveView live={live} what="your caseload">
        {(learners) => <CaseloadList learners={learners} />}
      </LiveView>
    </Page>
  );
}
