import { useMemo } from 'preact/hooks';
import { formatDate, todayIso } from '../../domain/dates';
import type { Evidence } from '../../domain/evidence';
import { competenceCoverage, computeProgress, offTheJobHours, type QualificationProgress } from '../../domain/progress';
import { LiveView } from '../components/feedback';
import { Page } from '../components/Page';
import { EvidenceLinks, Meter, UnitCard, pct } from '../components/UnitProgress';
import { usePortfolioWithEvidence, type Portfolio } from '../portfolio';

type Gap = QualificationProgress['gaps'][number];

/** The gap list reads unit by unit, outcome by outcome, instead of repeating both on every row. */
function groupGaps(gaps: Gap[]) {
  const units: Array<{ unitId: string; unitTitle: string; outcomes: Array<{ number: number; title: string; criteria: Gap['criterion'][] }> }> = [];
  for (const gap of gaps) {
    let unit = units.at(-1);
    if (unit?.unitId !== gap.unitId) units.push((unit = { unitId: gap.unitId, unitTitle: gap.unitTitle, outcomes: [] }));
    let outcome = unit.outcomes.at(-1);
    if (outcome?.number !== gap.outcomeNumber) unit.outcomes.push((outcome = { number: gap.outcomeNumber, title: gap.outcomeTitle, criteria: [] }));
    outcome.criteria.push(gap.criterion);
  }
  return units;
}

function ProgressView({ portfolio, evidence }: { portfolio: Portfolio; evidence: Evidence[] }) {
  const { enrolment, spec, icttech } = portfolio;
  const today = todayIso();
  const progress = useMemo(() => computeProgress(spec, enrolment.optionalUnitIds, evidence), [spec, enrolment, evidence]);
  const hours = useMemo(
    () => offTheJobHours(enrolment.plannedOffTheJobHoursPerWeek, enrolment.startDate, enrolment.plannedEndDate, today, evidence),
    [enrolment, evidence, today],
  );
  const competences = useMemo(() => (icttech ? competenceCoverage(icttech, evidence) : null), [icttech, evidence]);
  const titles = useMemo(() => new Map(evidence.map((e) => [e.id, e.title])), [evidence]);
  const q = progress.qualification;
  return (
    <>
      <section class="card" aria-labelledby="summary-heading">
        <h2 id="summary-heading" style={{ marginTop: 0 }}>
          {spec.title}
        </h2>
        <dl class="facts">
          <dt>Credits evidenced</dt>
          <dd>
            {q.creditsEvidenced} of {q.creditsRequired} ({pct(q.creditsEvidenced, q.creditsRequired)}%)
          </dd>
          <dt>Credits assessed</dt>
          <dd>
            {q.creditsAchieved} of {q.creditsRequired}
          </dd>
          <dt>Criteria with evidence</dt>
          <dd>
            {q.criteriaEvidenced} of {q.criteriaTotal} ({pct(q.criteriaEvidenced, q.criteriaTotal)}%)
          </dd>
          <dt>Rules of combination</dt>
          <dd>{q.rulesMetByAchieved ? 'Met by assessed units' : progress.rules.valid ? 'Your unit choice meets the rules; not yet achieved' : 'Your unit choice does not meet the rules yet'}</dd>
        </dl>
        {!progress.rules.valid && (
          <ul class="small">
            {progress.rules.problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="hours-heading">
        <h2 id="hours-heading" style={{ marginTop: 0 }}>
          Off-the-job hours
        </h2>
        <p>
          <strong>{hours.logged} hours</strong> logged against {hours.plannedToDate} planned by today ({hours.percentOfPlanToDate}%). Plan: {enrolment.plannedOffTheJobHoursPerWeek} hours a
          week, {Math.round(hours.plannedTotal)} hours by {formatDate(enrolment.plannedEndDate)}.
        </p>
        <Meter part={Math.min(hours.logged, hours.plannedToDate)} whole={hours.plannedToDate} label="Off-the-job hours against plan to date" />
      </section>
      <h2>Units</h2>
      {progress.units.map((unit) => (
        <UnitCard key={unit.unitId} unit={unit} titles={titles} />
      ))}
      <section class="card" aria-labelledby="gaps-heading" id="gaps">
        <h2 id="gaps-heading" style={{ marginTop: 0 }}>
          Gaps: criteria with no evidence ({progress.gaps.length})
        </h2>
        {progress.gaps.length === 0 ? (
          <p>Every known criterion of your units has evidence.</p>
        ) : (
          <div data-testid="gap-list">
            {groupGaps(progress.gaps).map((unit) => (
              <section key={unit.unitId}>
                <h3>{unit.unitTitle}</h3>
                {unit.outcomes.map((outcome) => (
                  <div key={outcome.number}>
                    <p class="small muted" style={{ margin: '0.25rem 0' }}>
                      Outcome {outcome.number}: {outcome.title}
                    </p>
                    <ul class="list">
                      {outcome.criteria.map((criterion) => (
                        <li key={criterion.id} style={{ padding: '0.4rem 0' }}>
                          <strong>{criterion.number}</strong> {criterion.text}
                        </li>
                      ))}
                    </ul>
                  </div>
                ))}
              </section>
            ))}
            <a class="button" href="/evidence/new">
              Log evidence for a gap
            </a>
          </div>
        )}
      </section>
      {competences && icttech && (
        <section class="card" aria-labelledby="icttech-heading">
          <h2 id="icttech-heading" style={{ marginTop: 0 }}>
            {icttech.title}
          </h2>
          <p class="small muted">Evidence you map to these competences can support an ICTTech registration application later.</p>
          {icttech.headings.map((heading) => (
            <div key={heading.code}>
              <h3>
                {heading.code}. {heading.title}
              </h3>
              <ul class="list">
                {heading.competences.map((c) => (
                  <li key={c.id} style={{ padding: '0.5rem 0' }}>
                    <strong>{c.code}</strong> {c.text}
                    <div>
                      <EvidenceLinks ids={competences.get(c.id) ?? []} titles={titles} />
                    </div>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}
    </>
  );
}

export default function Progress() {
  const portfolio = usePortfolioWithEvidence();
  return (
    <Page title="Your progress" lead="Worked out on this device from your evidence; it works offline.">
      <LiveView live={portfolio} what="your portfolio">
        {(value) =>
          value ? (
            <ProgressView portfolio={value} evidence={value.evidence} />
          ) : (
            <p>
              <a href="/enrol">Set up your portfolio</a> to see your progress.
            </p>
          )
        }
      </LiveView>
    </Page>
  );
}
