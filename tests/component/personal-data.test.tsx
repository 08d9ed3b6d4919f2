import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Users from '../../src/app/admin/Users';
import { freshDatabase } from '../db-fixture';
import { FakeCentre, goOffline, signInAs } from './admin-fake-centre';

let centre: FakeCentre;
let online: (() => void) | null = null;
let clicks: ReturnType<typeof vi.spyOn>;

beforeEach(async () => {
  await freshDatabase();
  centre = new FakeCentre();
  await signInAs(centre, 'ada@centre.example');
  // The DOM here has no downloads: saveFile's link click is caught (a real click would navigate the test page).
  URL.createObjectURL = vi.fn(() => 'blob:zip');
  URL.revokeObjectURL = vi.fn();
  clicks = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
});
afterEach(() => {
  online?.();
  online = null;
  vi.restoreAllMocks();
});

async function openPersonalData(email: string) {
  const user = userEvent.setup();
  render(
    <LocationProvider>
      <Users client={centre} />
    </LocationProvider>,
  );
  const row = await screen.findByTestId(`user-${email}`);
  await user.click(within(row).getByRole('button', { name: /Personal data/ }));
  return { user, panel: await screen.findByTestId(`personal-data-${email}`) };
}

describe('Admin: a learner’s personal data', () => {
  it('downloads everything held about the learner', async () => {
    const { user, panel } = await openPersonalData('leo@centre.example');
    await user.click(within(panel).getByRole('button', { name: 'Download their data' }));
    await screen.findByText(/Downloaded personal-data-leo-martin-2026-11-23\.zip: everything the centre holds about Leo Martin/);
    expect(centre.calls.some((c) => c.path === `/api/personal-data/learners/${centre.user('leo@centre.example').id}/export`)).toBe(true);
    expect(clicks).toHaveBeenCalledTimes(1);
  });

  it('says when a learner can be erased, and offers no erasure before then', async () => {
    const { panel } = await openPersonalData('leo@centre.example');
    expect(await within(panel).findByText(/Leo Martin can be erased from 1 October 2030/)).toBeTruthy();
    expect(within(panel).queryByRole('button', { name: /Erase/ })).toBeNull();
  });

  it('erases only with a reason that does not name them and their name typed to confirm', async () => {
    const priya = centre.user('priya@centre.example');
    centre.erasable.add(priya.id);
    const { user, panel } = await openPersonalData('priya@centre.example');
    await user.click(await within(panel).findByRole('button', { name: 'Erase Priya Shah…' }));
    const form = within(panel).getByRole('form', { name: 'Erase Priya Shah' });
    expect(form.textContent).toContain('This cannot be undone');
    await user.click(within(form).getByRole('button', { name: 'Erase Priya Shah for good' }));
    expect(within(form).getByText('Give the reason for the erasure in at least 10 characters')).toBeTruthy();
    await user.type(within(form).getByLabelText('Why erase them?'), 'Retention period over; left in 2022.');
    await user.type(within(form).getByLabelText('Type “Priya Shah” to confirm'), 'Priya Sha');
    await user.click(within(form).getByRole('button', { name: 'Erase Priya Shah for good' }));
    expect(within(form).getByText('Type Priya Shah exactly, to confirm')).toBeTruthy();
    expect(centre.calls.some((c) => c.method === 'POST')).toBe(false);

    await user.type(within(form).getByLabelText('Type “Priya Shah” to confirm'), 'h');
    await user.click(within(form).getByRole('button', { name: 'Erase Priya Shah for good' }));
    await screen.findByText(/Priya Shah is erased: 12 records, 2 files and 2 device sessions are gone; 1 files another learner also holds are kept for them/);
    expect(centre.calls.find((c) => c.method === 'POST')?.body).toEqual({ reason: 'Retention period over; left in 2022.', confirmName: 'Priya Shah' });
    expect(screen.queryByTestId('user-priya@centre.example')).toBeNull();
  });

  it('says plainly that a connection is needed when offline', async () => {
    const user = userEvent.setup();
    render(
      <LocationProvider>
        <Users client={centre} />
      </LocationProvider>,
    );
    const row = await screen.findByTestId('user-leo@centre.example');
    online = goOffline();
    await user.click(within(row).getByRole('button', { name: /Personal data/ }));
    const panel = await screen.findByTestId('personal-data-leo@centre.example');
    expect(panel.textContent).toContain('You are offline. Downloading or erasing a learner’s data needs a connection');
    expect((within(panel).getByRole('button', { name: 'Download their data' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
