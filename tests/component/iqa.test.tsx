import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import type { SessionUser } from '../../src/domain/auth';
import type { Evidence } from '../../src/domain/evidence';
import type { SampleCandidate, SampleResponse, SamplingPlanSummary } from '../../src/domain/sampling';
import { db } from '../../src/data/db';
import { rememberSignIn } from '../../src/data/session';
import { CentreError, type CentreClient } from '../../src/sync/api';
import { freshDatabase } from '../db-fixture';

// The canvas pad needs a real 2D context; a stand-in gives the same value a drawn signature would.
vi.mock('../../src/app/components/SignaturePad', () => ({
  SignaturePad: (props: { value: string | null; onChange: (v: string | null) => void; label: string }) => (
    <div>
      <p>{props.label}</p>
      <button type="button" onClick={() => props.onChange('data:image/png;base64,AAAA')}>
        Sign with keyboard
      </button>
    </div>
  ),
}));
const recordIqaDecision = vi.fn();
vi.mock('../../src/data/decisions', () => ({
  recordIqaDecision: (...args: unknown[]) => recordIqaDecision(...args),
  decisionsForEvidence: async () => [],
}));

const { default: IqaPlans } = await import('../../src/app/iqa/Plans');
const { default: PlanSample } = await import('../../src/app/iqa/PlanSample');
const { default: AdminLocks } = await import('../../src/app/admin/Locks');

const CENTRE = '0190f0f0-0000-7000-8000-00000000c000';
const IQA: SessionUser = { id: '0190f0f0-0000-7000-8000-000000000001', name: 'Grace Mensah', email: 'grace@centre.example', role: 'iqa', centreId: CENTRE, centreName: 'Northgate College' };
const ADMIN: SessionUser = { ...IQA, id: '0190f0f0-0000-7000-8000-000000000009', name: 'Priya Shah', email: 'priya@centre.example', role: 'admin' };
const TOM = '0190f0f0-0000-7000-8000-000000000002';
const PLAN_ID = '0190f0f0-0000-7000-8000-0000000000aa';

/** A fake centre: answers by "METHOD path", remembers every call, and checks answers with the caller's schema like the real client. */
class FakeClient implements CentreClient {
  calls: Array<{ method: string; path: string; body: unknown }> = [];
  constructor(private readonly routes: Record<string, (body: unknown) => unknown>) {}
  async call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    this.calls.push({ method, path, body });
    const route = this.routes[`${method} ${path}`];
    if (!route) throw new CentreError('refused', `No route ${method} ${path}`, 404);
    return schema.parse(await route(body));
  }
  async fetch(): Promise<Response> {
    throw new Error('not used');
  }
}

function plan(fields: Partial<SamplingPlanSummary> = {}): SamplingPlanSummary {
  return {
    id: PLAN_ID,
    assessorId: TOM,
    percentage: 10,
    unitIds: [],
    stage: 'interim',
    methods: ['observation'],
    seed: '3f1c9a0e5b7d42e8a6c01f9b2d4e7a53',
    iqaId: IQA.id,
    iqaName: IQA.name,
    assessorName: 'Tom Okafor',
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:00.000Z',
    ...fields,
  };
}

function candidate(n: number, fields: Partial<SampleCandidate> = {}): SampleCandidate {
  return {
    decisionId: `0190f0f0-0000-7000-8000-0000000001${String(n).padStart(2, '0')}`,
    evidenceId: `0190f0f0-0000-7000-8000-0000000002${String(n).padStart(2, '0')}`,
    learnerId: '0190f0f0-0000-7000-8000-000000000003',
    learnerName: 'Jordan Ellis',
    enrolmentId: 'enrolment-1',
    title: `Item ${n}`,
    method: 'portfolio-product',
    unitIds: ['D/503/5549'],
    outcome: 'accepted',
    feedback: { overall: `Feedback on item ${n}`, criteria: {} },
    assessorName: 'Tom Okafor',
    signedAt: '2026-11-02T10:00:00.000Z',
    inUnitSignOff: false,
    iqaLock: null,
    iqaVerdicts: [],
    ...fields,
  };
}

