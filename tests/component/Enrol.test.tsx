import { render, screen, waitFor } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../src/data/db';
import { seedShippedFrameworks } from '../../src/data/frameworks';
import Enrol from '../../src/app/screens/Enrol';
import { freshDatabase } from '../db-fixture';
import { VALID_4520_03_OPTIONAL } from '../seed';

beforeEach(async () => {
  await freshDatabase();
  await seedShippedFrameworks();
});

function renderEnrol() {
  return render(
    <LocationProvider>
      <Enrol />
    </LocationProvider>,
  );
}

async function fillAboutAndDates(user: ReturnType<typeof userEvent.setup>, startDate = '2026-03-02', plannedEndDate = '2027-09-30') {
  await user.type(await screen.findByLabelText('Your full name'), 'Priya Shah');
  await user.type(screen.getByLabelText('Employer'), 'Northgate IT Services');
  await user.click(screen.getByRole('radio', { name: /Level 3 Diploma/ }));
  await user.type(screen.getByLabelText('Start date'), startDate);
  await user.type(screen.getByLabelText('Planned end date'), plannedEndDate);
}

describe('Enrol screen', () => {
  it('checks the rules of combination live and saves a valid enrolment', async () => {
    const user = userEvent.setup();
    renderEnrol();
    await fillAboutAndDates(user);
    const summary = screen.getByTestId('rules-summary');
    expect(summary.textContent).toContain('do not meet the rules yet');
    expect(summary.textContent).toContain('12 credits chosen, 72 needed');
    for (const unitId of VALID_4520_03_OPTIONAL) await user.click(unitCheckbox(unitId));
    await waitFor(() => expect(screen.getByTestId('rules-summary').textContent).toContain('meet the rules of combination'));
    await user.click(screen.getByRole('button', { name: 'Save and start my portfolio' }));
    await waitFor(async () => expect(await db().enrolments.count()).toBe(1));
    const [enrolment] = await db().enrolments.toArray();
    expect(enrolment).toMatchObject({ qualificationId: '4520-03', qualificationVersion: 1, startDate: '2026-03-02', plannedOffTheJobHoursPerWeek: 6 });
    expect([...enrolment!.optionalUnitIds].sort()).toEqual([...VALID_4520_03_OPTIONAL].sort());
    expect(await db().profile.toArray()).toMatchObject([{ name: 'Priya Shah', employer: 'Northgate IT Services' }]);
    // The enrolment and profile are queued for the centre in the same transaction.
    expect((await db().outbox.toArray()).map((m) => m.entity).sort()).toEqual(['enrolment', 'profile']);
  });

  it('names the rule an invalid choice breaks', async () => {
    const user = userEvent.setup();
    renderEnrol();
    await fillAboutAndDates(user);
    await user.click(screen.getByRole('checkbox', { name: /Technical advice and guidance/i }));
    const summary = screen.getByTestId('rules-summary');
    expect(summary.textContent).toMatch(/optional/i);
    expect(summary.textContent).toContain('24 credits chosen, 72 needed');
  });

  it('refuses a registration after the qualification closed, and says why', async () => {
    const user = userEvent.setup();
    renderEnrol();
    await fillAboutAndDates(user, '2026-09-15', '2028-01-31');
    await user.click(screen.getByRole('button', { name: 'Save and start my portfolio' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/closed to new registrations/i);
    expect(alert.textContent).toContain('31 Aug 2026');
    expect(await db().enrolments.count()).toBe(0);
    // Nothing typed is lost.
    expect((screen.getByLabelText('Your full name') as HTMLInputElement).value).toBe('Priya Shah');
  });

  it('lists missing fields in an error summary', async () => {
    const user = userEvent.setup();
    renderEnrol();
    await user.click(await screen.findByRole('button', { name: 'Save and start my portfolio' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Enter your name');
    expect(alert.textContent).toContain('Choose the qualification you are registered on');
  });

  it('warns when the planned end date is after the last certification date', async () => {
    const user = userEvent.setup();
    renderEnrol();
    await fillAboutAndDates(user, '2026-03-02', '2029-12-31');
    expect(screen.getByTestId('certification-warning').textContent).toContain('31 Aug 2029');
  });
});

/** Two units share a title at different levels (Technical Fault Diagnosis L3 and L4), so pick by unit id. */
function unitCheckbox(unitId: string): HTMLInputElement {
  const box = screen.getAllByRole('checkbox').find((el) => (el as HTMLInputElement).value === unitId);
  if (!box) throw new Error(`No checkbox for unit ${unitId}`);
  return box as HTMLInputElement;
}
