import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/preact';
import Caseload from '../../src/app/screens/Caseload';
import { settleWrites } from '../../src/data/pending-writes';
import { addDays, todayIso } from '../../src/domain/dates';
import { assessorServices, freshAssessorTablet, renderRoutes, seedEvidence, seedLearner } from './assessor-fixture';

const today = todayIso();
/** Planned time used by today: 75% (red with nothing assessed), 20% (amber), 1% (green). */
const AT_RISK = { startDate: addDays(today, -300), plannedEndDate: addDays(today, 100) };
const BEHIND = { startDate: addDays(today, -60), plannedEndDate: addDays(today, 240) };
const ON_TRACK = { startDate: addDays(today, -7), plannedEndDate: addDays(today, 693) };

beforeEach(freshAssessorTablet);
afterEach(async () => {
  await settleWrites();
  vi.restoreAllMocks();
});

const routes = [{ path: '/caseload', component: Caseload }];

describe('Caseload', () => {
  it('lists each learner with their status in words and items awaiting review, at risk first', async () => {
    const green = await seedLearner('Gina Green', 'Acme IT', ON_TRACK);
    const red = await seedLearner('Rob Red', 'Northgate IT', AT_RISK);
    await seedLearner('Amy Amber', 'Harbour Networks', BEHIND);
    await seedEvidence(red.enrolment.id, { title: 'Switch swap' });
    await seedEvidence(red.enrolment.id, { title: 'Risk assessment' });
    await seedEvidence(green.enrolment.id, { title: 'Cabling' });
    await seedEvidence(green.enrolment.id, { title: 'Still a draft', status: 'draft' });

    renderRoutes('/caseload', routes);
    await waitFor(() => expect(screen.getAllByTestId('caseload-learner')).toHaveLength(3));
    const rows = screen.getAllByTestId('caseload-learner');
    expect(rows.map((r) => within(r).getByRole('link').textContent)).toEqual([
      expect.stringContaining('Rob Red'),
      expect.stringContaining('Amy Amber'),
      expect.stringContaining('Gina Green'),
    ]);
    expect(rows[0]!.textContent).toContain('At risk');
    expect(rows[1]!.textContent).toContain('Behind plan');
    expect(rows[2]!.textContent).toContain('On track');
    expect(within(rows[0]!).getByTestId('awaiting').textContent).toBe('2 items');
    expect(within(rows[1]!).getByTestId('awaiting').textContent).toBe('None');
    // Drafts are the learner's own business: only submitted items wait for the assessor.
    expect(within(rows[2]!).getByTestId('awaiting').textContent).toBe('1 item');
    expect(within(rows[0]!).getByRole('link').getAttribute('href')).toBe(`/caseload/${red.id}`);
    expect(rows[0]!.textContent).toContain('Northgate IT');
    expect(screen.getByText(/3 items awaiting your review/)).toBeTruthy();
    expect(screen.getByTestId('visit-readiness').textContent).toContain('Everything for your visit is on this tablet');
  });

  it('says how many files are still downloading for the visit', async () => {
    const learner = await seedLearner('Rob Red', 'Northgate IT', AT_RISK);
    await seedEvidence(learner.enrolment.id, {
      title: 'Photo of the rack',
      attachments: [{ id: 'a'.repeat(64), name: 'rack.jpg', type: 'image/jpeg', size: 2048 }],
    });
    renderRoutes('/caseload', routes, assessorServices({ state: 'syncing' }));
    await waitFor(() => expect(screen.getByTestId('visit-readiness').textContent).toContain('1 file still downloading'));
  });

  it('offers to keep every file on the tablet when files are missing and nothing is downloading', async () => {
    const learner = await seedLearner('Rob Red', 'Northgate IT', AT_RISK);
    await seedEvidence(learner.enrolment.id, { attachments: [{ id: 'b'.repeat(64), name: 'notes.pdf', type: 'application/pdf', size: 10 }] });
    const services = assessorServices({ state: 'idle' });
    renderRoutes('/caseload', routes, services);
    const button = await screen.findByRole('button', { name: 'Keep every file on this tablet' });
    expect(screen.getByTestId('visit-readiness').textContent).toContain('1 file not on this tablet yet');
    button.click();
    await waitFor(() => expect(services.account.setKeepAllOffline).toHaveBeenCalledWith(true));
    await waitFor(() => expect(services.sync.syncNow).toHaveBeenCalled());
  });

  it('says plainly when the caseload is empty', async () => {
    renderRoutes('/caseload', routes);
    expect(await screen.findByText(/No learners on this tablet yet/)).toBeTruthy();
  });
});

describe('Assessor learner page', () => {
  it('puts evidence awaiting review first and records the learner’s declaration signed on the tablet', async () => {
    const { default: AssessorLearner } = await import('../../src/app/screens/AssessorLearner');
    const { stubCanvas } = await import('./assessor-fixture');
    const { db } = await import('../../src/data/db');
    const userEvent = (await import('@testing-library/user-event')).default;
    stubCanvas();
    const user = userEvent.setup();
    const learner = await seedLearner('Sam Patel', 'Acme IT', ON_TRACK);
    const waiting = await seedEvidence(learner.enrolment.id, { title: 'Switch swap' });
    await seedEvidence(learner.enrolment.id, { title: 'Old draft', status: 'draft' });
    renderRoutes(`/caseload/${learner.id}`, [{ path: '/caseload/:learnerId', component: AssessorLearner }]);

    const awaiting = await screen.findByTestId('evidence-group-awaiting');
    expect(within(awaiting).getByRole('link', { name: /Switch swap/ }).getAttribute('href')).toBe(`/review/${waiting.id}`);
    expect(screen.getByTestId('evidence-group-drafts').textContent).toContain('Old draft');
    expect(screen.getByRole('link', { name: 'Observation' }).getAttribute('href')).toBe(`/caseload/${learner.id}/record/observation`);

    await user.click(screen.getByRole('button', { name: "Collect Sam Patel's declaration" }));
    const panel = await screen.findByTestId('declaration-panel');
    expect(within(panel).getByTestId('declaration-text').textContent).toContain('I confirm that the evidence listed is my own work');
    // Drafts are not declared; the submitted item is chosen already.
    expect(within(panel).getAllByRole('checkbox').map((c) => (c as HTMLInputElement).checked)).toEqual([true]);
    await user.click(within(panel).getByRole('button', { name: 'Sign with keyboard as Sam Patel' }));
    await user.click(within(panel).getByRole('button', { name: 'Record the declaration' }));

    expect((await screen.findByTestId('signed-notice')).textContent).toContain("Sam Patel's declaration is recorded");
    const [declaration] = await db().decisions.toArray();
    expect(declaration).toMatchObject({ kind: 'declaration', outcome: 'declared', signedFor: 'Sam Patel', evidenceIds: [waiting.id] });
  });
});
