import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider, Route, Router } from 'preact-iso';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictNotice } from '../../src/app/components/ConflictNotice';
import { EvidenceRow } from '../../src/app/components/EvidenceRow';
import EvidenceEditor from '../../src/app/screens/EvidenceEditor';
import { db } from '../../src/data/db';
import { createEvidence, evidenceHistory, resolveConflict, type ConflictChoice } from '../../src/data/evidence';
import { deviceId } from '../../src/data/settings';
import type { Evidence } from '../../src/domain/evidence';
import { freshDatabase } from '../db-fixture';
import { seedEnrolledLearner } from '../seed';

const CONFLICT_ID = '0190a1b2-0000-7000-8000-00000000c0f1';

/** An item as a sync leaves it: the centre's narrative in the field, the other text as a copy. */
async function conflicted(enrolmentId = 'enr-1'): Promise<Evidence> {
  const item = await createEvidence(enrolmentId, { title: 'Replaced the core switch', narrative: 'Swapped the switch during the outage window.' });
  await db().outbox.clear();
  await db().evidence.update(item.id, {
    serverRevision: 3,
    dirty: 0,
    conflicts: [{ id: CONFLICT_ID, field: 'narrative', value: 'Swapped the switch and updated the network diagram.', deviceId: 'tablet-device', at: '2026-11-12T14:03:00.000Z' }],
  });
  return (await db().evidence.get(item.id))!;
}

function renderNotice(item: Evidence) {
  const onResolve = async (conflictId: string, choice: ConflictChoice) => {
    await resolveConflict(item.id, conflictId, choice);
  };
  return render(<ConflictNotice evidence={item} onResolve={onResolve} ownDeviceId="phone-device" />);
}

beforeEach(async () => {
  await freshDatabase();
});

describe('Conflict notice', () => {
  it('shows both versions side by side; “Keep this version instead” writes the field and drops the copy', async () => {
    const user = userEvent.setup();
    const item = await conflicted();
    renderNotice(item);
    expect(screen.getByTestId('conflict-current').textContent).toBe('Swapped the switch during the outage window.');
    expect(screen.getByTestId('conflict-other').textContent).toBe('Swapped the switch and updated the network diagram.');
    expect(screen.getByText(/The version from another device/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: /Keep this version instead/ }));
    await waitFor(async () => expect((await db().evidence.get(item.id))!.conflicts).toEqual([]));
    const stored = (await db().evidence.get(item.id))!;
    expect(stored).toMatchObject({ narrative: 'Swapped the switch and updated the network diagram.', dirty: 1 });
    // One outbox change: the field and the remaining copies, based on the revision the device holds.
    const [change] = await db().outbox.toArray();
    expect(change).toMatchObject({ baseRevision: 3, resolvedConflictIds: [CONFLICT_ID] });
    expect(change!.patch).toMatchObject({ narrative: 'Swapped the switch and updated the network diagram.', conflicts: [] });
    // The text it replaced can be restored from the history.
    const [latest] = await evidenceHistory(item.id);
    expect(latest!.before?.narrative).toBe('Swapped the switch during the outage window.');
  });

  it('“Keep both” adds the other text below the current one', async () => {
    const user = userEvent.setup();
    const item = await conflicted();
    renderNotice(item);
    await user.click(screen.getByRole('button', { name: /Keep both \(add it below\)/ }));
    await waitFor(async () =>
      expect((await db().evidence.get(item.id))!.narrative).toBe('Swapped the switch during the outage window.\n\nSwapped the switch and updated the network diagram.'),
    );
  });

  it('“Dismiss” keeps the current text and only drops the copy', async () => {
    const user = userEvent.setup();
    const item = await conflicted();
    renderNotice(item);
    await user.click(screen.getByRole('button', { name: /Dismiss \(keep current\)/ }));
    await waitFor(async () => expect((await db().evidence.get(item.id))!.conflicts).toEqual([]));
    expect((await db().evidence.get(item.id))!.narrative).toBe('Swapped the switch during the outage window.');
    expect((await db().outbox.toArray())[0]!.patch).toEqual(expect.objectContaining({ conflicts: [] }));
    expect(await evidenceHistory(item.id)).toHaveLength(1);
  });

  it('names this device’s own version as such', async () => {
    const item = await conflicted();
    const own = await deviceId();
    render(<ConflictNotice evidence={{ ...item, conflicts: [{ ...item.conflicts[0]!, deviceId: own }] }} onResolve={async () => {}} />);
    expect(await screen.findByText(/Your version from this device/)).toBeTruthy();
  });

  it('tags the item in the evidence list, and the editor shows the notice and the chosen text', async () => {
    const user = userEvent.setup();
    const enrolment = await seedEnrolledLearner();
    const item = await conflicted(enrolment.id);
    const row = render(
      <ul>
        <EvidenceRow evidence={item} />
      </ul>,
    );
    expect(within(row.container as HTMLElement).getByText('Conflict').className).toContain('tag');
    row.unmount();

    history.replaceState(null, '', `/evidence/${item.id}`);
    render(
      <LocationProvider>
        <Router>
          <Route path="/evidence/:id" component={EvidenceEditor} />
          <Route default component={() => <p>Elsewhere</p>} />
        </Router>
      </LocationProvider>,
    );
    const notice = await screen.findByTestId('conflict-notice');
    expect(within(notice).getByRole('heading', { level: 2 }).textContent).toBe('Two versions of this evidence');
    await user.click(within(notice).getByRole('button', { name: /Keep this version instead/ }));
    await waitFor(() => expect(screen.queryByTestId('conflict-notice')).toBeNull());
    expect((screen.getByLabelText('What you did and what you learned') as HTMLTextAreaElement).value).toBe('Swapped the switch and updated the network diagram.');
    expect(screen.getByText('The other version is now in the evidence. The one it replaced is in the history.')).toBeTruthy();
  });
});
