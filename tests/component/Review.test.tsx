import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import Review from '../../src/app/screens/Review';
import { objectUrls } from '../../src/app/components/AttachmentList';
import { db } from '../../src/data/db';
import { settleWrites } from '../../src/data/pending-writes';
import { addAttachments } from '../../src/data/evidence';
import { verifyDecisionSignature } from '../../src/domain/signing';
import { ASSESSOR, HS, NET, PNG_DATA_URL, freshAssessorTablet, renderRoutes, seedEvidence, seedLearner, stubCanvas, type Learner } from './assessor-fixture';

let learner: Learner;
beforeEach(async () => {
  await freshAssessorTablet();
  stubCanvas();
  learner = await seedLearner('Sam Patel', 'Acme IT', { startDate: '2026-01-05', plannedEndDate: '2027-09-30' });
});
afterEach(async () => {
  await settleWrites();
  vi.restoreAllMocks();
});

const routes = [{ path: '/review/:evidenceId', component: Review }];

describe('Review', () => {
  it('shows the item: text, date, method, hours, kind, who recorded it, and its files inline', async () => {
    vi.spyOn(objectUrls, 'create').mockImplementation(() => 'blob:local-copy');
    vi.spyOn(objectUrls, 'revoke').mockImplementation(() => undefined);
    const item = await seedEvidence(learner.enrolment.id, { title: 'Patch panel rebuild', narrative: 'Re-terminated 24 ports', hours: 3, offTheJob: true, criterionIds: [`${HS}:1.1`] });
    await db().evidence.update(item.id, { status: 'draft' });
    await addAttachments(item.id, [new File(['%PDF-1.4 test'], 'method.pdf', { type: 'application/pdf' }), new File(['img'], 'rack.png', { type: 'image/png' })]);
    await db().evidence.update(item.id, { status: 'submitted' });

    renderRoutes(`/review/${item.id}`, routes);
    const details = await screen.findByRole('region', { name: /Patch panel rebuild/ });
    expect(details.textContent).toContain('Re-terminated 24 ports');
    expect(details.textContent).toContain('2 Mar 2026');
    expect(details.textContent).toContain('Portfolio of evidence / product');
    expect(details.textContent).toContain('3 (off-the-job)');
    expect(details.textContent).toContain("Learner's evidence");
    expect(details.textContent).toContain('Sam Patel (learner)');
    await waitFor(() => expect(within(details).getByRole('img', { name: 'rack.png' }).getAttribute('src')).toBe('blob:local-copy'));
    expect(details.querySelector('object[type="application/pdf"]')?.getAttribute('data')).toBe('blob:local-copy');
    expect(within(details).getAllByRole('link', { name: 'Open method.pdf' }).length).toBeGreaterThan(0);
  });

  it('refers an item back with the confirmed mapping and feedback, signed', async () => {
    const user = userEvent.setup();
    const item = await seedEvidence(learner.enrolment.id, { title: 'Risk assessment', criterionIds: [`${HS}:1.1`, `${HS}:1.2`] });
    renderRoutes(`/review/${item.id}`, routes);

    const rows = await screen.findAllByTestId('review-criterion');
    expect(rows).toHaveLength(2);
    // Untick 1.2: the evidence does not show it.
    await user.click(within(rows[1]!).getByRole('checkbox'));
    await user.type(screen.getByLabelText('Feedback on H&S in ICT · 1.1'), 'Good list of the main laws.');
    await user.type(screen.getByLabelText('Overall feedback to Sam Patel'), 'Add how you scored the risks, then resubmit.');
    await user.click(screen.getByRole('button', { name: 'Refer back to the learner' }));

    const panel = await screen.findByTestId('review-sign-panel');
    expect(panel.textContent).toContain('Referred back to the learner');
    expect(panel.textContent).toContain('1: H&S in ICT · 1.1');
    await user.click(within(panel).getByRole('button', { name: /Sign with keyboard/ }));
    await user.click(within(panel).getByRole('button', { name: 'Refer back' }));

    expect((await screen.findByTestId('decision-result')).textContent).toContain('Referred back to Sam Patel');
    const decisions = await db().decisions.toArray();
    expect(decisions).toHaveLength(1);
    const decision = decisions[0]!;
    expect(decision).toMatchObject({
      kind: 'assessment',
      outcome: 'referred',
      criterionIds: [`${HS}:1.1`],
      feedback: { overall: 'Add how you scored the risks, then resubmit.', criteria: { [`${HS}:1.1`]: 'Good list of the main laws.' } },
      signer: { userId: ASSESSOR.id, name: ASSESSOR.name, role: 'assessor' },
      drawnSignature: PNG_DATA_URL,
      evidenceIds: [item.id],
    });
    const key = (await db().signingKeys.toArray())[0]!;
    expect(await verifyDecisionSignature(decision, key.publicKey)).toBe(true);
    expect((await db().evidence.get(item.id))!.status).toBe('referred');
  });

  it('accepts with a criterion the learner missed, and will not refer without feedback', async () => {
    const user = userEvent.setup();
    const item = await seedEvidence(learner.enrolment.id, { title: 'Subnetting', criterionIds: [`${NET}:1.1`] });
    renderRoutes(`/review/${item.id}`, routes);
    await screen.findAllByTestId('review-criterion');

    await user.click(screen.getByRole('button', { name: 'Refer back to the learner' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Write overall feedback');
    expect(screen.queryByTestId('review-sign-panel')).toBeNull();

    await user.click(screen.getByText('Add criteria the learner did not map'));
    await user.type(screen.getByLabelText('Search criteria'), 'TCP/IP');
    await user.click(screen.getByRole('checkbox', { name: /Explain TCP\/IP addressing/ }));
    await waitFor(() => expect(screen.getAllByTestId('review-criterion')).toHaveLength(2));

    await user.click(screen.getByRole('button', { name: 'Accept and sign off' }));
    const panel = await screen.findByTestId('review-sign-panel');
    await user.click(within(panel).getByRole('button', { name: /Sign with keyboard/ }));
    await user.click(within(panel).getByRole('button', { name: 'Sign off' }));

    expect((await screen.findByTestId('decision-result')).textContent).toContain('Signed off on this tablet; it reaches the centre when you next sync.');
    const [decision] = await db().decisions.toArray();
    expect(decision).toMatchObject({ outcome: 'accepted' });
    expect([...decision!.criterionIds].sort()).toEqual([`${NET}:1.1`, `${NET}:1.2`]);
    expect((await db().evidence.get(item.id))!.status).toBe('signed-off');
    // The decision now shows as the item's history, and there is no second decision to make.
    expect(await screen.findByText('Accepted and signed off', { selector: 'h3' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Accept and sign off' })).toBeNull();
  });

  it('explains why a draft cannot be decided on', async () => {
    const item = await seedEvidence(learner.enrolment.id, { title: 'Half done', status: 'draft' });
    renderRoutes(`/review/${item.id}`, routes);
    expect(await screen.findByText(/still a draft/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Accept and sign off' })).toBeNull();
  });
});

describe('Learner side: the latest decision on an item', () => {
  it('shows a referral with the feedback, who signed and what to do next', async () => {
    const { render } = await import('@testing-library/preact');
    const { LocationProvider, Route, Router } = await import('preact-iso');
    const { default: EvidenceEditor } = await import('../../src/app/screens/EvidenceEditor');
    const { saveEnrolment } = await import('../../src/data/learner');
    const { createEvidence } = await import('../../src/data/evidence');
    // A learner's own database: their profile and enrolment, and a decision pulled from the centre.
    await db().profile.clear();
    await db().enrolments.clear();
    const enrolment = await saveEnrolment({
      name: 'Sam Patel', employer: 'Acme IT', qualificationId: '4520-03', qualificationVersion: 1, optionalUnitIds: [NET],
      startDate: '2026-01-05', plannedEndDate: '2027-09-30', plannedOffTheJobHoursPerWeek: 6,
    });
    const item = await createEvidence(enrolment.id, { title: 'Risk assessment', criterionIds: [`${HS}:1.1`] });
    await db().evidence.update(item.id, { status: 'referred' });
    await db().decisions.put({
      id: '01900000-0000-7000-8000-000000000001', kind: 'assessment', outcome: 'referred', learnerId: enrolment.learnerId, enrolmentId: enrolment.id,
      unitId: null, subjectId: null, evidence: [{ id: item.id, contentHash: 'c'.repeat(64), attachments: [] }], criterionIds: [`${HS}:1.1`],
      feedback: { overall: 'Add how you scored the risks.', criteria: { [`${HS}:1.1`]: 'Name the 1974 Act.' } },
      signer: { userId: ASSESSOR.id, name: 'Tom Okafor', role: 'assessor' }, signedFor: null, drawnSignature: PNG_DATA_URL,
      signedAt: '2026-03-10T10:15:00Z', keyId: '01900000-0000-7000-8000-000000000002', signature: 'A'.repeat(86), serverRevision: 4, evidenceIds: [item.id],
    });
    history.replaceState(null, '', `/evidence/${item.id}`);
    render(
      <LocationProvider>
        <Router>
          <Route path="/evidence/:id" component={EvidenceEditor} />
          <Route default component={() => <p>Elsewhere</p>} />
        </Router>
      </LocationProvider>,
    );
    const summary = await screen.findByTestId('decision-summary');
    expect(summary.textContent).toContain('Referred back to you');
    expect(summary.textContent).toContain('What to do next');
    expect(summary.textContent).toContain('Add how you scored the risks.');
    expect(summary.textContent).toContain('H&S in ICT · 1.1: Name the 1974 Act.');
    expect(summary.textContent).toContain('Signed by Tom Okafor (assessor)');
    expect(summary.textContent).not.toContain('reaches the centre');
  });
});
