import { render, screen, waitFor } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import AdminOverview from '../../src/app/admin/Overview';
import { useIsAdmin } from '../../src/app/admin/role';
import Users from '../../src/app/admin/Users';
import Specs from '../../src/app/admin/Specs';
import { forgetSignIn } from '../../src/data/session';
import { freshDatabase } from '../db-fixture';
import { FakeCentre, goOffline, signInAs } from './admin-fake-centre';

let centre: FakeCentre;
let backOnline: (() => void) | null = null;

beforeEach(async () => {
  await freshDatabase();
  await forgetSignIn();
  centre = new FakeCentre();
});

afterEach(() => {
  backOnline?.();
  backOnline = null;
});

describe('Admin pages: who may use them, and without a connection', () => {
  it('shows an admin the overview with links to each area', async () => {
    await signInAs(centre, 'ada@centre.example');
    render(
      <LocationProvider>
        <AdminOverview client={centre} />
      </LocationProvider>,
    );
    expect(await screen.findByText(/administrator of Northgate College/)).toBeTruthy();
    const main = screen.getByRole('main');
    const hrefs = [...main.querySelectorAll('a.list-link')].map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual(['/admin/users', '/admin/caseloads', '/admin/enrolments', '/admin/specs', '/admin/locks']);
    expect(document.title).toBe('Centre administration · ICT Portfolio');
  });

  it('refuses a learner, and never asks the centre for anything', async () => {
    await signInAs(centre, 'priya@centre.example');
    render(
      <LocationProvider>
        <Users client={centre} />
      </LocationProvider>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Only centre administrators can use these pages');
    expect(alert.textContent).toContain('Priya Shah (learner)');
    expect(screen.queryByRole('button', { name: 'Add person' })).toBeNull();
    expect(centre.calls).toEqual([]);
  });

  it('refuses an assessor, and a device that is not signed in', async () => {
    await signInAs(centre, 'sam@centre.example');
    const { unmount } = render(
      <LocationProvider>
        <Specs client={centre} />
      </LocationProvider>,
    );
    expect((await screen.findByRole('alert')).textContent).toContain('Only centre administrators can use these pages');
    unmount();
    await forgetSignIn();
    render(
      <LocationProvider>
        <Specs client={centre} />
      </LocationProvider>,
    );
    expect((await screen.findByRole('alert')).textContent).toMatch(/Only centre administrators.*not signed in/s);
    expect(centre.calls).toEqual([]);
  });

  it('says plainly that admin changes need a connection when the device is offline', async () => {
    await signInAs(centre, 'ada@centre.example');
    backOnline = goOffline();
    render(
      <LocationProvider>
        <Users client={centre} />
      </LocationProvider>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('You are offline: admin changes need a connection to your centre');
    expect(screen.queryByRole('button', { name: 'Add person' })).toBeNull();
    expect(centre.calls).toEqual([]);
    // Back online: the screen loads without a reload.
    backOnline();
    backOnline = null;
    expect(await screen.findByRole('button', { name: 'Add person' })).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId('admin-offline')).toBeNull());
  });

  it('keeps what was typed when the connection drops, and explains the failed save', async () => {
    await signInAs(centre, 'ada@centre.example');
    const user = userEvent.setup();
    render(
      <LocationProvider>
        <Users client={centre} />
      </LocationProvider>,
    );
    await user.type(await screen.findByLabelText('Full name'), 'Noor Begum');
    await user.type(screen.getByLabelText('Email', { exact: false }), 'noor@centre.example');
    await user.type(screen.getByLabelText('Initial password', { exact: false }), 'a-long-initial-pass');
    backOnline = goOffline();
    centre.offline = true;
    expect(await screen.findByTestId('admin-offline')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    await waitFor(() => expect(screen.getAllByTestId('admin-offline').length).toBe(2));
    expect((screen.getByLabelText('Full name') as HTMLInputElement).value).toBe('Noor Begum');
    expect((screen.getByLabelText('Initial password', { exact: false }) as HTMLInputElement).value).toBe('a-long-initial-pass');
    expect(centre.users.some((u) => u.email === 'noor@centre.example')).toBe(false);
  });

  it('shows the Admin link only to an admin', async () => {
    function Probe() {
      return <p data-testid="probe">{useIsAdmin() ? 'admin' : 'not admin'}</p>;
    }
    await signInAs(centre, 'priya@centre.example');
    const { unmount } = render(
      <LocationProvider>
        <Probe />
      </LocationProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toBe('not admin'));
    unmount();
    await signInAs(centre, 'ada@centre.example');
    render(
      <LocationProvider>
        <Probe />
      </LocationProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toBe('admin'));
  });
});
