import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { actionWords, AUDIT_OFFLINE_MESSAGE, AuditTrail } from '../../src/app/components/AuditTrail';
import { ServicesProvider } from '../../src/app/services';
import { decideOnEvidence } from '../../src/data/decisions';
import { settleWrites } from '../../src/data/pending-writes';
import type { AuditEntry, AuditPage } from '../../src/domain/audit';
import type { FetchLike } from '../../src/sync/api';
import { goOffline } from './admin-fake-centre';
import { ASSESSOR, HS, PNG_DATA_URL, SIGN_IN, assessorServices, freshAssessorTablet, seedEvidence, seedLearner, type Learner } from './assessor-fixture';

let learner: Learner;
beforeEach(async () => {
  await freshAssessorTablet();
  learner = await seedLearner('Sam Patel', 'Acme IT', { startDate: '2026-01-05', plannedEndDate: '2027-09-30' });
});
afterEach(async () => {
  await settleWrites();
  vi.restoreAllMocks();
});

const SAM = { id: '00000000-0000-4000-8000-00000000b001', name: 'Sam Patel', role: 'learner' };
const TOM = { id: ASSESSOR.id, name: ASSESSOR.name, role: 'assessor' };

function entry(id: string, fields: Partial<AuditEntry>): AuditEntry {
  return { id, at: '2026-03-04T10:05:00.000Z', user: SAM, deviceId: 'dev-1', deviceLabel: 'Safari on iOS', action: 'sync.evidence.update', entity: 'evidence', recordId: 'item', detail: {}, ...fields };
}

/** A centre that answers GET /api/audit from fixed pages (keyed by `before`), remembering what was asked. */
function auditCentre(pages: Record<string, AuditPage>) {
  const asked: Array<{ url: URL; auth: string | null }> = [];
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input, 'http://centre.test');
    asked.push({ url, auth: new Headers(init?.headers).get('Authorization') });
    if (url.pathname !== '/api/audit') return new Response(JSON.stringify({ error: 'not-found', message: 'No such route.' }), { status: 404 });
    const page = pages[url.searchParams.get('before') ?? ''];
    if (!page) return new Response(JSON.stringify({ error: 'not-found', message: 'There is no such record among those you can see.' }), { status: 404 });
    return new Response(JSON.stringify(page), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch, asked };
}

function renderTrail(fetch: FetchLike, ui: preact.ComponentChildren) {
  return render(<ServicesProvider services={assessorServices({}, fetch)}>{ui}</ServicesProvider>);
}

