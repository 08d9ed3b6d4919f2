import { render, screen, waitFor } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../src/app/App';
import SignIn from '../../src/app/screens/SignIn';
import { ServicesProvider, type AppServices } from '../../src/app/services';
import { db, deleteDatabase, DEFAULT_DB_NAME } from '../../src/data/db';
import { currentSignIn, databaseNameFor, forgetSignIn } from '../../src/data/session';
import { createAccountService } from '../../src/sync/account';
import { createSyncRuntime } from '../../src/sync/runtime';
import { freshDatabase } from '../db-fixture';
import { FakeCentre, LEARNER } from '../fake-centre';

let centre: FakeCentre;
let online = true;
const realOnLine = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(navigator), 'onLine');

function services(): AppServices {
  const account = createAccountService({ fetch: centre.fetch, baseUrl: centre.origin, isOnline: () => online, deviceLabel: () => 'Test phone' });
  const sync = createSyncRuntime({
    account,
    fetch: centre.fetch,
    baseUrl: centre.origin,
    isOnline: () => online,
    createUploader: () => ({ upload: async () => {} }),
    debounceMs: 20,
  });
  return { account, sync };
}

beforeEach(async () => {
  await freshDatabase();
  await deleteDatabase(databaseNameFor(LEARNER.id));
  centre = new FakeCentre();
  online = true;
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
});

afterEach(async () => {
  await forgetSignIn();
  delete (navigator as { onLine?: boolean }).onLine;
  if (realOnLine) Object.defineProperty(Object.getPrototypeOf(navigator), 'onLine', realOnLine);
});

function renderSignIn(app: AppServices) {
  return render(
    <ServicesProvider services={app}>
      <LocationProvider>
        <SignIn />
      </LocationProvider>
    </ServicesProvider>,
  );
}

describe('Sign in', () => {
  it('says why a sign-in failed, in words, and keeps the email', async () => {
    const user = userEvent.setup();
    const app = services();
    renderSignIn(app);
    await user.type(screen.getByLabelText('Email'), 'priya@example.org');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const error = await screen.findByTestId('sign-in-error');
    expect(error.textContent).toContain('That email and password do not match an account at your centre.');
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('priya@example.org');
    expect(await currentSignIn()).toBeNull();

    await user.clear(screen.getByLabelText('Email'));
    await user.type(screen.getByLabelText('Email'), 'not an email');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('sign-in-error').textContent).toContain('Enter an email address like name@example.org'));
  });

  it('works only online, and says so', async () => {
    online = false;
    renderSignIn(services());
    expect(screen.getByText(/Signing in needs a connection to your centre/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('signs in from the welcome screen, opens the user’s own database and syncs it', async () => {
    const user = userEvent.setup();
    centre.write('profile', LEARNER.id, { name: 'Priya Shah', employer: 'Northgate IT Services' }, null);
    centre.write('enrolment', '0190a1b2-0000-7000-8000-0000000000e1', {
      learnerId: LEARNER.id,
      qualificationId: '4520-03',
      qualificationVersion: 1,
      optionalUnitIds: [],
      startDate: '2026-03-02',
      plannedEndDate: '2027-09-30',
      plannedOffTheJobHoursPerWeek: 6,
      createdAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T09:00:00.000Z',
    }, null);
    const app = services();
    await app.account.restore();
    expect(db().name).toBe(DEFAULT_DB_NAME);
    await app.sync.start();
    render(<App services={app} />);

    await user.click(await screen.findByRole('link', { name: 'Sign in to your centre' }));
    await user.type(await screen.findByLabelText('Email'), LEARNER.email);
    await user.type(screen.getByLabelText('Password'), LEARNER.password);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    // The user's own database, filled by the first sync: the dashboard, and who is signed in.
    expect(await screen.findByRole('heading', { level: 1, name: 'Hello, Priya Shah' }, { timeout: 5000 })).toBeTruthy();
    expect(db().name).toBe(databaseNameFor(LEARNER.id));
    expect(screen.getByRole('link', { name: /Signed in as\s*Priya Shah/ })).toBeTruthy();
    expect((await currentSignIn())?.user.id).toBe(LEARNER.id);
    expect(centre.requests('POST', '/api/auth/sign-in')[0]!.body).toMatchObject({ email: LEARNER.email, deviceLabel: 'Test phone' });
    await app.sync.dispose();
  });
});