function evidence(c: SampleCandidate): Evidence {
  return {
    id: c.evidenceId,
    enrolmentId: c.enrolmentId,
    title: c.title,
    narrative: 'I rebuilt the RAID array after a disk failed.',
    activityDate: '2026-10-20',
    method: c.method,
    hours: 2,
    offTheJob: false,
    attachments: [],
    criterionIds: ['D/503/5549:1.1'],
    kind: 'learner',
    questions: [],
    witness: null,
    status: 'signed-off',
    createdAt: '2026-10-20T10:00:00.000Z',
    updatedAt: '2026-10-20T10:00:00.000Z',
    deletedAt: null,
    serverRevision: 3,
    dirty: 0,
    conflicts: [],
    recordedBy: null,
    iqaLock: null,
  };
}

async function signIn(user: SessionUser) {
  await rememberSignIn({ token: 'x'.repeat(43), sessionId: crypto.randomUUID(), expiresAt: '2027-02-01T00:00:00.000Z', user });
}

beforeEach(async () => {
  await freshDatabase();
  recordIqaDecision.mockReset();
});

describe('IQA: plans', () => {
  function plansClient(plans: SamplingPlanSummary[] = []) {
    return new FakeClient({
      'GET /api/iqa/assessors': () => ({ assessors: [{ id: TOM, name: 'Tom Okafor', active: true }] }),
      'GET /api/iqa/plans': () => ({ plans }),
      'POST /api/iqa/plans': (body) => plan(body as Partial<SamplingPlanSummary>),
    });
  }

  it('explains what is wrong with a plan before sending it, then makes it', async () => {
    await signIn(IQA);
    const client = plansClient();
    render(
      <LocationProvider>
        <IqaPlans client={client} />
      </LocationProvider>,
    );
    const form = within(await screen.findByRole('region', { name: 'New sampling plan' }));
    const percentage = form.getByLabelText(/Percentage to sample/);
    await userEvent.clear(percentage);
    await userEvent.type(percentage, '0');
    await userEvent.click(form.getByRole('button', { name: 'Make plan' }));

    const summary = await screen.findByRole('alert');
    expect(summary.textContent).toContain('Choose the assessor whose decisions you will sample');
    expect(summary.textContent).toContain('Sample at least 1% of the decisions');
    expect(percentage.getAttribute('aria-invalid')).toBe('true');
    expect(client.calls.filter((c) => c.method === 'POST')).toEqual([]);

    await userEvent.selectOptions(form.getByLabelText(/Assessor/), TOM);
    await userEvent.clear(percentage);
    await userEvent.type(percentage, '15');
    await userEvent.click(form.getByLabelText('Questioning'));
    await userEvent.click(form.getByRole('button', { name: 'Make plan' }));

    await screen.findByText('Made the plan for Tom Okafor.');
    const [post] = client.calls.filter((c) => c.method === 'POST');
    expect(post!.body).toMatchObject({ assessorId: TOM, percentage: 15, stage: 'interim', methods: ['questioning'], unitIds: [] });
    expect(within(screen.getByTestId('plan-list')).getByText(/15% of interim decisions/)).toBeTruthy();
  });

  it('lets the IQA change only their own plans', async () => {
    await signIn(IQA);
    render(
      <LocationProvider>
        <IqaPlans client={plansClient([plan(), plan({ id: '0190f0f0-0000-7000-8000-0000000000bb', iqaId: 'someone-else', iqaName: 'Ian Clarke' })])} />
      </LocationProvider>,
    );
    const list = await screen.findByTestId('plan-list');
    expect(within(list).getAllByRole('link', { name: /View sample/ })).toHaveLength(2);
    expect(within(list).getAllByRole('button', { name: /Change plan/ })).toHaveLength(1);
    expect(list.textContent).toContain("Ian Clarke's plan");
  });

  it('is refused to anyone but an IQA', async () => {
    await signIn(ADMIN);
    render(
      <LocationProvider>
        <IqaPlans client={plansClient()} />
      </LocationProvider>,
    );
    expect((await screen.findByTestId('iqa-refused')).textContent).toContain('Only internal quality assurers');
  });
});

