import { render, screen, waitFor } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { beforeEach, describe, expect, it } from 'vitest';
import Caseloads from '../../src/app/admin/Caseloads';
import { freshDatabase } from '../db-fixture';
import { FakeCentre, signInAs } from './admin-fake-centre';

let centre: FakeCentre;

beforeEach(async () => {
  await freshDatabase();
  centre = new FakeCentre();
  await signInAs(centre, 'ada@centre.example');
});

function renderCaseloads() {
  render(
    <LocationProvider>
      <Caseloads client={centre} />
    </LocationProvider>,
  );
}

const box = (name: RegExp) => screen.getByRole('checkbox', { name }) as HTMLInputElement;

describe('Admin: assessor caseloads', () => {
  it('picks learners with search and saves the caseload', async () => {
    const user = userEvent.setup();
    renderCaseloads();
    const assessor = await screen.findByLabelText('Assessor');
    await user.selectOptions(assessor, centre.user('tess@centre.example').id);
    await user.click(box(/Priya Shah/));
    await user.type(screen.getByLabelText('Find a learner'), 'zoe');
    expect(screen.queryByRole('checkbox', { name: /Priya Shah/ })).toBeNull();
    await user.click(box(/Zoe Clark/));
    // Priya is hidden by the search but still chosen.
    expect(screen.getByTestId('caseload-count').textContent).toContain('2 of 3 learners chosen (1 not shown by this search) · not saved yet');
    await user.click(screen.getByRole('button', { name: "Save Tess Assessor's caseload" }));
    await screen.findByText("Saved: 2 learners on Tess Assessor's caseload.");
    const tess = centre.user('tess@centre.example');
    expect(new Set(tess.caseload)).toEqual(new Set([centre.user('priya@centre.example').id, centre.user('zoe@centre.example').id]));
    expect(centre.calls.find((c) => c.method === 'PUT')?.path).toBe(`/api/admin/caseloads/${tess.id}`);
    expect(screen.getByTestId('caseload-count').textContent).not.toContain('not saved');
  });

  it('keeps each assessor’s unsaved choice when switching, and after a failed save', async () => {
    const user = userEvent.setup();
    renderCaseloads();
    const assessor = await screen.findByLabelText('Assessor');
    const sam = centre.user('sam@centre.example');
    const tess = centre.user('tess@centre.example');
    await user.selectOptions(assessor, sam.id);
    await user.click(box(/Leo Martin/));
    await user.selectOptions(assessor, tess.id);
    expect(box(/Leo Martin/).checked).toBe(false);
    await user.selectOptions(assessor, sam.id);
    expect(box(/Leo Martin/).checked).toBe(true);

    centre.failNext = { status: 503, error: 'unavailable', message: 'The centre is restarting. Try again in a minute.' };
    await user.click(screen.getByRole('button', { name: "Save Sam Assessor's caseload" }));
    expect((await screen.findByRole('alert')).textContent).toContain('The centre is restarting');
    expect(box(/Leo Martin/).checked).toBe(true);
    expect(sam.caseload).toEqual([]);

    await user.click(screen.getByRole('button', { name: "Save Sam Assessor's caseload" }));
    await waitFor(() => expect(sam.caseload).toEqual([centre.user('leo@centre.example').id]));
  });

  it('shows which other assessors a learner already has', async () => {
    const sam = centre.user('sam@centre.example');
    const priya = centre.user('priya@centre.example');
    sam.caseload = [priya.id];
    priya.assessors = [sam.id];
    const user = userEvent.setup();
    renderCaseloads();
    await user.selectOptions(await screen.findByLabelText('Assessor'), centre.user('tess@centre.example').id);
    expect(box(/Priya Shah/).closest('label')!.textContent).toContain('also with Sam Assessor');
  });
});
