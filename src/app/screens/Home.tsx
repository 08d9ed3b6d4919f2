import { useMemo } from 'preact/hooks';
import { formatDate, todayIso } from '../../domain/dates';
import type { Evidence } from '../../domain/evidence';
import { computeProgress, offTheJobHours } from '../../domain/progress';
import { CertificationNotice } from '../components/CertificationNotice';
import { LiveView } from '../components/feedback';
import { Page } from '../components/Page';
import { usePortfolioWithEvidence, type Portfolio } from '../portfolio';
import { EvidenceRow } from '../components/EvidenceRow';
import { useAccount } from '../services';

/** Staff accounts have no portfolio of their own: say what this version offers them instead of inviting them to enrol. */
function StaffWelcome({ role, name }: { role: string; name: string }) {
  return (
    <Page title={`Hello, ${name}`}>
      <div class="card">
        <h2>Signed in as {role === 'iqa' ? 'an internal quality assurer' : `an ${role}`}</h2>
        {role === 'admin' ? (
          <p>
            Manage your centre's users, caseloads, enrolments and qualification specs in <a href="/admin">Admin</a>.
          </p>
        ) : role === 'assessor' ? (
          <>
            <p>Your learners' portfolios sync to this device and are kept for offline visits: review evidence, record observations and sign off from your caseload.</p>
            <p>
              <a class="button" href="/caseload">
                Open your caseload
              </a>
            </p>
          </>
        ) : (
          <p>
            Your learners' portfolios sync to this device and are kept for offline visits. Review and sign-off screens come in the next version of
            ICT Portfolio; you do not need to set up a portfolio of your own.
          </p>
        )}
        <a class="button secondary" href="/device">
          Sync and device
        </a>
      </div>
    </Page>
  );
}

function Welcome() {
  const signIn = useAccount().signIn;
  const signedIn = !!signIn;
  if (signIn && signIn.user.role !== 'learner') return <StaffWelcome role={signIn.user.role} name={signIn.user.name} />;
  return (
    <Page title="Your ICT portfolio">
      <div class="card">
        <h2>Start your portfolio</h2>
        <p>
          Record what you do at work as evidence for your City &amp; Guilds ICT Professional Competence diploma (4520). Everything is kept on this
          device, so it works without a connection.
        </p>
        <p>First, tell us who you are and which qualification and units you are taking.</p>
        <div class="actions" style={{ marginTop: 0 }}>
          <a class="button" href="/enrol">
            Set up my portfolio
          </a>
          {!signedIn && (
            <a class="button secondary" href="/sign-in">
              Sign in to your centre
            </a>
          )}
        </div>
        {!signedIn && <p class="small muted" style={{ marginTop: '0.75rem' }}>If your centre gave you an account, sign in to keep your portfolio in step with your assessor and your other devices.</p>}
      </div>
    </Page>
  );
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 100);
}

function Dashboard({ portfolio, evidence }: { portfolio: Portfolio; evidence: Evidence[] }) {
  const { profile, enrolment, spec } = portfolio;
  const today = todayIso();
  const progress = useMemo(() => computeProgress(spec, enrolment.optionalUnitIds, evidence), [spec, enrolment, evidence]);
  const hours = useMemo(
    () => offTheJobHours(enrolment.plannedOffTheJobHoursPerWeek, enrolment.startDate, enrolment.plannedEndDate, today, evidence),
    [enrolment, evidence, today],
  );
  const live = evidence.filter((e) => !e.deletedAt);
  const drafts = live.filter((e) => e.status === 'draft');
  const q = progress.qualification;
  const incompleteUnits = progress.units.filter((u) => u.specIncomplete).length;
  return (
    <Page title={`Hello, ${profile.name}`} lead={[`${spec.title} (${spec.id})`, profile.employer.trim()].filter(Boolean).join(' · ')}>
      <CertificationNotice spec={spec} plannedEndDate={enrolment.plannedEndDate} today={today} />
      <div class="actions" style={{ marginTop: 0, marginBottom: '1rem' }}>
        <a class="button" href="/evidence/new">
          Log new evidence
        </a>
        <a class="button secondary" href="/progress">
          See my progress
        </a>
      </div>
      <div class="grid">
        <section class="card" aria-labelledby="criteria-heading">
          <h2 id="criteria-heading">Criteria with evidence</h2>
          <p>
            <strong>
              {q.criteriaEvidenced} of {q.criteriaTotal}
            </strong>{' '}
            assessment criteria ({percent(q.criteriaEvidenced, q.criteriaTotal)}%)
          </p>
          <div class="meter" aria-hidden="true">
            <span style={{ width: `${percent(q.criteriaEvidenced, q.criteriaTotal)}%` }} />
          </div>
          <p class="small muted" style={{ marginTop: '0.5rem' }}>
            {progress.gaps.length} criteria have no evidence yet. <a href="/progress#gaps">See the gaps</a>
          </p>
        </section>
        <section class="card" aria-labelledby="credits-heading">
          <h2 id="credits-heading">Credits</h2>
          <p>
            <strong>{q.creditsEvidenced}</strong> of {q.creditsRequired} credits have evidence for every criterion;{' '}
            <strong>{q.creditsAchieved}</strong> assessed.
          </p>
          <div class="meter brand" aria-hidden="true">
            <span style={{ width: `${percent(q.creditsEvidenced, q.creditsRequired)}%` }} />
          </div>
          {incompleteUnits > 0 && (
            <p class="small muted" style={{ marginTop: '0.5rem' }}>
              {incompleteUnits === progress.units.length ? 'None of your units' : `${incompleteUnits} of your units`} can count towards credits yet: this device
              does not hold their full content. Your evidence still counts against each criterion, and credits appear once your centre imports the full units.
            </p>
          )}
        </section>
        <section class="card" aria-labelledby="hours-heading">
          <h2 id="hours-heading">Off-the-job hours</h2>
          <p>
            <strong>{hours.logged}</strong> hours logged; {hours.plannedToDate} planned by today ({Math.round(hours.plannedTotal)} in total by{' '}
            {formatDate(enrolment.plannedEndDate)}).
          </p>
          <div class="meter" aria-hidden="true">
            <span style={{ width: `${Math.min(100, hours.percentOfPlanToDate)}%` }} />
          </div>
        </section>
      </div>
      <section class="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent evidence</h2>
        {drafts.length > 0 && (
          <p class="small">
            {drafts.length} {drafts.length === 1 ? 'draft is' : 'drafts are'} not yet submitted for assessment.
          </p>
        )}
        {live.length === 0 ? (
          <p>
            No evidence yet. <a href="/evidence/new">Log your first piece of evidence</a>.
          </p>
        ) : (
          <ul class="list">
            {live.slice(0, 5).map((item) => (
              <EvidenceRow key={item.id} evidence={item} />
            ))}
          </ul>
        )}
        <p>
          <a class="standalone-link" href="/evidence">All evidence ({live.length})</a>
        </p>
      </section>
      <p class="small muted">
        Enrolled {formatDate(enrolment.startDate)}, planned end {formatDate(enrolment.plannedEndDate)}. <a href="/enrol">Change enrolment or units</a>
      </p>
    </Page>
  );
}

export default function Home() {
  const portfolio = usePortfolioWithEvidence();
  return (
    <LiveView live={portfolio} what="your portfolio">
      {(value) => (value ? <Dashboard portfolio={value} evidence={value.evidence} /> : <Welcome />)}
    </LiveView>
  );
}
