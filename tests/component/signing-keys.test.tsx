import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Users from '../../src/app/admin/Users';
import { AccountPanel } from '../../src/app/components/AccountPanel';
import { ServicesProvider, type AppServices } from '../../src/app/services';
import { db, deleteDatabase } from '../../src/data/db';
import { ensureSigningKey } from '../../src/data/keys';
import { databaseNameFor, forgetSignIn, rememberSignIn } from '../../src/data/session';
import { createAccountService } from '../../src/sync/account';
import { syncSigningKeys } from '../../src/sync/keys';
import { createSyncRuntime } from '../../src/sync/runtime';
import { freshDatabase } from '../db-fixture';
import { FakeCentre as DeviceCentre, LEARNER } from '../fake-centre';
import { FakeCentre as AdminCentre, signInAs } from './admin-fake-centre';

const made: AppServices[] = [];
afterEach(async () => {
  for (const app of made.splice(0)) await app.sync.dispose();
  await forgetSignIn();
});

describe('Signing keys on the Device screen', () => {
  let centre: DeviceCentre;
  beforeEach(async () => {
    await freshDatabase();
    await deleteDatabase(databaseNameFor(LEARNER.id));
    centre = new DeviceCentre();
  });

  /** Real account services signed in to the fake centre; sync runs only when a test calls it. */
  async function signedIn(): Promise<AppServices> {
    await rememberSignIn({ ...centre.openSession(LEARNER, undefined, 'Firefox on Linux'), ended: null });
    const account = createAccountService({ fetch: centre.fetch, baseUrl: centre.origin, isOnline: () => true });
    await account.restore();
    const sync = createSyncRuntime({ account, fetch: centre.fetch, baseUrl: centre.origin, isOnline: () => true, debounceMs: 60_000, intervalMs: 60_000 });
    const app = { account, sync };
    made.push(app);
    return app;
  }

  it('says whether this device’s key is registered, lists the keys the centre holds, and revokes one', async () => {
    const user = userEvent.setup();
    const app = await signedIn();
    const panel = () => (
      <ServicesProvider services={app}>
        <LocationProvider>
          <AccountPanel />
        </LocationProvider>
      </ServicesProvider>
    );
    const first = render(panel());
    const status = await screen.findByTestId('device-key-status');
    expect(status.textContent).toContain('Signing key on this device: none yet.');

    // The first signing makes a key here; it waits for the next sync to register.
    const key = await ensureSigningKey({ id: LEARNER.id });
    await waitFor(() => expect(screen.getByTestId('device-key-status').textContent).toContain('waiting to register (it registers on the next sync)'));
    await syncSigningKeys({ client: app.account.client() });
    await waitFor(() => expect(screen.getByTestId('device-key-status').textContent).toMatch(/registered with your centre on \d+ \w+ \d{4}/));

    // A key registered from the learner's phone, which they have lost.
    const phone = centre.openSession(LEARNER, undefined, 'Chrome on Android');
    const phoneKey = { ...centre.keys.get(key.id)!, id: crypto.randomUUID() };
    centre.keys.set(phoneKey.id, phoneKey);
    centre.keySessions.set(phoneKey.id, { sessionId: phone.sessionId, deviceLabel: 'Chrome on Android' });

    // Opened again (the list is read when the screen opens).
    first.unmount();
    render(panel());
    const list = await screen.findByTestId('keys-at-centre');
    await waitFor(() => expect(list.textContent).toContain('Chrome on Android'));
    expect(list.textContent).toContain('Firefox on Linux');
    expect(list.textContent).toContain('This device');

    await user.click(within(list).getByRole('button', { name: 'Revoke the key of Chrome on Android' }));
    await user.click(within(list).getByRole('button', { name: 'Yes, revoke it' }));
    await waitFor(() => expect(centre.keys.get(phoneKey.id)!.revokedAt).not.toBeNull());
    expect(await screen.findByText(/The key of Chrome on Android is revoked/)).toBeTruthy();
    // This device's key is untouched.
    expect((await db().signingKeys.get(key.id))!.revokedAt).toBeNull();

    // Revoking this device's own key: it stops signing with it, and the next sync makes a new one.
    await user.click(within(list).getByRole('button', { name: 'Revoke the key of Firefox on Linux' }));
    await user.click(within(list).getByRole('button', { name: 'Yes, revoke it' }));
    await waitFor(async () => expect((await db().signingKeys.get(key.id))!.revokedAt).not.toBeNull());
    await waitFor(() => expect(screen.getByTestId('device-key-status').textContent).toContain('your centre revoked the last one'));
  });

  it('shows nothing about keys to an admin', async () => {
    await rememberSignIn({ ...centre.openSession({ ...LEARNER, role: 'admin' }), ended: null });
    const account = createAccountService({ fetch: centre.fetch, baseUrl: centre.origin, isOnline: () => true });
    await account.restore();
    const sync = createSyncRuntime({ account, fetch: centre.fetch, baseUrl: centre.origin, isOnline: () => true, debounceMs: 60_000, intervalMs: 60_000 });
    made.push({ account, sync });
    render(
      <ServicesProvider services={{ account, sync }}>
        <LocationProvider>
          <AccountPanel />
        </LocationProvider>
      </ServicesProvider>,
    );
    await screen.findByTestId('device-sessions');
    expect(screen.queryByTestId('signing-keys')).toBeNull();
  });
});

