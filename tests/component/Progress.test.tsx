import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { beforeEach, describe, expect, it } from 'vitest';
import Progress from '../../src/app/screens/Progress';
import { createEvidence, deleteEvidence } from '../../src/data/evidence';
import { freshDatabase } from '../db-fixture';
import { seedEnrolledLearner } from '../seed';

beforeEach(async () => {
  await freshDatabase();
});

describe('Progress screen', () => {
  it('shows evidence per criterion, the gaps, hours and ICTTech coverage', async () => {
    const enrolment = await seedEnrolledLearner();
    await createEvidence(enrolment.id, {
      title: 'Diagnosed a failed switch',
      criterionIds: ['A/601/3293:1.1', 'health-and-safety-in-ict:1.1', 'icttech:B1'],
      hours: 4,
      offTheJob: true,
      activityDate: '2026-10-01',
    });
    const gone = await createEvidence(enrolment.id, { title: 'Deleted item', criterionIds: ['A/601/3293:1.2'] });
    await deleteEvidence(gone.id);
    render(
      <LocationProvider>
        <Progress />
      </LocationProvider>,
    );
    const gaps = await screen.findByTestId('gap-list');
    // Evidenced criteria are not gaps; a criterion whose only evidence is deleted is.
    expect(gaps.textContent).not.toContain('Describe the steps of the diagnostic process');
    expect(gaps.textContent).toContain('Describe the types of diagnostic information');
    // A unit card draws its evidence links when it is opened (the ICTTech list is not in a card).
    expect(screen.getAllByRole('link', { name: 'Diagnosed a failed switch' })).toHaveLength(1);
    const user = userEvent.setup();
    for (const card of document.querySelectorAll<HTMLDetailsElement>('details.unit-progress')) await user.click(card.querySelector('summary')!);
    await waitFor(() => expect(screen.getAllByRole('link', { name: 'Diagnosed a failed switch' }).length).toBeGreaterThanOrEqual(3));
    expect(screen.queryByRole('link', { name: 'Deleted item' })).toBeNull();
    const hours = screen.getByRole('heading', { name: 'Off-the-job hours' }).parentElement!;
    expect(within(hours).getByText(/4 hours/)).toBeTruthy();
    // Incomplete units say so instead of inventing content.
    expect(screen.getAllByText(/full content is not known on this device/).length).toBeGreaterThan(0);
  });
});

describe('Progress screen with many items on one criterion', () => {
  it('shows the first links and draws the rest when "N more" is opened', async () => {
    const enrolment = await seedEnrolledLearner();
    for (let i = 1; i <= 13; i++) await createEvidence(enrolment.id, { title: `Ticket ${i}`, criterionIds: ['icttech:B1'] });
    render(
      <LocationProvider>
        <Progress />
      </LocationProvider>,
    );
    await screen.findByTestId('gap-list');
    const links = () => screen.queryAllByRole('link', { name: /^Ticket \d+$/ });
    expect(links()).toHaveLength(10);
    const more = screen.getByText('and 3 more');
    expect(more.tagName).toBe('SUMMARY');
    await userEvent.setup().click(more);
    await waitFor(() => expect(links()).toHaveLength(13));
    expect(new Set(links().map((a) => a.textContent)).size).toBe(13);
  });
});
