import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { beforeEach, describe, expect, it } from 'vitest';
import Users from '../../src/app/admin/Users';
import { freshDatabase } from '../db-fixture';
import { FakeCentre, signInAs } from './admin-fake-centre';

let centre: FakeCentre;

beforeEach(async () => {
  await freshDatabase();
  centre = new FakeCentre();
  await signInAs(centre, 'ada@centre.example');
});

function renderUsers() {
  render(
    <LocationProvider>
      <Users client={centre} />
    </LocationProvider>,
  );
}

function row(email: string): HTMLElement {
  return screen.getByTestId(`user-${email}`);
}

describe('Admin: users', () => {
  it('lists everyone with their role and status', async () => {
    centre.user('zoe@centre.example').disabled = true;
    renderUsers();
    await screen.findByTestId('user-priya@centre.example');
    expect(row('priya@centre.example').textContent).toContain('Learner');
    expect(row('priya@centre.example').textContent).toContain('Active');
    expect(row('ian@centre.example').textContent).toContain('IQA');
    expect(row('zoe@centre.example').textContent).toContain('Disabled');
    // The admin cannot lock themselves out from here.
    expect(within(row('ada@centre.example')).queryByRole('button', { name: /Disable/ })).toBeNull();
  });

  it('creates a user with a role and an initial password', async () => {
    const user = userEvent.setup();
    renderUsers();
    await user.type(await screen.findByLabelText('Full name'), 'Noor Begum');
    await user.type(screen.getByLabelText(/^Email/), 'Noor@Centre.example');
    await user.selectOptions(screen.getByLabelText('Role'), 'assessor');
    await user.type(screen.getByLabelText(/^Initial password/), 'correct-horse-battery');
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    await screen.findByText(/Added Noor Begum as an assessor/);
    expect(centre.calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Noor Begum', email: 'noor@centre.example', role: 'assessor', password: 'correct-horse-battery' });
    expect(row('noor@centre.example').textContent).toContain('Assessor');
    // The form is ready for the next person.
    expect((screen.getByLabelText('Full name') as HTMLInputElement).value).toBe('');
  });

  it('lists every problem before sending, and keeps the values when the centre refuses', async () => {
    const user = userEvent.setup();
    renderUsers();
    await user.type(await screen.findByLabelText(/^Email/), 'not-an-email');
    await user.type(screen.getByLabelText(/^Initial password/), 'short');
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    const summary = await screen.findByRole('alert');
    expect(summary.textContent).toContain('Enter the person’s name');
    expect(summary.textContent).toContain('Enter an email address');
    expect(summary.textContent).toContain('at least 10 characters');
    expect(centre.calls.filter((c) => c.method === 'POST')).toEqual([]);

    await user.type(screen.getByLabelText('Full name'), 'Priya Again');
    await user.clear(screen.getByLabelText(/^Email/));
    await user.type(screen.getByLabelText(/^Email/), 'priya@centre.example');
    await user.clear(screen.getByLabelText(/^Initial password/));
    await user.type(screen.getByLabelText(/^Initial password/), 'long-enough-password');
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    expect((await screen.findByRole('alert')).textContent).toContain('That email address already belongs to an account');
    expect((screen.getByLabelText('Full name') as HTMLInputElement).value).toBe('Priya Again');
    expect((screen.getByLabelText(/^Initial password/) as HTMLInputElement).value).toBe('long-enough-password');
  });

  it('changes a person’s name and role', async () => {
    const user = userEvent.setup();
    renderUsers();
    await screen.findByTestId('user-ian@centre.example');
    await user.click(within(row('ian@centre.example')).getByRole('button', { name: 'Edit Ian Quality' }));
    const form = screen.getByRole('form', { name: 'Edit Ian Quality' });
    const name = within(form).getByLabelText('Full name');
    await user.clear(name);
    await user.type(name, 'Ian Quayle');
    await user.selectOptions(within(form).getByLabelText('Role'), 'assessor');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Saved changes to Ian Quayle.');
    expect(centre.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: 'Ian Quayle', role: 'assessor' });
    expect(centre.user('ian@centre.example')).toMatchObject({ name: 'Ian Quayle', role: 'assessor' });
    expect(row('ian@centre.example').textContent).toContain('Assessor');
  });

  it('disables an account only after confirmation, and enables it again', async () => {
    const user = userEvent.setup();
    renderUsers();
    await screen.findByTestId('user-leo@centre.example');
    await user.click(within(row('leo@centre.example')).getByRole('button', { name: 'Disable Leo Martin' }));
    expect(centre.calls.filter((c) => c.method === 'PATCH')).toEqual([]);
    const confirm = screen.getByRole('group', { name: 'Disable Leo Martin?' });
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(centre.user('leo@centre.example').disabled).toBe(false);

    await user.click(within(row('leo@centre.example')).getByRole('button', { name: 'Disable Leo Martin' }));
    await user.click(screen.getByRole('button', { name: 'Yes, disable the account' }));
    await waitFor(() => expect(row('leo@centre.example').textContent).toContain('Disabled'));
    expect(centre.user('leo@centre.example').disabled).toBe(true);

    await user.click(within(row('leo@centre.example')).getByRole('button', { name: 'Enable Leo Martin' }));
    await user.click(screen.getByRole('button', { name: 'Yes, enable the account' }));
    await waitFor(() => expect(row('leo@centre.example').textContent).toContain('Active'));
    expect(centre.user('leo@centre.example').disabled).toBe(false);
  });

  it('shows a person’s device sessions and signs one device out', async () => {
    const priya = centre.user('priya@centre.example');
    const lost = centre.addSession(priya.id, 'Lost phone');
    centre.addSession(priya.id, 'College laptop');
    const user = userEvent.setup();
    renderUsers();
    await screen.findByTestId('user-priya@centre.example');
    await user.click(within(row('priya@centre.example')).getByRole('button', { name: 'Devices of Priya Shah' }));
    const devices = await screen.findByRole('region', { name: 'Devices signed in as Priya Shah' });
    await user.click(await within(devices).findByRole('button', { name: 'Sign out device Lost phone' }));
    await screen.findByText(/Lost phone is signed out of Priya Shah's account/);
    expect(centre.calls.some((c) => c.method === 'POST' && c.path === `/api/admin/sessions/${lost.id}/revoke`)).toBe(true);
    await waitFor(() => expect(within(devices).queryByRole('button', { name: 'Sign out device Lost phone' })).toBeNull());
    expect(within(devices).getByRole('button', { name: 'Sign out device College laptop' })).toBeTruthy();
  });

  it('shows the centre’s reason when it refuses a change', async () => {
    const user = userEvent.setup();
    renderUsers();
    await screen.findByTestId('user-priya@centre.example');
    centre.failNext = { status: 409, error: 'has-portfolio', message: 'Priya Shah has enrolments or evidence, so they must stay a learner. Disable the account instead.' };
    await user.click(within(row('priya@centre.example')).getByRole('button', { name: 'Edit Priya Shah' }));
    const form = screen.getByRole('form', { name: 'Edit Priya Shah' });
    await user.selectOptions(within(form).getByLabelText('Role'), 'assessor');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('must stay a learner');
    expect((within(form).getByLabelText('Role') as HTMLSelectElement).value).toBe('assessor');
  });
});
