import { render, screen, waitFor, within } from '@testing-library/preact';
import { SYNC_PROTOCOL_VERSION } from '../../src/domain/sync';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountPanel } from '../../src/app/components/AccountPanel';
import { SyncPanel } from '../../src/app/components/SyncPanel';
import { SyncStatusBar } from '../../src/app/components/SyncStatusBar';
import { ServicesProvider, type AppServices } from '../../src/app/services';
import { db, deleteDatabase } from '../../src/data/db';
import { addAttachments, createEvidence, updateEvidence } from '../../src/data/evidence';
import { databaseNameFor, forgetSignIn, rememberSignIn } from '../../src/data/session';
import { createAccountService } from '../../src/sync/account';
import { createSyncRuntime } from '../../src/sync/runtime';
import { freshDatabase } from '../db-fixture';
import { FakeCentre, LEARNER } from '../fake-centre';

let centre: FakeCentre;
const started: AppServices[] = [];

/** Real account and sync services, signed in to a fake centre, syncing only when asked. */
async function signedInServices(): Promise<AppServices> {
  await rememberSignIn({ ...centre.openSession(LEARNER), ended: null });
  const account = createAccountService({ fetch: centre.fetch, baseUrl: centre.origin, isOnline: () => true });
  await account.restore();
  const sync = createSyncRuntime({
    account,
    fetch: centre.fetch,
    baseUrl: centre.origin,
    isOnline: () => true,
    createUploader: () => ({
      upload: async (file, { onConfirmed }) => {
        onConfirmed(file.blob.size, file.blob.size);
        centre.files.set(file.id, new Uint8Array(await file.blob.arrayBuffer()));
      },
    }),
    // Only "Sync now" and the start sync run in these tests, and a lost request is not retried.
    retryDelays: [],
    debounceMs: 60_000,
    intervalMs: 60_000,
  });
  await sync.start();
  started.push({ account, sync });
  return { account, sync };
}

function renderWith(app: AppServices, ui: preact.ComponentChildren) {
  return render(
    <ServicesProvider services={app}>
      <LocationProvider>{ui}</LocationProvider>
    </ServicesProvider>,
  );
}

beforeEach(async () => {
  await freshDatabase();
  await deleteDatabase(databaseNameFor(LEARNER.id));
  centre = new FakeCentre();
});

afterEach(async () => {
  // Stopped even when a test fails, so no sync of one test runs into the next test's database.
  for (const app of started.splice(0)) await app.sync.dispose();
  await forgetSignIn();
});

describe('Sync status and failures', () => {
  it('shows a refused change with its reason; Retry sends it, and the failure goes', async () => {
    const user = userEvent.setup();
    const app = await signedInServices();
    centre.refuse = (m) => (m.patch.title === 'Switch log' ? { reason: 'forbidden', message: 'Your centre has closed this enrolment.' } : null);
    await createEvidence('enr-1', { title: 'Switch log' });
    renderWith(app, <><SyncStatusBar /><SyncPanel /></>);

    await user.click(await screen.findByRole('button', { name: 'Sync now' }));
    const failure = await screen.findByTestId('sync-failure');
    expect(failure.textContent).toContain('Switch log');
    expect(failure.textContent).toContain('Your account may not make this change');
    expect(failure.textContent).toContain('Your centre has closed this enrolment.');
    // Never at the centre, so there is no centre copy to go back to: only Retry.
    expect(within(failure).queryByRole('button', { name: /Discard change/ })).toBeNull();
    expect(screen.getByRole('link', { name: '1 needs attention' })).toBeTruthy();
    expect(screen.getByTestId('waiting-count').textContent).toBe('1 change');

    centre.refuse = null;
    await user.click(within(failure).getByRole('button', { name: /Retry/ }));
    await waitFor(() => expect(screen.queryByTestId('sync-failures')).toBeNull());
    await waitFor(() => expect(screen.getByTestId('waiting-count').textContent).toBe('Nothing'));
    await waitFor(() => expect(screen.getByTestId('sync-summary').textContent).toBe('Online Synced just now'));
    expect(screen.getByTestId('last-sync').textContent).not.toBe('Never');
  });

  it('offers Discard for a record the centre holds, restoring its copy after a confirmation', async () => {
    const user = userEvent.setup();
    const app = await signedInServices();
    const item = await createEvidence('enr-1', { title: 'Backup rota' });
    await app.sync.syncNow();
    centre.refuse = () => ({ reason: 'invalid', message: 'The centre could not accept this change: hours must be whole quarters.' });
    await updateEvidence(item.id, { title: 'Backup rota v2' });
    renderWith(app, <SyncPanel />);
    await user.click(await screen.findByRole('button', { name: 'Sync now' }));

    const failure = await screen.findByTestId('sync-failure');
    expect(failure.textContent).toContain('Your centre could not accept this change as it is');
    await user.click(within(failure).getByRole('button', { name: /Discard change/ }));
    await user.click(within(failure).getByRole('button', { name: 'Yes, discard my change' }));
    await waitFor(() => expect(screen.queryByTestId('sync-failures')).toBeNull());
    expect(await db().evidence.get(item.id)).toMatchObject({ title: 'Backup rota', dirty: 0 });
  });

  it('shows upload progress in bytes, and the update notice when the centre needs a newer app', async () => {
    const app = await signedInServices();
    renderWith(app, <><SyncStatusBar /><SyncPanel /></>);
    app.sync.status.update({ state: 'syncing', uploading: { name: 'switch.mp4', bytesSent: 3 * 1024 * 1024, bytesTotal: 5 * 1024 * 1024 } });
    const progress = await screen.findByTestId('upload-progress');
    expect(progress.textContent).toContain('Uploading switch.mp4: 3.0 MB of 5.0 MB confirmed by your centre.');
    expect(within(progress).getByRole('progressbar', { name: 'Uploading switch.mp4' }).getAttribute('value')).toBe(String(3 * 1024 * 1024));

    centre.minimumProtocol = SYNC_PROTOCOL_VERSION + 1;
    await createEvidence('enr-1', { title: 'Kept while outdated' });
    await app.sync.syncNow();
    expect((await screen.findByRole('alert')).textContent).toContain('Your centre no longer accepts this version of ICT Portfolio');
    expect(screen.getByTestId('sync-summary').textContent).toBe('Online Update the app to sync: 1 change kept here');
    expect(await db().outbox.count()).toBe(1);
  });
});

