import { screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import AssessorLearner from '../../src/app/screens/AssessorLearner';
import Review from '../../src/app/screens/Review';
import { db, type StoredDecision } from '../../src/data/db';
import { decideOnEvidence, signOffUnit } from '../../src/data/decisions';
import { settleWrites } from '../../src/data/pending-writes';
import { uuidv7 } from '../../src/domain/ids';
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

const reviewRoutes = [{ path: '/review/:evidenceId', component: Review }];
const learnerRoutes = [{ path: '/caseload/:learnerId', component: AssessorLearner }];

/** A decision as a pull brings it (signed elsewhere, at the centre already). */
async function pulledDecision(fields: Partial<StoredDecision> & Pick<StoredDecision, 'kind' | 'outcome' | 'signer'>, evidenceId: string): Promise<StoredDecision> {
  const decision: StoredDecision = {
    id: uuidv7(),
    learnerId: learner.id,
    enrolmentId: learner.enrolment.id,
    unitId: null,
    subjectId: null,
    evidence: [{ id: evidenceId, contentHash: '0'.repeat(64), attachments: [] }],
    criterionIds: [`${HS}:1.1`],
    feedback: { overall: '', criteria: {} },
    signedFor: null,
    drawnSignature: null,
    signedAt: '2026-03-05T10:00:00.000Z',
    keyId: uuidv7(),
    signature: 'A'.repeat(86),
    evidenceIds: [evidenceId],
    serverRevision: 1,
    ...fields,
  };
  await db().decisions.put(decision);
  return decision;
}

describe('Reopening a sign-off', () => {
  it('lets the assessor who signed an item off reopen it, with a reason and a drawn signature', async () => {
    const user = userEvent.setup();
    const item = await seedEvidence(learner.enrolment.id, { title: 'Router set-up', criterionIds: [`${HS}:1.1`] });
    await decideOnEvidence({ evidenceId: item.id, outcome: 'accepted', criterionIds: [`${HS}:1.1`], feedback: { overall: '', criteria: {} }, drawnSignature: PNG_DATA_URL });
    renderRoutes(`/review/${item.id}`, reviewRoutes);

    await screen.findByRole('heading', { name: 'Signed off by you' });
    await user.click(screen.getByRole('button', { name: 'Reopen' }));
    const panel = await screen.findByTestId('reopen-panel');
    // No reason yet: it cannot be signed.
    expect(within(panel).getByRole('alert').textContent).toContain('Say why you are reopening this sign-off');
    expect((within(panel).getByRole('button', { name: 'Reopen the sign-off' }) as HTMLButtonElement).disabled).toBe(true);
    await user.type(within(panel).getByLabelText('Why are you reopening it?'), 'Signed off against the wrong unit.');
    await user.click(within(panel).getByRole('button', { name: /Sign with keyboard/ }));
    await user.click(within(panel).getByRole('button', { name: 'Reopen the sign-off' }));

    expect((await screen.findByTestId('decision-result')).textContent).toContain('Sign-off reopened');
    const reopened = (await db().decisions.toArray()).find((d) => d.outcome === 'reopened');
    expect(reopened).toMatchObject({ kind: 'assessment', feedback: { overall: 'Signed off against the wrong unit.' }, signer: { userId: ASSESSOR.id }, evidenceIds: [item.id] });
    expect((await db().evidence.get(item.id))!.status).toBe('submitted');
    // Open for a decision again.
    expect(await screen.findByRole('button', { name: 'Accept and sign off' })).toBeTruthy();
  });

  it('says who locked it when an IQA agreed, and offers no Reopen', async () => {
    const item = await seedEvidence(learner.enrolment.id, { title: 'Router set-up', status: 'signed-off', criterionIds: [`${HS}:1.1`] });
    const accepted = await pulledDecision({ kind: 'assessment', outcome: 'accepted', signer: { userId: ASSESSOR.id, name: ASSESSOR.name, role: 'assessor' } }, item.id);
    const agreed = await pulledDecision(
      { kind: 'iqa', outcome: 'agreed', subjectId: accepted.id, signedAt: '2026-03-06T11:15:00.000Z', signer: { userId: uuidv7(), name: 'Grace Mensah', role: 'iqa' } },
      item.id,
    );
    await db().evidence.update(item.id, { iqaLock: { decisionId: agreed.id, at: agreed.signedAt } });
    renderRoutes(`/review/${item.id}`, reviewRoutes);

    const locked = await screen.findByTestId('iqa-locked');
    expect(locked.textContent).toContain('Signed off and locked by the IQA.');
    expect(locked.textContent).toContain('Grace Mensah agreed with this sign-off on 6 Mar 2026');
    expect(locked.textContent).toContain('Only an admin can unlock it');
    expect(screen.queryByRole('button', { name: 'Reopen' })).toBeNull();
  });

  it('leaves another assessor’s sign-off to them', async () => {
    const item = await seedEvidence(learner.enrolment.id, { title: 'Router set-up', status: 'signed-off', criterionIds: [`${HS}:1.1`] });
    await pulledDecision({ kind: 'assessment', outcome: 'accepted', signer: { userId: uuidv7(), name: 'Hannah Lewis', role: 'assessor' } }, item.id);
    renderRoutes(`/review/${item.id}`, reviewRoutes);
    expect(await screen.findByText(/signed off by Hannah Lewis\. Only Hannah Lewis can reopen it\./)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Reopen' })).toBeNull();
  });
});

describe('Qualification sign-off', () => {
  it('says what is missing until every unit is signed off, then signs the qualification off', async () => {
    const user = userEvent.setup();
    await seedEvidence(learner.enrolment.id, { title: 'Risk assessment', status: 'signed-off', criterionIds: [`${HS}:1.1`, `${HS}:1.2`] });
    await seedEvidence(learner.enrolment.id, { title: 'Network map', status: 'signed-off', criterionIds: [`${NET}:1.1`, `${NET}:1.2`] });
    await signOffUnit(learner.enrolment.id, HS, PNG_DATA_URL);
    renderRoutes(`/caseload/${learner.id}`, learnerRoutes);

    const section = await screen.findByTestId('qualification-sign-off');
    await waitFor(() => expect(within(section).getByTestId('qualification-missing').textContent).toContain('This unit is not signed off yet: “Networking”.'));
    expect(section.textContent).toContain('1 of 2 units signed off');
    expect(within(section).queryByRole('button', { name: 'Sign off the qualification' })).toBeNull();

    // The unit sign-off on this page, then the qualification.
    await user.click(screen.getByRole('button', { name: 'Sign off this unit' }));
    const unitPanel = await screen.findByTestId(`unit-${NET.replace(/[^a-zA-Z0-9_-]/g, '_')}-panel`);
    await user.click(within(unitPanel).getByRole('button', { name: /Sign with keyboard/ }));
    await user.click(within(unitPanel).getByRole('button', { name: 'Sign off the unit' }));
    await screen.findByTestId('signed-notice');

    await user.click(await within(section).findByRole('button', { name: 'Sign off the qualification' }));
    const panel = await screen.findByTestId('qualification-panel');
    expect(panel.textContent).toContain('All 2 signed off');
    await user.click(within(panel).getByRole('button', { name: /Sign with keyboard/ }));
    await user.click(within(panel).getByRole('button', { name: 'Sign off the qualification' }));

    await waitFor(() => expect(screen.getByTestId('signed-notice').textContent).toContain("Sam Patel's qualification is signed off."));
    await waitFor(() => expect(screen.getByTestId('qualification-sign-off').textContent).toContain('Qualification signed off by Tom Okafor'));
    expect((await db().decisions.toArray()).filter((d) => d.kind === 'qualification')).toHaveLength(1);
  });
});
