import { render, screen } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DownloadMyData } from '../../src/app/components/DownloadMyData';
import { ServicesProvider, type AppServices } from '../../src/app/services';
import { forgetSignIn, rememberSignIn } from '../../src/data/session';
import type { FetchLike } from '../../src/sync/api';
import { createAccountService } from '../../src/sync/account';
import { createSyncRuntime } from '../../src/sync/runtime';
import { freshDatabase } from '../db-fixture';
import { FakeCentre, LEARNER, type FakeUser } from '../fake-centre';
import { goOffline } from './admin-fake-centre';

/**
 * The learner's own subject-access download on the Device screen: the centre makes the ZIP of
 * everything it holds about them (tests/faults/personal-data.test.ts checks what is in it).
 */

let centre: FakeCentre;
let exportAnswer: () => Response;
let requested: string[];
let clicks: ReturnType<typeof vi.spyOn>;
let online: (() => void) | null = null;

const EXPORT_PATH = `/api/personal-data/learners/${LEARNER.id}/export`;

async function servicesFor(user: FakeUser): Promise<AppServices> {
  await rememberSignIn({ ...centre.openSession(user), ended: null });
  // The sync fake centre has no personal-data route: the export is answered here, all else by it.
  const fetch: FetchLike = async (input, init) => {
    const path = new URL(input, centre.origin).pathname;
    requested.push(path);
    return path.endsWith('/export') ? exportAnswer() : centre.fetch(input, init);
  };
  const account = createAccountService({ fetch, baseUrl: centre.origin, isOnline: () => navigator.onLine });
  await account.restore();
  return { account, sync: createSyncRuntime({ account, fetch, baseUrl: centre.origin }) };
}

function renderPanel(app: AppServices) {
  return render(
    <ServicesProvider services={app}>
      <DownloadMyData />
    </ServicesProvider>,
  );
}

beforeEach(async () => {
  await freshDatabase();
  centre = new FakeCentre();
  requested = [];
  exportAnswer = () => new Response(new Uint8Array([0x50, 0x4b, 3, 4]), { headers: { 'Content-Type': 'application/zip', 'Content-Disposition': 'attachment; filename="personal-data-priya-shah-2026-12-04.zip"' } });
  // The DOM here has no downloads: saveFile's link click is caught (a real click would navigate).
  URL.createObjectURL = vi.fn(() => 'blob:zip');
  URL.revokeObjectURL = vi.fn();
  clicks = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
});
afterEach(async () => {
  online?.();
  online = null;
  vi.restoreAllMocks();
  await forgetSignIn();
});

describe('Device: download my data (learner)', () => {
  it('downloads the ZIP the centre makes of everything about them, under the name it gives', async () => {
    const user = userEvent.setup();
    renderPanel(await servicesFor(LEARNER));
    await user.click(await screen.findByRole('button', { name: 'Download my data' }));
    expect(await screen.findByText('Downloaded personal-data-priya-shah-2026-12-04.zip. README.txt inside says what each file is.')).toBeTruthy();
    expect(requested).toContain(EXPORT_PATH);
    expect(clicks).toHaveBeenCalledTimes(1);
    // The bytes handed to the browser are the centre's answer, as it sent them.
    expect((URL.createObjectURL as ReturnType<typeof vi.fn>).mock.calls[0]![0]).toMatchObject({ type: 'application/zip', size: 4 });
  });

  it('shows the centre’s refusal in words and keeps the button for another try', async () => {
    const user = userEvent.setup();
    exportAnswer = () => new Response(JSON.stringify({ error: 'server-error', message: 'The centre could not make the download. Nothing was changed: try again.' }), { status: 503, headers: { 'Content-Type': 'application/json' } });
    renderPanel(await servicesFor(LEARNER));
    await user.click(await screen.findByRole('button', { name: 'Download my data' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Your data could not be downloaded');
    expect(alert.textContent).toContain('The centre could not make the download');
    expect(clicks).not.toHaveBeenCalled();
    expect((screen.getByRole('button', { name: 'Download my data' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('says a connection is needed when offline, and sends nothing', async () => {
    online = goOffline();
    renderPanel(await servicesFor(LEARNER));
    expect((await screen.findByRole('note')).textContent).toContain('You are offline. Your centre makes this download, so it needs a connection');
    expect((screen.getByRole('button', { name: 'Download my data' }) as HTMLButtonElement).disabled).toBe(true);
    expect(requested).not.toContain(EXPORT_PATH);
  });

  it('is not offered to staff, whose own data the centre admin exports', async () => {
    const assessor: FakeUser = { ...LEARNER, id: '0190a1b2-0000-7000-8000-0000000000a5', email: 'tom@example.org', name: 'Tom Okafor', role: 'assessor' };
    centre = new FakeCentre([assessor]);
    renderPanel(await servicesFor(assessor));
    // The account is restored before render, so the panel decides on first render.
    expect(screen.queryByTestId('download-my-data')).toBeNull();
  });
});
