import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider, Route, Router } from 'preact-iso';
import EvidenceEditor from '../../src/app/screens/EvidenceEditor';
import { objectUrls } from '../../src/app/components/AttachmentList';
import { newDraftRescueKey, peekRescuedDraft, rescueDraft } from '../../src/app/draft-rescue';
import { db } from '../../src/data/db';
import { settleWrites } from '../../src/data/pending-writes';
import { contentOf, createEvidence, updateEvidence } from '../../src/data/evidence';
import { saveEnrolment } from '../../src/data/learner';
import type { Enrolment } from '../../src/domain/enrolment';
import type { Evidence } from '../../src/domain/evidence';
import type { CompetenceStandard, QualificationSpec } from '../../src/domain/qualification';
import { freshDatabase } from '../db-fixture';

const HS = 'D/503/5549';
const NET = 'J/601/3247';
const GAMES = 'computer-games-development';
const DB_UNIT = 'L/500/7391';

const SPEC = {
  kind: 'qualification',
  id: '4520-03',
  version: 1,
  title: 'ICT Professional Competence (Level 3)',
  awardingBody: 'City & Guilds',
  level: 3,
  accreditationNumber: '501/1788/9',
  credits: 60,
  guidedLearningHours: { min: 200, max: 400 },
  totalQualificationTime: 600,
  lastRegistrationDate: '2030-01-01',
  lastCertificationDate: '2032-01-01',
  rules: {
    minTotalCredits: 60,
    groups: [
      { id: 'm', title: 'Mandatory', kind: 'mandatory', unitIds: [HS], minCredits: null, maxCredits: null, provenance: 'verbatim' },
      { id: 'o', title: 'Optional', kind: 'optional', unitIds: [NET, GAMES, DB_UNIT], minCredits: null, maxCredits: null, provenance: 'verbatim' },
    ],
    minCreditsAtOrAboveLevel: [],
    maxRestrictedCredits: null,
    note: '',
  },
  units: [
    {
      id: HS, number: null, reference: HS, title: 'Health and Safety in ICT', shortTitle: 'H&S in ICT', level: 3, credits: 9, glh: 45, mandatory: true,
      completeness: 'complete', sourceNote: '',
      outcomes: [
        { number: 1, title: 'Know the law', provenance: 'verbatim', criteria: [
          { id: `${HS}:1.1`, number: '1.1', text: 'Describe the main health and safety laws', provenance: 'verbatim' },
          { id: `${HS}:1.2`, number: '1.2', text: 'Explain how to carry out a risk assessment', provenance: 'verbatim' },
        ] },
      ],
    },
    {
      id: NET, number: null, reference: NET, title: 'Networking', shortTitle: 'Networking', level: 2, credits: 6, glh: 50, mandatory: false,
      completeness: 'complete', sourceNote: '',
      outcomes: [
        { number: 1, title: 'Understand networks', provenance: 'verbatim', criteria: [
          { id: `${NET}:1.1`, number: '1.1', text: 'Describe network topologies', provenance: 'verbatim' },
          { id: `${NET}:1.2`, number: '1.2', text: 'Explain TCP/IP addressing', provenance: 'verbatim' },
        ] },
      ],
    },
    {
      id: GAMES, number: null, reference: null, title: 'Computer games development', level: 2, credits: 4, glh: null, mandatory: false,
      completeness: 'missing', sourceNote: 'Its outcomes and criteria were not found, so evidence cannot be mapped to it yet.', outcomes: [],
    },
    {
      id: DB_UNIT, number: null, reference: DB_UNIT, title: 'Database design', level: 4, credits: 15, glh: 90, mandatory: false,
      completeness: 'complete', sourceNote: '',
      outcomes: [{ number: 1, title: 'Design databases', provenance: 'verbatim', criteria: [{ id: `${DB_UNIT}:1.1`, number: '1.1', text: 'Normalise a schema', provenance: 'verbatim' }] }],
    },
  ],
  sources: [],
  note: '',
} satisfies QualificationSpec;

