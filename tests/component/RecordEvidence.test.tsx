import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import RecordEvidence from '../../src/app/screens/RecordEvidence';
import { recording } from '../../src/app/components/AudioRecorder';
import { db } from '../../src/data/db';
import { settleWrites } from '../../src/data/pending-writes';
import type { Evidence } from '../../src/domain/evidence';
import { ASSESSOR, HS, PNG_DATA_URL, freshAssessorTablet, renderRoutes, seedLearner, stubCanvas, type Learner } from './assessor-fixture';

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

const routes = [
  { path: '/caseload/:learnerId/record/:kind', component: RecordEvidence },
  { path: '/caseload/:learnerId/record/:kind/:evidenceId', component: RecordEvidence },
];

async function only(): Promise<Evidence> {
  const items = await db().evidence.toArray();
  expect(items).toHaveLength(1);
  return items[0]!;
}

const saved = () => waitFor(() => expect(screen.getByTestId('save-status').textContent).toBe('Saved on this device'));

describe('RecordEvidence', () => {
  it('records an observation that saves as the assessor types, in the learner’s enrolment', async () => {
    const user = userEvent.setup();
    renderRoutes(`/caseload/${learner.id}/record/observation`, routes);
    const title = await screen.findByLabelText('Title');
    expect(await db().evidence.count()).toBe(0);
    await user.type(title, 'Observed: fault finding');
    await waitFor(async () => expect((await only()).title).toBe('Observed: fault finding'));
    const item = await only();
    expect(item).toMatchObject({
      enrolmentId: learner.enrolment.id,
      kind: 'observation',
      method: 'observation',
      status: 'draft',
      recordedBy: { userId: ASSESSOR.id, name: ASSESSOR.name, role: 'assessor' },
    });
    await waitFor(() => expect(location.pathname).toBe(`/caseload/${learner.id}/record/observation/${item.id}`));
    // Not remounted by the route change: the same input keeps focus.
    expect(document.activeElement).toBe(title);

    await user.type(screen.getByLabelText('What you observed'), 'Traced the fault to a patch lead');
    await waitFor(async () => expect((await only()).narrative).toBe('Traced the fault to a patch lead'));
    await user.click(screen.getByRole('checkbox', { name: /Describe the main health and safety laws/, hidden: true }));
    await waitFor(async () => expect((await only()).criterionIds).toEqual([`${HS}:1.1`]));
    await saved();
    await user.click(screen.getByRole('button', { name: 'Submit for sign-off' }));
    await waitFor(async () => expect((await only()).status).toBe('submitted'));
    expect(screen.getByRole('link', { name: 'Review and sign off now' }).getAttribute('href')).toBe(`/review/${item.id}`);
  });

  it('needs the witness’s drawn signature before a witness testimony can be submitted', async () => {
    const user = userEvent.setup();
    renderRoutes(`/caseload/${learner.id}/record/witness-testimony`, routes);
    await user.type(await screen.findByLabelText('Title'), 'Line manager on the server move');
    await user.type(screen.getByLabelText("Witness's name"), 'Dana Lee');
    await user.type(screen.getByLabelText('Job title'), 'IT manager');
    await user.type(screen.getByLabelText("How they know the learner's work"), 'Line manager for 8 months');
    await user.type(screen.getByLabelText("Witness's statement"), 'Sam planned and ran the move safely.');
    await user.click(screen.getByRole('checkbox', { name: /Explain how to carry out a risk assessment/, hidden: true }));
    await saved();

    await user.click(screen.getByRole('button', { name: 'Submit for sign-off' }));
    const problems = await screen.findByTestId('record-problems');
    expect(within(problems).getAllByRole('link').map((a) => a.textContent)).toEqual(['Ask the witness to sign in the signature box']);
    expect((await only()).status).toBe('draft');

    const pad = screen.getByTestId('witness-pad-signature');
    expect(within(pad).getByRole('img', { name: 'Signature of Dana Lee' }).tagName).toBe('CANVAS');
    await user.click(within(pad).getByRole('button', { name: 'Sign with keyboard as Dana Lee' }));
    await waitFor(async () => expect((await only()).witness?.signature).toBe(PNG_DATA_URL));
    await user.click(screen.getByRole('button', { name: 'Submit for sign-off' }));
    await waitFor(async () => expect((await only()).status).toBe('submitted'));
    expect(await only()).toMatchObject({
      kind: 'witness-testimony',
      narrative: 'Sam planned and ran the move safely.',
      witness: { name: 'Dana Lee', jobTitle: 'IT manager', relationship: 'Line manager for 8 months', signature: PNG_DATA_URL },
    });
  });

  it('keeps repeatable question and answer pairs', async () => {
    const user = userEvent.setup();
    renderRoutes(`/caseload/${learner.id}/record/questioning`, routes);
    await user.type(await screen.findByLabelText('Question 1'), 'Why use VLANs?');
    await user.type(screen.getByLabelText("Learner's answer to question 1"), 'To separate traffic');
    await user.click(screen.getByRole('button', { name: 'Add a question' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Question 2')));
    await user.keyboard('What is a subnet mask?');
    await waitFor(async () =>
      expect((await only()).questions).toEqual([
        { question: 'Why use VLANs?', answer: 'To separate traffic' },
        { question: 'What is a subnet mask?', answer: '' },
      ]),
    );
    await user.click(screen.getByRole('button', { name: 'Remove question 1' }));
    await waitFor(async () => expect((await only()).questions).toEqual([{ question: 'What is a subnet mask?', answer: '' }]));
  });

  it('says so when the microphone is refused, and takes an audio file instead', async () => {
    const user = userEvent.setup();
    vi.spyOn(recording, 'supported').mockReturnValue(true);
    vi.spyOn(recording, 'getStream').mockRejectedValue(new DOMException('Permission denied', 'NotAllowedError'));
    renderRoutes(`/caseload/${learner.id}/record/professional-discussion`, routes);
    await user.type(await screen.findByLabelText('Title'), 'Discussion: backups');
    await user.click(screen.getByRole('button', { name: 'Start recording' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Microphone access was refused');

    await user.upload(screen.getByLabelText('Attach an audio file'), new File(['fake audio'], 'discussion.m4a', { type: 'audio/mp4' }));
    await waitFor(async () => expect((await only()).attachments.map((a) => a.name)).toEqual(['discussion.m4a']));
    expect(await screen.findByText('Recording saved as discussion.m4a.')).toBeTruthy();
  });
});
