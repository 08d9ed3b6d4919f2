import { useMemo } from 'preact/hooks';
import { formatDate } from '../../domain/dates';
import type { Evidence } from '../../domain/evidence';
import { groupByIctTech, STATUS_WORDS } from '../../domain/icttech';
import type { CompetenceStandard } from '../../domain/qualification';
import { LiveView } from '../components/feedback';
import { Page } from '../components/Page';
import { usePortfolioWithEvidence, type PortfolioWithEvidence } from '../portfolio';

/**
 * The learner's evidence under the ICTTech competences A to E (src/domain/icttech.ts), worked out
 * on the device so it works offline, and printable as a summary for a registration application.
 */

// Printing leaves out the app's own chrome so the page reads as a document: the print rules are in
// styles.css under body:has(.icttech-summary) (an inline <style> would be refused by the centre's
// Content-Security-Policy, style-src 'self').

function itemDate(activityDate: string | null, createdAt: string): string {
  return activityDate ? formatDate(activityDate) : `logged ${formatDate(createdAt.slice(0, 10))}`;
}

function Summary({ std, evidence, learnerName }: { std: CompetenceStandard; evidence: Evidence[]; learnerName: string }) {
  const summary = useMemo(() => groupByIctTech(std, evidence), [std, evidence]);
  const t = summary.totals;
  return (
    <>
      <section class="card icttech-summary" aria-labelledby="icttech-summary-heading">
        <h2 id="icttech-summary-heading" style={{ marginTop: 0 }}>
          {learnerName}: {std.title}
        </h2>
        <p>
          {t.covered} of {t.competences} competences have evidence; {t.coveredBySignedOff} have evidence your assessor has signed off.
        </p>
        <p class="small muted">{summary.mappingNote}</p>
        {t.notMapped > 0 && (
          <p class="small no-print">
            {t.notMapped} of your items {t.notMapped === 1 ? 'is' : 'are'} not mapped to any ICTTech competence. <a href="/evidence">Open an item</a> to add the competences it shows.
          </p>
        )}
        <div class="actions no-print">
          <button class="button" type="button" onClick={() => window.print()}>
            Print
          </button>
        </div>
      </section>
      {summary.headings.map((heading) => (
        <section key={heading.code} class="card" aria-labelledby={`icttech-${heading.code}`}>
          <h2 id={`icttech-${heading.code}`} style={{ marginTop: 0 }}>
            {heading.code}. {heading.title}{' '}
            <span class="small muted" style={{ fontWeight: 400 }}>
              ({heading.covered} of {heading.competences.length} with evidence)
            </span>
          </h2>
          {heading.competences.map((c) => (
            <div key={c.id}>
              <h3>
                {c.code} <span style={{ fontWeight: 400 }}>{c.text}</span>
              </h3>
              {c.items.length === 0 ? (
                <p class="small muted">No evidence mapped yet.</p>
              ) : (
                <ul class="list">
                  {c.items.map((item) => (
                    <li key={item.id} style={{ padding: '0.5rem 0' }}>
                      <a href={`/evidence/${item.id}`}>{item.title}</a> <span class={`tag ${item.status}`}>{STATUS_WORDS[item.status]}</span>
                      <span class="small muted" style={{ display: 'block' }}>
                        {itemDate(item.activityDate, item.createdAt)} · last changed {formatDate(item.updatedAt.slice(0, 10))}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
        </section>
      ))}
      {std.note && <p class="small muted">{std.note}</p>}
    </>
  );
}

function Enrolled({ portfolio }: { portfolio: PortfolioWithEvidence }) {
  if (!portfolio.icttech) return <p>The ICTTech standard is not on this device yet. Connect to the internet once and open this page again.</p>;
  return <Summary std={portfolio.icttech} evidence={portfolio.evidence} learnerName={portfolio.profile.name} />;
}

export default function IctTech() {
  const portfolio = usePortfolioWithEvidence();
  return (
    <Page title="ICTTech" lead="Your evidence under the IET ICTTech competences A to E, ready to support a registration application. It works offline.">
      <LiveView live={portfolio} what="your portfolio">
        {(value) =>
          value ? (
            <Enrolled portfolio={value} />
          ) : (
            <p>
              <a href="/enrol">Set up your portfolio</a> to see your evidence under the ICTTech competences.
            </p>
          )
        }
      </LiveView>
    </Page>
  );
}