const ICTTECH = {
  kind: 'competence-standard',
  id: 'icttech',
  version: 1,
  title: 'ICTTech',
  body: 'IET',
  headings: [
    { code: 'A', title: 'Knowledge and understanding', provenance: 'paraphrased', competences: [{ id: 'icttech:A1', code: 'A1', text: 'Use knowledge of ICT to choose techniques', provenance: 'paraphrased' }] },
    { code: 'B', title: 'Design and solving ICT problems', provenance: 'paraphrased', competences: [{ id: 'icttech:B2', code: 'B2', text: 'Diagnose and fix faults', provenance: 'paraphrased' }] },
  ],
  sources: [],
  note: '',
} satisfies CompetenceStandard;

let enrolment: Enrolment;

beforeEach(async () => {
  localStorage.clear();
  history.replaceState(null, '', '/');
  await freshDatabase();
  const storedAt = new Date().toISOString();
  await db().frameworks.bulkPut([
    { key: '4520-03@1', id: '4520-03', version: 1, kind: 'qualification', spec: SPEC, storedAt },
    { key: 'icttech@1', id: 'icttech', version: 1, kind: 'competence-standard', spec: ICTTECH, storedAt },
  ]);
  enrolment = await saveEnrolment({
    name: 'Sam Apprentice',
    employer: 'Acme IT',
    qualificationId: '4520-03',
    qualificationVersion: 1,
    optionalUnitIds: [NET, GAMES],
    startDate: '2025-09-01',
    plannedEndDate: '2027-09-01',
    plannedOffTheJobHoursPerWeek: 6,
  });
});

