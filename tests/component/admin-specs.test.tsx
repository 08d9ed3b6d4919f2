import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { LocationProvider } from 'preact-iso';
import { beforeEach, describe, expect, it } from 'vitest';
import Specs from '../../src/app/admin/Specs';
import { checkSpecText } from '../../src/app/admin/spec-file';
import { MAX_SPEC_BYTES } from '../../src/domain/admin';
import spec0403 from '../../qualifications/4520-03.json';
import { freshDatabase } from '../db-fixture';
import { FakeCentre, signInAs } from './admin-fake-centre';

let centre: FakeCentre;

beforeEach(async () => {
  await freshDatabase();
  centre = new FakeCentre();
  await signInAs(centre, 'ada@centre.example');
});

function renderSpecs() {
  render(
    <LocationProvider>
      <Specs client={centre} />
    </LocationProvider>,
  );
}

function jsonFile(content: unknown, name = 'spec.json'): File {
  return new File([typeof content === 'string' ? content : JSON.stringify(content, null, 2)], name, { type: 'application/json' });
}

async function choose(user: ReturnType<typeof userEvent.setup>, file: File) {
  await user.upload(await screen.findByLabelText(/^Spec file/), file);
}

const posts = () => centre.calls.filter((c) => c.method === 'POST');

describe('Admin: qualification specs', () => {
  it('lists versions with their enrolment counts', async () => {
    centre.enrolments.push({
      id: 'e1', revision: 1, learnerId: centre.user('priya@centre.example').id, learnerName: 'Priya Shah', qualificationId: '4520-03', qualificationVersion: 1,
      optionalUnitIds: [], startDate: '2026-03-02', plannedEndDate: '2027-09-30', plannedOffTheJobHoursPerWeek: 6, createdAt: '', updatedAt: '',
    });
    renderSpecs();
    const row = await screen.findByTestId('spec-4520-03-1');
    expect(within(row).getByText('1', { selector: 'td[data-label="Enrolments"]' })).toBeTruthy();
    expect(row.textContent).toContain('latest');
    expect(screen.getByTestId('spec-4520-02-1').textContent).toContain('0');
  });

  it('checks a valid file on the device, summarises it, and imports it', async () => {
    const user = userEvent.setup();
    renderSpecs();
    await choose(user, jsonFile({ ...spec0403, version: 2 }, '4520-03-v2.json'));
    const preview = await screen.findByTestId('spec-preview');
    expect(preview.textContent).toContain('4520-03-v2.json is a valid spec');
    expect(preview.textContent).toContain('Level 3 Diploma in ICT Professional Competence');
    expect(preview.textContent).toMatch(/Units\s*15/);
    expect(screen.getByTestId('spec-incomplete').textContent).toMatch(/^15 of 15 units are not fully known/);
    expect(preview.textContent).toContain('This follows version 1');
    expect(posts()).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Import version 2' }));
    await screen.findByText(/Imported Level 3 Diploma in ICT Professional Competence \(4520-03\), version 2/);
    expect(posts()).toHaveLength(1);
    expect((posts()[0]!.body as { version: number }).version).toBe(2);
    expect(await screen.findByTestId('spec-4520-03-2')).toBeTruthy();
    expect(screen.getByTestId('spec-4520-03-2').textContent).toContain('latest');
    expect(screen.getByTestId('spec-4520-03-1').textContent).not.toContain('latest');
    expect(screen.queryByTestId('spec-preview')).toBeNull();
  });

  it('lists every problem in an invalid spec and sends nothing', async () => {
    const broken = structuredClone(spec0403) as Record<string, unknown> & { units: Array<Record<string, unknown>> };
    broken.version = 0;
    broken.accreditationNumber = '5011789';
    broken.units[0]!.credits = 'ten';
    const user = userEvent.setup();
    renderSpecs();
    await choose(user, jsonFile(broken, 'broken.json'));
    const problems = await screen.findByTestId('spec-problems');
    expect(problems.getAttribute('role')).toBe('alert');
    expect(problems.textContent).toContain('broken.json is not a valid spec');
    const items = within(problems).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toHaveLength(3);
    expect(items.some((t) => t!.startsWith('version:'))).toBe(true);
    expect(items.some((t) => t!.includes('An accreditation number looks like 501/1788/9'))).toBe(true);
    expect(items.some((t) => t!.startsWith(`units[0] (${spec0403.units[0]!.id}).credits:`))).toBe(true);
    expect(screen.queryByRole('button', { name: /^Import/ })).toBeNull();
    expect(posts()).toEqual([]);
  });

  it('says clearly when the file is not JSON', async () => {
    const user = userEvent.setup();
    renderSpecs();
    await choose(user, jsonFile('{ "kind": "qualification", oops', 'notes.json'));
    const problems = await screen.findByTestId('spec-problems');
    expect(problems.textContent).toContain('notes.json is not JSON');
    expect(problems.textContent).toContain('could not be read as JSON');
    expect(posts()).toEqual([]);
  });

  it('shows the centre’s refusal of a version it already has, and keeps the file chosen', async () => {
    const user = userEvent.setup();
    renderSpecs();
    await screen.findByTestId('spec-4520-03-1');
    await choose(user, jsonFile(spec0403, '4520-03.json'));
    const preview = await screen.findByTestId('spec-preview');
    expect(preview.textContent).toContain('already has version 1 of 4520-03');
    await user.click(screen.getByRole('button', { name: 'Import version 1' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The centre did not import the spec');
    expect(alert.textContent).toContain('4520-03 is already at version 1 here');
    expect(screen.getByTestId('spec-preview')).toBeTruthy();
    expect(centre.specs.filter((s) => s.spec.id === '4520-03')).toHaveLength(1);
  });

  it('refuses a file above the size limit without reading it', async () => {
    const user = userEvent.setup();
    renderSpecs();
    await choose(user, jsonFile(' '.repeat(MAX_SPEC_BYTES + 1), 'huge.json'));
    const problems = await screen.findByTestId('spec-problems');
    expect(problems.textContent).toContain('huge.json is too big');
    expect(problems.textContent).toContain('at most 2.0 MB');
  });

  it('explains a file that is JSON but not a spec', () => {
    const check = checkSpecText('[1, 2, 3]', 'list.json');
    expect(check.ok).toBe(false);
    expect(!check.ok && check.problems).toEqual(['The file must hold one JSON object (a spec), not array']);
    const noKind = checkSpecText('{"id": "4520-05"}', 'x.json');
    expect(!noKind.ok && noKind.problems).toEqual(['kind: must be "qualification" or "competence-standard"']);
  });
});

describe('Admin: specs screen recovers', () => {
  it('lets the admin choose another file after a bad one', async () => {
    const user = userEvent.setup();
    renderSpecs();
    await choose(user, jsonFile('nope', 'bad.json'));
    await screen.findByTestId('spec-problems');
    await choose(user, jsonFile({ ...spec0403, version: 3 }, 'good.json'));
    await waitFor(() => expect(screen.queryByTestId('spec-problems')).toBeNull());
    expect((await screen.findByTestId('spec-preview')).textContent).toContain('good.json is a valid spec');
  });
});
