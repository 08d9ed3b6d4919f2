import { render, screen } from '@testing-library/preact';
import { LocationProvider } from 'preact-iso';
import { beforeEach, describe, expect, it } from 'vitest';
import Home from '../../src/app/screens/Home';
import { createEvidence, deleteEvidence } from '../../src/data/evidence';
import { seedShippedFrameworks } from '../../src/data/frameworks';
import { freshDatabase } from '../db-fixture';
import { seedEnrolledLearner } from '../seed';

beforeEach(async () => {
  await freshDatabase();
});

const renderHome = () =>
  render(
    <LocationProvider>
      <Home />
    </LocationProvider>,
  );

describe('Home screen', () => {
  it('invites a new learner to set up their portfolio', async () => {
    await seedShippedFrameworks();
    renderHome();
    expect(await screen.findByRole('link', { name: 'Set up my portfolio' })).toHaveProperty('href', expect.stringContaining('/enrol'));
  });

  it('summarises progress, hours and recent evidence, ignoring deleted items', async () => {
    const enrolment = await seedEnrolledLearner();
    await createEvidence(enrolment.id, { title: 'Switch replacement', criterionIds: ['A/601/3293:1.1'], hours: 3, offTheJob: true, activityDate: '2026-10-01' });
    const removed = await createEvidence(enrolment.id, { title: 'Wrong upload', hours: 50, offTheJob: true });
    await deleteEvidence(removed.id);
    renderHome();
    expect(await screen.findByRole('heading', { level: 1, name: 'Hello, Priya Shah' })).toBeTruthy();
    expect(screen.getByRole('link', { name: /Switch replacement/ })).toBeTruthy();
    expect(screen.queryByText(/Wrong upload/)).toBeNull();
    const hours = screen.getByRole('heading', { name: 'Off-the-job hours' }).parentElement!;
    expect(hours.textContent).toContain('3 hours logged');
    const criteria = screen.getByRole('heading', { name: 'Criteria with evidence' }).parentElement!;
    expect(criteria.textContent).toMatch(/^Criteria with evidence1 of \d+/);
  });

  it('warns on the home screen when certification closes within 90 days', async () => {
    // 4520-04 certificates end on 31 Dec 2026; a learner registered in 2023 still has an enrolment.
    await seedEnrolledLearner({ qualificationId: '4520-04', optionalUnitIds: [], startDate: '2023-09-01', plannedEndDate: '2026-12-15' });
    renderHome();
    const warning = await screen.findByTestId('certification-warning');
    expect(warning.textContent).toContain('31 Dec 2026');
  });
});

describe('Home screen for staff accounts', () => {
  it('does not invite an assessor to set up a portfolio of their own', async () => {
    const { ServicesProvider, defaultServices } = await import('../../src/app/services');
    const base = defaultServices();
    const assessor = { id: '00000000-0000-4000-8000-000000000001', name: 'Tom Okafor', email: 't@example.org', role: 'assessor' as const, centreId: '00000000-0000-4000-8000-000000000002', centreName: 'Demo College' };
    const state = { signIn: { token: 'x'.repeat(43), sessionId: assessor.id, expiresAt: '2027-01-01T00:00:00Z', user: assessor }, databaseName: 'test' };
    const account = { ...base.account, get: () => state, subscribe: () => () => undefined } as typeof base.account;
    await seedShippedFrameworks();
    render(
      <ServicesProvider services={{ ...base, account }}>
        <LocationProvider>
          <Home />
        </LocationProvider>
      </ServicesProvider>,
    );
    expect(await screen.findByRole('heading', { name: 'Signed in as an assessor' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Set up my portfolio' })).toBeNull();
  });
});