describe('A centre that does not answer', () => {
  it('says the centre cannot be reached, not that the user is offline, while the device has a connection', async () => {
    const app = await signedInServices();
    expect(navigator.onLine).toBe(true);
    centre.offline = true; // every request fails as fetch does when the centre is down
    await createEvidence('enr-1', { title: 'Kept while the centre is down' });
    renderWith(app, <><SyncStatusBar /><SyncPanel /></>);
    await app.sync.syncNow();
    await waitFor(() => expect(screen.getByTestId('sync-summary').textContent).toBe('Online Cannot reach your centre: 1 change waiting'));
    expect(screen.getByTestId('sync-state').textContent).toContain('Your centre cannot be reached just now.');
    expect(screen.getByTestId('sync-state').textContent).not.toContain('You are offline');
  });
});

describe('Signing out', () => {
  it('refuses while changes or files wait, says exactly what, and offers Sync now', async () => {
    const user = userEvent.setup();
    const app = await signedInServices();
    centre.offline = true;
    // Let the sync on start finish (offline), so the edits below coalesce into one waiting change.
    await app.sync.syncNow();
    const item = await createEvidence('enr-1', { title: 'Rack photo' });
    await addAttachments(item.id, [new File(['not a real photo'], 'rack.jpg', { type: 'image/jpeg' })]);
    renderWith(app, <AccountPanel />);

    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    const blocked = await screen.findByTestId('sign-out-blocked');
    expect(blocked.textContent).toContain('1 change saved on this device has not reached your centre yet.');
    expect(blocked.textContent).toContain('This file has not been uploaded yet: rack.jpg.');
    expect(db().name).toBe(databaseNameFor(LEARNER.id));
    expect(await db().evidence.count()).toBe(1);

    centre.offline = false;
    await user.click(within(blocked).getByRole('button', { name: 'Sync now' }));
    await user.click(await screen.findByRole('button', { name: 'Yes, sign out' }));
    await waitFor(() => expect(app.account.get().signIn).toBeNull());
    expect(db().name).not.toBe(databaseNameFor(LEARNER.id));
    expect(centre.requests('POST', '/api/auth/sign-out')).toHaveLength(1);
    expect(centre.files.size).toBe(1);
  });

  it('lists this user’s devices and signs another one out', async () => {
    const user = userEvent.setup();
    const app = await signedInServices();
    centre.openSession(LEARNER, undefined, 'Chrome on Android');
    renderWith(app, <AccountPanel />);
    const sessions = await screen.findByTestId('device-sessions');
    await waitFor(() => expect(sessions.textContent).toContain('Chrome on Android'));
    expect(sessions.textContent).toContain('This device');
    await user.click(within(sessions).getByRole('button', { name: /Sign out that device/ }));
    await waitFor(() => expect(within(sessions).getByRole('list').textContent).not.toContain('Chrome on Android'));
    expect(within(sessions).getByRole('status').textContent).toContain('Chrome on Android is signed out.');
    expect([...centre.sessions.values()].filter((s) => s.revokedAt)).toHaveLength(1);
  });
});
