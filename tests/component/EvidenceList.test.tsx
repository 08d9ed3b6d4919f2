import { render, screen, waitFor } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { beforeEach, describe, expect, it } from 'vitest';
import EvidenceList from '../../src/app/screens/EvidenceList';
import { db } from '../../src/data/db';
import { createEvidence, deleteEvidence } from '../../src/data/evidence';
import { freshDatabase } from '../db-fixture';
import { seedEnrolledLearner } from '../seed';

beforeEach(async () => {
  await freshDatabase();
});

describe('Evidence list', () => {
  it('searches, and restores a deleted item', async () => {
    const enrolment = await seedEnrolledLearner();
    await createEvidence(enrolment.id, { title: 'Printer fault log', narrative: 'Toner sensor replaced' });
    await createEvidence(enrolment.id, { title: 'Team meeting notes' });
    const removed = await createEvidence(enrolment.id, { title: 'Old risk register' });
    await deleteEvidence(removed.id);
    const user = userEvent.setup();
    render(
      <LocationProvider>
        <EvidenceList />
      </LocationProvider>,
    );
    await screen.findByRole('link', { name: /Printer fault log/ });
    expect(screen.getByText('2 of 2 items')).toBeTruthy();
    await user.type(screen.getByLabelText('Search your evidence'), 'toner');
    expect(screen.getByText('1 of 2 items')).toBeTruthy();
    expect(screen.queryByRole('link', { name: /Team meeting/ })).toBeNull();
    await user.click(screen.getByText('Deleted evidence (1)'));
    await user.click(screen.getByRole('button', { name: 'Restore Old risk register' }));
    await waitFor(async () => expect((await db().evidence.get(removed.id))!.deletedAt).toBeNull());
  });
});

describe('Evidence list, page by page', () => {
  it('shows 100 rows, adds 100 a press, and leaves the rows already shown in place', async () => {
    const enrolment = await seedEnrolledLearner();
    for (let i = 1; i <= 205; i++) await createEvidence(enrolment.id, { title: `Item ${String(i).padStart(3, '0')}` });
    const user = userEvent.setup();
    render(
      <LocationProvider>
        <EvidenceList />
      </LocationProvider>,
    );
    await screen.findByText('205 of 205 items');
    const rows = () => [...screen.getByTestId('evidence-list').querySelectorAll(':scope > li')];
    expect(rows()).toHaveLength(100);
    const firstPage = rows();
    await user.click(screen.getByRole('button', { name: 'Show 100 more' }));
    expect(rows()).toHaveLength(200);
    // The rows already shown stay the same elements; the new page comes after them.
    expect(rows().slice(0, 100).every((row, i) => row === firstPage[i])).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Show 5 more' }));
    const all = rows();
    expect(all).toHaveLength(205);
    expect(new Set(all.map((row) => row.querySelector('.list-title')!.textContent)).size).toBe(205);
    expect(screen.queryByRole('button', { name: /^Show \d+ more$/ })).toBeNull();
  });
});