afterEach(async () => {
  // Writes still queued by an editor must land in this test's database, not the next one's.
  await settleWrites();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

function renderAt(url: string) {
  history.replaceState(null, '', url);
  return render(
    <LocationProvider>
      <Router>
        <Route path="/evidence/new" component={EvidenceEditor} />
        <Route path="/evidence/:id" component={EvidenceEditor} />
        <Route path="/evidence" component={() => <p>Evidence list</p>} />
      </Router>
    </LocationProvider>,
  );
}

async function stored(): Promise<Evidence[]> {
  return db().evidence.toArray();
}

async function only(): Promise<Evidence> {
  const items = await stored();
  expect(items).toHaveLength(1);
  return items[0]!;
}

const saved = () => waitFor(() => expect(screen.getByTestId('save-status').textContent).toBe('Saved on this device'));

describe('EvidenceEditor: saving as you type', () => {
  it('creates exactly one item on the first keystroke and stores every keystroke, keeping focus and caret', async () => {
    const user = userEvent.setup();
    renderAt('/evidence/new');
    const title = (await screen.findByLabelText('Title')) as HTMLInputElement;
    expect(await stored()).toHaveLength(0);
    expect(screen.getByTestId('save-status').getAttribute('aria-live')).toBe('polite');

    await user.click(title);
    let typed = '';
    for (const ch of 'Router fix') {
      await user.keyboard(ch === ' ' ? ' ' : ch);
      typed += ch;
      await waitFor(async () => expect((await stored()).map((e) => e.title)).toEqual([typed]));
    }
    const item = await only();
    await waitFor(() => expect(location.pathname).toBe(`/evidence/${item.id}`));
    // The same element, still focused, caret at the end: the form was not remounted by the route change.
    expect(screen.getByLabelText('Title')).toBe(title);
    expect(document.activeElement).toBe(title);
    expect(title.selectionStart).toBe(typed.length);
    expect(title.value).toBe(typed);

    const narrative = screen.getByLabelText('What you did and what you learned');
    await user.type(narrative, 'Swapped the core switch');
    await waitFor(async () => expect((await only()).narrative).toBe('Swapped the core switch'));
    await saved();
    expect(await stored()).toHaveLength(1);
  });

  it('saves the other fields: date, method, hours and off-the-job', async () => {
    const user = userEvent.setup();
    renderAt('/evidence/new');
    await user.selectOptions(await screen.findByLabelText('Assessment method'), 'Witness testimony');
    const date = screen.getByLabelText('Date of the activity');
    await user.type(date, '2026-03-02');
    const hours = screen.getByLabelText('Hours');
    await user.clear(hours);
    await user.type(hours, '1.75');
    await user.click(screen.getByLabelText(/These were off-the-job hours/));
    await waitFor(async () => expect(await only()).toMatchObject({ method: 'witness-testimony', activityDate: '2026-03-02', hours: 1.75, offTheJob: true }));
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toHaveLength(11);
  });

  it('shows a linked error for hours it cannot store, and does not store them', async () => {
    const user = userEvent.setup();
    const item = await createEvidence(enrolment.id, { title: 'Cabling', hours: 2 });
    renderAt(`/evidence/${item.id}`);
    const hours = (await screen.findByLabelText('Hours')) as HTMLInputElement;
    await user.clear(hours);
    await user.type(hours, '5000');
    const error = await screen.findByText(/from 0 to 1,000/);
    expect(hours.getAttribute('aria-invalid')).toBe('true');
    expect(hours.getAttribute('aria-describedby')).toContain(error.id);
    await waitFor(async () => expect((await only()).hours).toBe(500));
    await settleWrites();
    expect((await only()).hours).toBe(500);
  });
});

describe('EvidenceEditor: mapping', () => {
  it('maps two criteria from different units and one ICTTech competence', async () => {
    const user = userEvent.setup();
    const item = await createEvidence(enrolment.id, { title: 'Network survey' });
    renderAt(`/evidence/${item.id}`);
    await user.click(await screen.findByRole('checkbox', { name: /H&S in ICT · 1\.2/ }));
    await user.click(screen.getByRole('checkbox', { name: /Networking · 1\.1/ }));
    await user.click(screen.getByRole('checkbox', { name: /ICTTech B2/ }));
    await waitFor(async () => expect((await only()).criterionIds).toEqual([`${HS}:1.2`, `${NET}:1.1`, 'icttech:B2']));
    expect(screen.getByRole('heading', { name: 'IET ICTTech competences' })).toBeTruthy();
    // The unit not chosen is not offered; the incomplete unit says so instead of inventing criteria.
    expect(screen.queryByText(/Normalise a schema/)).toBeNull();
    expect(screen.getByText(/evidence cannot be mapped to it yet/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Remove Networking · 1.1' }));
    await waitFor(async () => expect((await only()).criterionIds).toEqual([`${HS}:1.2`, 'icttech:B2']));
  });
});

describe('EvidenceEditor: attachments', () => {
  it('stores a picked file as a Blob keyed by its SHA-256 and shows it', async () => {
    const user = userEvent.setup();
    const created: string[] = [];
    const revoked: string[] = [];
    vi.spyOn(objectUrls, 'create').mockImplementation(() => {
      const url = `blob:test/${created.length}`;
      created.push(url);
      return url;
    });
    vi.spyOn(objectUrls, 'revoke').mockImplementation((url) => void revoked.push(url));

    const view = renderAt('/evidence/new');
    const bytes = 'not really a PNG, but bytes all the same';
    const file = new File([bytes], 'server-rack.png', { type: 'image/png' });
    const sha = createHash('sha256').update(bytes).digest('hex');
    const input = (await screen.findByLabelText('Add files')) as HTMLInputElement;
    expect(input.type).toBe('file');
    expect(input.multiple).toBe(true);
    const camera = screen.getByLabelText('Take photo or video') as HTMLInputElement;
    expect(camera.getAttribute('capture')).toBe('environment');
    expect(camera.accept).toBe('image/*,video/*');
    await user.upload(input, file);

    await waitFor(async () => expect((await only()).attachments.map((a) => a.id)).toEqual([sha]));
    const blob = (await db().attachments.get(sha))!.blob!;
    expect(blob.size).toBe(file.size);
    expect(await blob.text()).toBe(bytes);
    const img = (await screen.findByRole('img', { name: 'server-rack.png' })) as HTMLImageElement;
    expect(img.getAttribute('src')).toBe('blob:test/0');
    expect(screen.getByText(/PNG image/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Remove server-rack.png' }));
    await waitFor(async () => expect((await only()).attachments).toEqual([]));
    // Unlinked, not destroyed: an earlier version can still show it.
    expect(await db().attachments.get(sha)).toBeTruthy();
    await waitFor(() => expect(revoked).toContain('blob:test/0'));
    view.unmount();
  });
});

describe('EvidenceEditor: submitting', () => {
  it('lists what is missing, each linked to its field', async () => {
    const user = userEvent.setup();
    const item = await createEvidence(enrolment.id, { title: 'Half done' });
    renderAt(`/evidence/${item.id}`);
    await user.click(await screen.findByRole('button', { name: 'Submit for assessment' }));
    const summary = await screen.findByTestId('submit-problems');
    const links = within(summary).getAllByRole('link').map((a) => a.textContent);
    expect(links).toEqual([
      'Describe what you did and what you learned',
      'Enter the date of the activity',
      'Choose how this evidence was assessed',
      'Map the evidence to at least one criterion',
    ]);
    await waitFor(() => expect(document.activeElement).toBe(summary));
    const narrative = screen.getByLabelText('What you did and what you learned');
    expect(narrative.getAttribute('aria-invalid')).toBe('true');
    expect(narrative.getAttribute('aria-describedby')).toContain('evidence-narrative-error');
    await user.click(within(summary).getByRole('link', { name: 'Describe what you did and what you learned' }));
    expect(document.activeElement).toBe(narrative);
    await user.click(within(summary).getByRole('link', { name: 'Map the evidence to at least one criterion' }));
    expect(document.activeElement).toBe(screen.getByLabelText('Search criteria'));
    expect((await only()).status).toBe('draft');

    // Fixing a field takes its problem off the list.
    await user.type(narrative, 'Did it');
    await waitFor(() => expect(within(summary).queryByText('Describe what you did and what you learned')).toBeNull());
  });

  it('submits a complete item', async () => {
    const user = userEvent.setup();
    const item = await createEvidence(enrolment.id, {
      title: 'Replaced switch',
      narrative: 'I replaced a failed switch and tested every port.',
      activityDate: '2026-02-10',
      method: 'observation',
      criterionIds: [`${NET}:1.1`],
    });
    renderAt(`/evidence/${item.id}`);
    expect((await screen.findAllByText('Draft')).length).toBeGreaterThan(0);
    await user.click(screen.getByRole('button', { name: 'Submit for assessment' }));
    await waitFor(async () => expect((await only()).status).toBe('submitted'));
    expect(await screen.findByText(/^Submitted for assessment\. Your assessor will see it/)).toBeTruthy();
    expect(screen.getAllByText('Submitted').length).toBeGreaterThan(0);
    expect(screen.queryByRole('button', { name: 'Submit for assessment' })).toBeNull();
  });

  it('shows accepted evidence read-only, with a note', async () => {
    const item = await createEvidence(enrolment.id, { title: 'Accepted work', narrative: 'Done' });
    await db().evidence.update(item.id, { status: 'accepted' });
    renderAt(`/evidence/${item.id}`);
    expect(await screen.findByText(/accepted this evidence, so it can no longer be changed/)).toBeTruthy();
    expect(screen.queryByLabelText('Title')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Accepted work' })).toBeTruthy();
  });
});

describe('EvidenceEditor: delete and restore', () => {
  it('asks inline, soft-deletes, and a deleted item opened directly offers Restore', async () => {
    const user = userEvent.setup();
    const confirmSpy = vi.fn(() => true);
    vi.stubGlobal('confirm', confirmSpy);
    const item = await createEvidence(enrolment.id, { title: 'Old notes' });
    const view = renderAt(`/evidence/${item.id}`);
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    expect(await screen.findByRole('heading', { name: 'Delete this evidence?' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Yes, delete it' }));
    expect(await screen.findByText('Evidence list')).toBeTruthy();
    expect(location.pathname).toBe('/evidence');
    expect((await only()).deletedAt).not.toBeNull();
    expect(confirmSpy).not.toHaveBeenCalled();
    view.unmount();

    renderAt(`/evidence/${item.id}`);
    expect(await screen.findByText('This evidence was deleted')).toBeTruthy();
    expect(screen.queryByLabelText('Title')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Restore' }));
    await waitFor(async () => expect((await only()).deletedAt).toBeNull());
    expect(((await screen.findByLabelText('Title')) as HTMLInputElement).value).toBe('Old notes');
  });

  it('Cancel keeps the item', async () => {
    const user = userEvent.setup();
    const item = await createEvidence(enrolment.id, { title: 'Keep' });
    renderAt(`/evidence/${item.id}`);
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('heading', { name: 'Delete this evidence?' })).toBeNull();
    expect((await only()).deletedAt).toBeNull();
  });
});

describe('EvidenceEditor: history', () => {
  it('shows an edit in words and restores an earlier version', async () => {
    const user = userEvent.setup();
    const item = await createEvidence(enrolment.id, { title: 'First title' });
    await updateEvidence(item.id, { title: 'Second title', hours: 2 });
    renderAt(`/evidence/${item.id}`);
    const history = (await screen.findByRole('heading', { name: 'History' })).closest('section')!;
    await within(history).findByText('Edited');
    expect(within(history).getByText('Created')).toBeTruthy();
    expect(within(history).getByText('Changed the title and the hours.')).toBeTruthy();
    const items = within(history).getAllByRole('listitem');
    expect(items[0]!.textContent).toContain('Edited');

    await user.click(within(history).getByText('Show this earlier version'));
    expect(within(history).getByText('First title')).toBeTruthy();
    await user.click(within(history).getByRole('button', { name: /^Restore this version/ }));
    await waitFor(async () => expect(await only()).toMatchObject({ title: 'First title', hours: 0 }));
    await waitFor(() => expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('First title'));
    expect((screen.getByLabelText('Hours') as HTMLInputElement).value).toBe('0');
  });
});

describe('EvidenceEditor: device full', () => {
  it('keeps the typing, keeps a rescue copy, and saves on "Try saving again"', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const user = userEvent.setup();
    renderAt('/evidence/new');
    const title = (await screen.findByLabelText('Title')) as HTMLInputElement;
    await user.type(title, 'Rou');
    await waitFor(async () => expect((await only()).title).toBe('Rou'));
    const item = await only();

    const full = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    db().evidence.hook('updating', full);
    await user.keyboard('ter');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('out of storage space');
    expect(screen.getByTestId('save-status').textContent).toContain('Not saved');
    expect(title.value).toBe('Router');
    expect(document.activeElement).toBe(title);
    expect((await only()).title).toBe('Rou');
    await waitFor(() => expect(peekRescuedDraft(item.id)?.content.title).toBe('Router'));

    db().evidence.hook('updating').unsubscribe(full);
    await user.click(within(alert).getByRole('button', { name: 'Try saving again' }));
    await waitFor(async () => expect((await only()).title).toBe('Router'));
    await saved();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(peekRescuedDraft(item.id)).toBeNull();
  });

  it('rescues typing when even creating the item fails', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const user = userEvent.setup();
    const full = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    db().evidence.hook('creating', full);
    renderAt('/evidence/new');
    await user.type(await screen.findByLabelText('Title'), 'Lost?');
    expect((await screen.findByRole('alert')).textContent).toContain('out of storage space');
    expect(peekRescuedDraft(newDraftRescueKey(enrolment.id))?.content.title).toBe('Lost?');
    expect(await stored()).toHaveLength(0);
    db().evidence.hook('creating').unsubscribe(full);
    await user.click(screen.getByRole('button', { name: 'Try saving again' }));
    await waitFor(async () => expect((await only()).title).toBe('Lost?'));
    expect(peekRescuedDraft(newDraftRescueKey(enrolment.id))).toBeNull();
  });

  it('offers a rescue copy that differs from the stored item when the editor opens', async () => {
    const user = userEvent.setup();
    const item = await createEvidence(enrolment.id, { title: 'Stored' });
    rescueDraft(item.id, { ...contentOf(item), title: 'Typed while full', narrative: 'Kept safe' });
    renderAt(`/evidence/${item.id}`);
    expect(await screen.findByRole('heading', { name: 'Unsaved changes were kept' })).toBeTruthy();
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('Stored');
    await user.click(screen.getByRole('button', { name: 'Restore my unsaved changes' }));
    await waitFor(async () => expect(await only()).toMatchObject({ title: 'Typed while full', narrative: 'Kept safe' }));
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('Typed while full');
    expect(peekRescuedDraft(item.id)).toBeNull();
  });

  it('does not offer a rescue copy identical to what is stored', async () => {
    const item = await createEvidence(enrolment.id, { title: 'Same' });
    rescueDraft(item.id, contentOf(item));
    renderAt(`/evidence/${item.id}`);
    await screen.findByLabelText('Title');
    expect(screen.queryByRole('heading', { name: 'Unsaved changes were kept' })).toBeNull();
    expect(peekRescuedDraft(item.id)).toBeNull();
  });
});