describe('Signing keys in the admin user sessions view', () => {
  let centre: AdminCentre;
  beforeEach(async () => {
    await freshDatabase();
    centre = new AdminCentre();
    await signInAs(centre, 'ada@centre.example');
  });

  it('lists a user’s keys and revokes one only with a reason', async () => {
    const user = userEvent.setup();
    const sam = centre.user('sam@centre.example');
    const lost = centre.addKey(sam.id, 'Lost tablet');
    centre.addKey(sam.id, 'Office laptop');
    render(
      <LocationProvider>
        <Users client={centre} />
      </LocationProvider>,
    );
    await screen.findByTestId('user-sam@centre.example');
    await user.click(within(screen.getByTestId('user-sam@centre.example')).getByRole('button', { name: 'Devices of Sam Assessor' }));
    const keys = await screen.findByTestId('keys-sam@centre.example');
    await waitFor(() => expect(keys.textContent).toContain('Lost tablet'));
    expect(keys.textContent).toContain('Office laptop');

    await user.click(within(keys).getByRole('button', { name: 'Revoke the signing key on Lost tablet' }));
    await user.type(within(keys).getByLabelText('Why revoke it?'), 'Lost');
    await user.click(within(keys).getByRole('button', { name: 'Revoke the key' }));
    expect(within(keys).getByText(/at least 10 characters, for the audit log/)).toBeTruthy();
    expect(centre.calls.some((c) => c.method === 'POST' && c.path.endsWith('/revoke') && c.path.includes(lost.id))).toBe(false);

    await user.type(within(keys).getByLabelText('Why revoke it?'), ' on the train, reported by Sam');
    await user.click(within(keys).getByRole('button', { name: 'Revoke the key' }));
    await screen.findByText(/The signing key of Sam Assessor on Lost tablet is revoked/);
    expect(centre.calls.find((c) => c.path === `/api/keys/${lost.id}/revoke`)?.body).toEqual({ reason: 'Lost on the train, reported by Sam' });
    await waitFor(() => expect(within(keys).getByTestId(`key-${lost.id}`).textContent).toContain('Lost on the train, reported by Sam'));
    expect(within(keys).getByTestId(`key-${lost.id}`).textContent).toContain('Revoked');
  });

  it('shows a learner’s audit trail from the centre', async () => {
    const user = userEvent.setup();
    const priya = centre.user('priya@centre.example');
    centre.audit.push({
      learnerId: priya.id,
      id: '5',
      at: '2026-03-04T10:05:00.000Z',
      user: { id: priya.id, name: 'Priya Shah', role: 'learner' },
      deviceId: 'd',
      deviceLabel: 'Safari on iOS',
      action: 'sync.evidence.update',
      entity: 'evidence',
      recordId: 'item',
      detail: { fields: ['title'] },
    });
    render(
      <LocationProvider>
        <Users client={centre} />
      </LocationProvider>,
    );
    await screen.findByTestId('user-priya@centre.example');
    await user.click(within(screen.getByTestId('user-priya@centre.example')).getByRole('button', { name: 'Audit trail of Priya Shah' }));
    const trail = await screen.findByRole('region', { name: 'Audit trail: Priya Shah' });
    await waitFor(() => expect(within(trail).getByTestId('audit-entry').textContent).toContain('Edited title'));
    expect(within(trail).getByTestId('audit-entry').textContent).toContain('Priya Shah (learner), ');
    expect(within(trail).getByTestId('audit-entry').textContent).toContain('on Safari on iOS');
  });
});
