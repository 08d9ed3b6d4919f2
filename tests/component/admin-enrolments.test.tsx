import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { beforeEach, describe, expect, it } from 'vitest';
import Enrolments from '../../src/app/admin/Enrolments';
import spec0403 from '../../qualifications/4520-03.json';
import { freshDatabase } from '../db-fixture';
import { VALID_4520_03_OPTIONAL } from '../seed';
import { FakeCentre, signInAs } from './admin-fake-centre';

let centre: FakeCentre;

beforeEach(async () => {
  await freshDatabase();
  centre = new FakeCentre();
  // A second version of 4520-03: new enrolments default to it, older ones keep version 1.
  centre.addSpecVersion({ ...spec0403, version: 2, note: 'Version 2: corrected unit titles.' });
  await signInAs(centre, 'ada@centre.example');
});

function renderEnrolments() {
  render(
    <LocationProvider>
      <Enrolments client={centre} />
    </LocationProvider>,
  );
}

function unitCheckbox(unitId: string): HTMLInputElement {
  const found = screen.getAllByRole('checkbox').find((el) => (el as HTMLInputElement).value === unitId);
  if (!found) throw new Error(`No checkbox for unit ${unitId}`);
  return found as HTMLInputElement;
}

async function fillForm(user: ReturnType<typeof userEvent.setup>, startDate = '2026-03-02', plannedEndDate = '2027-09-30') {
  await user.selectOptions(await screen.findByLabelText('Learner'), centre.user('priya@centre.example').id);
  await user.selectOptions(screen.getByLabelText('Qualification'), '4520-03');
  await user.type(screen.getByLabelText(/^Start date/), startDate);
  await user.type(screen.getByLabelText(/^Planned end date/), plannedEndDate);
}

describe('Admin: enrolments', () => {
  it('enrols a learner on the latest version with the rules of combination checked live', async () => {
    const user = userEvent.setup();
    renderEnrolments();
    await fillForm(user);
    expect((screen.getByLabelText(/^Spec version/) as HTMLSelectElement).value).toBe('2');
    expect(screen.getByRole('option', { name: 'Version 2 (latest)' })).toBeTruthy();
    const summary = await screen.findByTestId('rules-summary');
    expect(summary.textContent).toContain('These units do not meet the rules yet');
    expect(summary.textContent).toContain('12 credits chosen, 72 needed');
    // The same live hint as the learner's screen: a unit that would break a rule says so.
    await user.click(screen.getByRole('checkbox', { name: /Technical advice and guidance/i }));
    expect(screen.getByTestId('rules-summary').textContent).toContain('24 credits chosen, 72 needed');
    await user.click(screen.getByRole('checkbox', { name: /Technical advice and guidance/i }));
    for (const unitId of VALID_4520_03_OPTIONAL) await user.click(unitCheckbox(unitId));
    await waitFor(() => expect(screen.getByTestId('rules-summary').textContent).toContain('These units meet the rules of combination'));
    await user.click(screen.getByRole('button', { name: 'Enrol learner' }));
    await screen.findByText('Enrolled Priya Shah on 4520-03, spec version 2.');
    expect(centre.enrolments).toHaveLength(1);
    expect(centre.enrolments[0]).toMatchObject({ learnerId: centre.user('priya@centre.example').id, qualificationId: '4520-03', qualificationVersion: 2, startDate: '2026-03-02', plannedEndDate: '2027-09-30', plannedOffTheJobHoursPerWeek: 6 });
    expect([...centre.enrolments[0]!.optionalUnitIds].sort()).toEqual([...VALID_4520_03_OPTIONAL].sort());
    expect(within(screen.getByTestId('enrolment-list')).getByText('Priya Shah')).toBeTruthy();
  });

  it('lets an older spec version be chosen, and the enrolment keeps it', async () => {
    const user = userEvent.setup();
    renderEnrolments();
    await fillForm(user);
    await user.selectOptions(screen.getByLabelText(/^Spec version/), '1');
    await waitFor(() => expect(screen.getByTestId('enrol-spec-facts').textContent).toContain('version 1'));
    await user.click(screen.getByRole('button', { name: 'Enrol learner' }));
    await screen.findByText('Enrolled Priya Shah on 4520-03, spec version 1.');
    expect(centre.enrolments[0]?.qualificationVersion).toBe(1);
    expect(centre.calls.some((c) => c.path === '/api/specs/4520-03/1')).toBe(true);
    expect(screen.getByTestId('enrolment-list').textContent).toContain('Stays on version 1; version 2 is the latest.');
  });

  it('refuses a start date after the qualification closed to registrations, and keeps the form', async () => {
    const user = userEvent.setup();
    renderEnrolments();
    await fillForm(user, '2026-09-15', '2028-01-31');
    await user.click(screen.getByRole('button', { name: 'Enrol learner' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/closed to new registrations/i);
    expect(alert.textContent).toContain('31 Aug 2026');
    expect(centre.calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect((screen.getByLabelText('Learner') as HTMLSelectElement).value).toBe(centre.user('priya@centre.example').id);
  });

  it('lists what is missing before sending anything', async () => {
    const user = userEvent.setup();
    renderEnrolments();
    await user.click(await screen.findByRole('button', { name: 'Enrol learner' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Choose the learner to enrol');
    expect(alert.textContent).toContain('Choose the qualification');
    expect(centre.calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('shows the centre’s refusal and keeps every choice', async () => {
    const user = userEvent.setup();
    renderEnrolments();
    await fillForm(user);
    await screen.findByTestId('rules-summary');
    await user.click(unitCheckbox(VALID_4520_03_OPTIONAL[0]!));
    centre.failNext = { status: 409, error: 'already-enrolled', message: 'This learner is already enrolled on 4520-03.' };
    await user.click(screen.getByRole('button', { name: 'Enrol learner' }));
    expect((await screen.findByRole('alert')).textContent).toContain('already enrolled on 4520-03');
    expect(unitCheckbox(VALID_4520_03_OPTIONAL[0]!).checked).toBe(true);
    expect((screen.getByLabelText(/^Start date/) as HTMLInputElement).value).toBe('2026-03-02');
  });
});