describe('IQA: the sample', () => {
  const random = candidate(1);
  const observed = candidate(2, { method: 'observation', title: 'Observed disk swap' });
  const locked = candidate(3, { iqaLock: { decisionId: 'q', at: '2026-11-10T09:00:00.000Z', by: 'Ian Clarke' } });
  const sample: SampleResponse = {
    plan: plan({ methods: ['observation', 'rpl'] }),
    seed: '3f1c9a0e5b7d42e8a6c01f9b2d4e7a53',
    population: 21,
    target: 3,
    picks: [
      { candidate: observed, satisfies: [{ kind: 'method', methodId: 'observation' }] },
      { candidate: random, satisfies: [] },
      { candidate: locked, satisfies: [] },
    ],
    unmet: [{ kind: 'method', methodId: 'rpl' }],
  };
  const sampleClient = () => new FakeClient({ [`GET /api/iqa/plans/${PLAN_ID}/sample`]: () => sample });

  function renderSample(client: CentreClient) {
    render(
      <LocationProvider>
        <PlanSample id={PLAN_ID} client={client} />
      </LocationProvider>,
    );
  }

  it('lists each sampled decision with why it was chosen, what could not be covered, and locks', async () => {
    await signIn(IQA);
    renderSample(sampleClient());
    const list = await screen.findByTestId('sample-list');
    const first = within(list).getByTestId(`sample-${observed.decisionId}`);
    expect(first.textContent).toContain('Observed disk swap');
    expect(first.textContent).toContain('Jordan Ellis');
    expect(first.textContent).toContain('Observation');
    expect(first.textContent).toContain('D/503/5549');
    expect(first.textContent).toContain('Feedback on item 2');
    expect(first.textContent).toContain('To cover Observation');
    expect(within(list).getByTestId(`sample-${random.decisionId}`).textContent).toContain('Chosen at random');
    expect(within(within(list).getByTestId(`sample-${locked.decisionId}`)).getByTestId('iqa-lock').textContent).toContain('Ian Clarke agreed with this sign-off');
    expect(screen.getByTestId('sample-unmet').textContent).toContain('Recognition of prior learning');
    expect(screen.getByTestId('sample-size').textContent).toContain('3 of 21 decisions sampled');
    // The centre's seed is shown, so anyone can re-draw the same sample.
    expect(screen.getByTestId('sample-seed').textContent).toBe('3f1c9a0e5b7d42e8a6c01f9b2d4e7a53');
  });

  it('records agreement with the feedback, signed with the drawn signature', async () => {
    await signIn(IQA);
    await db().evidence.put(evidence(observed));
    recordIqaDecision.mockResolvedValue({ id: 'x', outcome: 'agreed', signedAt: '2026-11-23T10:00:00.000Z' });
    renderSample(sampleClient());
    const item = await screen.findByTestId(`sample-${observed.decisionId}`);
    await userEvent.click(within(item).getByRole('button', { name: /Open and review/ }));
    const review = await within(item).findByTestId(`review-${observed.evidenceId}`);
    expect(review.textContent).toContain('I rebuilt the RAID array');
    await userEvent.click(within(review).getByLabelText(/I agree with the assessor/));
    await userEvent.type(within(review).getByLabelText(/Feedback to the assessor/), 'Clear, well-evidenced judgement.');
    await userEvent.click(within(review).getByRole('button', { name: 'Sign with keyboard' }));
    await userEvent.click(within(review).getByRole('button', { name: 'Sign agreement' }));

    await within(review).findByTestId('iqa-recorded');
    expect(recordIqaDecision).toHaveBeenCalledTimes(1);
    expect(recordIqaDecision).toHaveBeenCalledWith({
      assessmentId: observed.decisionId,
      outcome: 'agreed',
      feedback: { overall: 'Clear, well-evidenced judgement.', criteria: {} },
      drawnSignature: 'data:image/png;base64,AAAA',
    });
  });

  it('will not sign an action without feedback', async () => {
    await signIn(IQA);
    await db().evidence.put(evidence(random));
    renderSample(sampleClient());
    const item = await screen.findByTestId(`sample-${random.decisionId}`);
    await userEvent.click(within(item).getByRole('button', { name: /Open and review/ }));
    const review = await within(item).findByTestId(`review-${random.evidenceId}`);
    await userEvent.click(within(review).getByLabelText(/The assessor must act on this/));
    expect(within(review).getByText('Write the feedback the assessor must act on.')).toBeTruthy();
    expect((within(review).getByRole('button', { name: 'Sign and send the action' }) as HTMLButtonElement).disabled).toBe(true);
    expect(recordIqaDecision).not.toHaveBeenCalled();
  });

  it('says plainly when the centre cannot be reached', async () => {
    await signIn(IQA);
    renderSample(
      new FakeClient({
        [`GET /api/iqa/plans/${PLAN_ID}/sample`]: () => {
          throw new CentreError('offline', 'Cannot reach your centre.');
        },
      }),
    );
    expect((await screen.findByTestId('iqa-offline')).textContent).toContain('need a connection');
  });
});