describe('AuditTrail', () => {
  it('shows an item’s trail newest first in plain words, with who, when and the device, and pages back with Show older', async () => {
    const user = userEvent.setup();
    const item = await seedEvidence(learner.enrolment.id, { title: 'Router set-up', criterionIds: [`${HS}:1.1`] });
    const centre = auditCentre({
      '': {
        entries: [
          entry('14', { action: 'evidence.signed-off', user: TOM, deviceLabel: 'Chrome on Android', at: '2026-03-05T14:30:00.000Z', recordId: item.id, detail: { decisionId: 'd1', from: 'submitted' } }),
          entry('12', { action: 'sync.evidence.update', recordId: item.id, detail: { fields: ['narrative', 'title', 'updatedAt'] } }),
        ],
        next: '12',
      },
      '12': {
        entries: [
          entry('9', { action: 'evidence-unlocked', user: { id: 'a', name: 'Priya Shah', role: 'admin' }, deviceLabel: null, deviceId: null, recordId: item.id, detail: { reason: 'Locked by mistake on the wrong item' } }),
          entry('3', { action: 'sync.evidence.create', recordId: item.id }),
        ],
        next: null,
      },
    });
    renderTrail(centre.fetch, <AuditTrail subject={{ recordId: item.id }} heading="Audit trail of this item" />);

    const trail = await screen.findByRole('region', { name: 'Audit trail of this item' });
    await waitFor(() => expect(within(trail).getAllByTestId('audit-entry')).toHaveLength(2));
    const [signed, edited] = within(trail).getAllByTestId('audit-entry');
    expect(signed!.textContent).toContain('Signed off');
    expect(signed!.textContent).toContain('Tom Okafor (assessor)');
    expect(signed!.textContent).toContain('on Chrome on Android');
    expect(signed!.querySelector('time')!.getAttribute('datetime')).toBe('2026-03-05T14:30:00.000Z');
    expect(edited!.textContent).toContain('Edited narrative, title');
    expect(edited!.textContent).toContain('Sam Patel (learner)');
    expect(edited!.textContent).toContain('on Safari on iOS');
    // Through the centre client, with the session token.
    expect(centre.asked[0]!.url.searchParams.get('recordId')).toBe(item.id);
    expect(centre.asked[0]!.auth).toBe(`Bearer ${SIGN_IN.token}`);

    await user.click(within(trail).getByRole('button', { name: 'Show older' }));
    await waitFor(() => expect(within(trail).getAllByTestId('audit-entry')).toHaveLength(4));
    expect(centre.asked[1]!.url.searchParams.get('before')).toBe('12');
    const texts = within(trail).getAllByTestId('audit-entry').map((li) => li.textContent);
    expect(texts[2]).toContain('IQA lock removed by an admin');
    expect(texts[2]).toContain('Priya Shah (admin)');
    expect(texts[2]).toContain('Reason: “Locked by mistake on the wrong item”');
    expect(texts[3]).toContain('Created the item');
    // The last page: nothing older to show.
    expect(within(trail).queryByRole('button', { name: 'Show older' })).toBeNull();
    await waitFor(() => expect(document.activeElement?.textContent).toContain('IQA lock removed by an admin'));
  });

  it('shows a learner’s trail with what each entry is about, and each decision once', async () => {
    const centre = auditCentre({
      '': {
        entries: [
          // The decision's effect on the item, written with it: not listed twice.
          entry('21', { action: 'evidence.signed-off', user: TOM, recordId: 'item-1', detail: { decisionId: 'dec-1' } }),
          entry('20', { action: 'decision.assessment.accepted', user: TOM, entity: 'decision', recordId: 'dec-1', detail: { evidenceIds: ['item-1'] } }),
          entry('18', { action: 'decision.unit.signed-off', user: TOM, entity: 'decision', recordId: 'dec-0', detail: { unitId: HS, evidenceIds: ['item-1'] } }),
          entry('7', { action: 'key-registered', entity: 'signing-key', recordId: 'key-1', detail: {} }),
        ],
        next: null,
      },
    });
    const titles = new Map([['item-1', 'Router set-up']]);
    renderTrail(
      centre.fetch,
      <AuditTrail
        subject={{ learnerId: learner.id }}
        heading="Audit trail: Sam Patel"
        recordLabel={(e) => (e.detail.unitId ? 'Health and Safety in ICT' : Array.isArray(e.detail.evidenceIds) ? (titles.get(String(e.detail.evidenceIds[0])) ?? null) : null)}
      />,
    );
    const trail = await screen.findByRole('region', { name: 'Audit trail: Sam Patel' });
    await waitFor(() => expect(within(trail).getAllByTestId('audit-entry')).toHaveLength(3));
    const texts = within(trail).getAllByTestId('audit-entry').map((li) => li.textContent);
    expect(texts[0]).toContain('Signed off · Router set-up');
    expect(texts[1]).toContain('Signed off a unit · Health and Safety in ICT');
    expect(texts[2]).toContain('Key registered');
    expect(centre.asked[0]!.url.searchParams.get('learnerId')).toBe(learner.id);
  });

  it('offline, says the trail is kept by the centre and shows the decisions held on the device', async () => {
    const item = await seedEvidence(learner.enrolment.id, { title: 'Router set-up', criterionIds: [`${HS}:1.1`] });
    await decideOnEvidence({ evidenceId: item.id, outcome: 'accepted', criterionIds: [`${HS}:1.1`], feedback: { overall: '', criteria: {} }, drawnSignature: PNG_DATA_URL });
    const centre = auditCentre({});
    const back = goOffline();
    try {
      renderTrail(centre.fetch, <AuditTrail subject={{ recordId: item.id }} />);
      expect((await screen.findByTestId('audit-offline')).textContent).toBe(AUDIT_OFFLINE_MESSAGE);
      const local = await screen.findByTestId('audit-local-decision');
      expect(local.textContent).toContain('Accepted and signed off');
      expect(local.textContent).toContain('Tom Okafor (assessor)');
      expect(local.textContent).toContain('waiting to reach the centre');
      expect(centre.asked).toHaveLength(0);
    } finally {
      back();
    }
  });

  it('says the same when the centre cannot be reached, and that there is no trail yet for a record the centre does not hold', async () => {
    const item = await seedEvidence(learner.enrolment.id, { title: 'Router set-up' });
    const unreachable: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    const { unmount } = renderTrail(unreachable, <AuditTrail subject={{ recordId: item.id }} />);
    expect((await screen.findByTestId('audit-offline')).textContent).toBe(AUDIT_OFFLINE_MESSAGE);
    expect((await screen.findByTestId('audit-local')).textContent).toContain('None.');
    unmount();

    renderTrail(auditCentre({}).fetch, <AuditTrail subject={{ recordId: 'not-at-the-centre-yet' }} />);
    expect(await screen.findByText(/no audit trail for this yet/)).toBeTruthy();
  });
});

describe('actionWords', () => {
  it('puts every action the centre records in plain words', () => {
    const words = (action: string, detail: Record<string, unknown> = {}, entity: string | null = 'evidence') => actionWords({ action, entity, detail });
    expect(words('decision.assessment.accepted', {}, 'decision')).toBe('Signed off');
    expect(words('decision.assessment.referred', {}, 'decision')).toBe('Referred');
    expect(words('decision.assessment.reopened', {}, 'decision')).toBe('Reopened');
    expect(words('evidence.referred')).toBe('Referred');
    expect(words('decision.qualification.signed-off', {}, 'decision')).toBe('Signed off the qualification');
    expect(words('sync.evidence.update', { fields: ['title', 'narrative', 'updatedAt'] })).toBe('Edited title, narrative');
    expect(words('sync.evidence.update', { fields: ['updatedAt'] })).toBe('Saved the item (no change to its content)');
    expect(words('sync.profile.update', { fields: ['employer'] }, 'profile')).toBe('Edited employer');
    expect(words('sync.evidence.delete')).toBe('Deleted the item');
    expect(words('key-registered', {}, 'signing-key')).toBe('Key registered');
    expect(words('key-revoked', { reason: 'Lost' }, 'signing-key')).toBe('Key revoked');
    expect(words('something.new-here')).toBe('Something new here');
  });
});