describe('Admin: IQA locks', () => {
  const item = {
    evidenceId: '0190f0f0-0000-7000-8000-000000000300',
    title: 'Network plan',
    learnerId: '0190f0f0-0000-7000-8000-000000000003',
    learnerName: 'Jordan Ellis',
    lock: { decisionId: 'q', at: '2026-11-10T09:00:00.000Z', by: 'Grace Mensah' },
  };

  it('unlocks a locked item only with a reason, and says what happened', async () => {
    await signIn(ADMIN);
    const client = new FakeClient({
      'GET /api/iqa/locks': () => ({ items: [item] }),
      [`POST /api/admin/evidence/${item.evidenceId}/unlock`]: () => ({ entity: 'evidence', id: item.evidenceId, revision: 5, deleted: false, data: {}, updatedAt: '2026-11-23T10:00:00.000Z' }),
    });
    render(
      <LocationProvider>
        <AdminLocks client={client} />
      </LocationProvider>,
    );
    const row = await screen.findByTestId(`lock-${item.evidenceId}`);
    expect(row.textContent).toContain('locked by Grace Mensah');
    await userEvent.type(screen.getByLabelText('Find a learner or an item'), 'jordan');
    expect(screen.getByTestId(`lock-${item.evidenceId}`)).toBeTruthy();

    await userEvent.click(within(row).getByRole('button', { name: /Unlock Network plan/ }));
    await userEvent.type(within(row).getByLabelText('Why unlock it?'), 'too short');
    await userEvent.click(within(row).getByRole('button', { name: 'Unlock item' }));
    expect(within(row).getByText('Give the reason for unlocking in at least 10 characters')).toBeTruthy();
    expect(client.calls.filter((c) => c.method === 'POST')).toEqual([]);

    await userEvent.type(within(row).getByLabelText('Why unlock it?'), ': the IQA agreed with the wrong item');
    await userEvent.click(within(row).getByRole('button', { name: 'Unlock item' }));
    await waitFor(() => expect(screen.getByTestId('unlock-outcome').textContent).toContain('Unlocked “Network plan” of Jordan Ellis'));
    expect(client.calls.find((c) => c.method === 'POST')!.body).toEqual({ reason: 'too short: the IQA agreed with the wrong item' });
    expect(screen.queryByTestId(`lock-${item.evidenceId}`)).toBeNull();
  });
});
