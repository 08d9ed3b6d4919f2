import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { useState } from 'preact/hooks';
import { CriterionPicker, PAGE_SIZE } from '../../src/app/components/CriterionPicker';
import { competenceTargets, enrolledUnitIds, mappingTargets } from '../../src/domain/specs';
import type { CompetenceStandard, MappingTarget, QualificationSpec, Unit } from '../../src/domain/qualification';

const HS = 'D/503/5549';
const NET = 'J/601/3247';
const GAMES = 'computer-games-development';

function unit(partial: Partial<Unit> & Pick<Unit, 'id' | 'title' | 'outcomes'>): Unit {
  return {
    number: null,
    reference: null,
    level: 3,
    credits: 6,
    glh: 40,
    mandatory: false,
    completeness: 'complete',
    sourceNote: '',
    ...partial,
  };
}

const UNITS: Unit[] = [
  unit({
    id: HS,
    reference: HS,
    title: 'Health and Safety in ICT',
    shortTitle: 'H&S in ICT',
    mandatory: true,
    outcomes: [
      {
        number: 1,
        title: 'Know the law',
        provenance: 'verbatim',
        criteria: [
          { id: `${HS}:1.1`, number: '1.1', text: 'Describe the main health and safety laws', provenance: 'verbatim' },
          { id: `${HS}:1.2`, number: '1.2', text: 'Explain how to carry out a risk assessment', provenance: 'paraphrased' },
        ],
      },
      { number: 2, title: 'Work safely', provenance: 'verbatim', criteria: [{ id: `${HS}:2.1`, number: '2.1', text: 'Lift equipment safely', provenance: 'verbatim' }] },
    ],
  }),
  unit({
    id: NET,
    reference: NET,
    title: 'Networking',
    outcomes: [
      {
        number: 1,
        title: 'Understand networks',
        provenance: 'verbatim',
        criteria: [
          { id: `${NET}:1.1`, number: '1.1', text: 'Describe network topologies', provenance: 'verbatim' },
          { id: `${NET}:1.2`, number: '1.2', text: 'Explain TCP/IP addressing', provenance: 'verbatim' },
        ],
      },
    ],
  }),
  unit({
    id: GAMES,
    title: 'Computer games development',
    completeness: 'missing',
    sourceNote: 'Its outcomes, criteria and unit reference number were not found, so evidence cannot be mapped to it yet.',
    outcomes: [],
  }),
];

const SPEC = {
  kind: 'qualification',
  id: '4520-03',
  version: 1,
  title: 'ICT Professional Competence',
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
      { id: 'o', title: 'Optional', kind: 'optional', unitIds: [NET, GAMES], minCredits: null, maxCredits: null, provenance: 'verbatim' },
    ],
    minCreditsAtOrAboveLevel: [],
    maxRestrictedCredits: null,
    note: '',
  },
  units: UNITS,
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
    { code: 'D', title: 'Communication and interpersonal skills', provenance: 'paraphrased', competences: [{ id: 'icttech:D1', code: 'D1', text: 'Communicate with customers and colleagues', provenance: 'paraphrased' }] },
  ],
  sources: [],
  note: '',
} satisfies CompetenceStandard;

const unitIds = enrolledUnitIds(SPEC, [NET, GAMES]);
const TARGETS: MappingTarget[] = [...mappingTargets(SPEC, unitIds), ...competenceTargets(ICTTECH)];

function Harness({ targets = TARGETS, units = UNITS, initial = [] as string[], log }: { targets?: MappingTarget[]; units?: Unit[]; initial?: string[]; log?: string[][] }) {
  const [selected, setSelected] = useState(initial);
  return (
    <CriterionPicker
      targets={targets}
      units={units}
      selected={selected}
      onChange={(ids) => {
        log?.push(ids);
        setSelected(ids);
      }}
    />
  );
}

const checkboxNames = () => screen.queryAllByRole('checkbox').map((c) => c.closest('label')!.textContent!.replace(/\s+/g, ' ').trim());

describe('CriterionPicker', () => {
  it('shows one collapsed line per unit while browsing, and opens the units a search matches', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const details = () => [...document.querySelectorAll('.picker-group details')] as HTMLDetailsElement[];
    expect(details().length).toBeGreaterThan(1);
    expect(details().every((d) => !d.open)).toBe(true);
    await user.type(screen.getByLabelText('Search criteria'), 'risk assessment');
    expect(details().length).toBeGreaterThan(0);
    expect(details().every((d) => d.open)).toBe(true);
  });

  it('groups criteria by unit then outcome, with ICTTech as its own group', () => {
    render(<Harness />);
    const hs = screen.getByRole('region', { name: /Health and Safety in ICT/ });
    expect(within(hs).getAllByRole('group').filter((g) => g.tagName === 'FIELDSET').map((g) => g.querySelector('legend')!.textContent)).toEqual(['Outcome 1: Know the law', 'Outcome 2: Work safely']);
    expect(within(hs).getByRole('checkbox', { name: /H&S in ICT · 1\.1 Describe the main health and safety laws/ })).toBeTruthy();
    // Reworded criteria say so.
    expect(within(hs).getByText(/official wording may differ/)).toBeTruthy();

    const icttech = screen.getByRole('region', { name: 'IET ICTTech competences' });
    expect(within(icttech).getAllByRole('group').filter((g) => g.tagName === 'FIELDSET').map((g) => g.querySelector('legend')!.textContent)).toEqual([
      'A. Knowledge and understanding',
      'D. Communication and interpersonal skills',
    ]);
    expect(within(icttech).getByRole('checkbox', { name: /ICTTech D1 Communicate/ })).toBeTruthy();
    expect(screen.getAllByRole('checkbox')).toHaveLength(7);
  });

  it('shows what is known about a unit whose criteria are missing, and offers nothing to tick', () => {
    render(<Harness />);
    const games = screen.getByRole('region', { name: /Computer games development/ });
    expect(within(games).getByText(/criteria for this unit are not yet known/)).toBeTruthy();
    expect(within(games).getByText(/evidence cannot be mapped to it yet/)).toBeTruthy();
    expect(within(games).queryAllByRole('checkbox')).toHaveLength(0);
  });

  it('filters by number, case-insensitively, requiring every word', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const search = screen.getByRole('searchbox', { name: 'Search criteria' });
    expect(search.getAttribute('type')).toBe('search');

    await user.type(search, '1.2');
    expect(checkboxNames()).toEqual([
      'H&S in ICT · 1.2 Explain how to carry out a risk assessment (reworded: the official wording may differ)',
      'Networking · 1.2 Explain TCP/IP addressing',
    ]);

    await user.clear(search);
    await user.type(search, 'NETWORK addressing');
    expect(checkboxNames()).toEqual(['Networking · 1.2 Explain TCP/IP addressing']);

    await user.clear(search);
    await user.type(search, 'safety topologies');
    expect(checkboxNames()).toEqual([]);
    expect(screen.getByText('No criteria match your search')).toBeTruthy();
  });

  it('finds criteria by unit reference, unit title and competence heading', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const search = screen.getByRole('searchbox', { name: 'Search criteria' });
    await user.type(search, 'j/601/3247');
    expect(checkboxNames().map((n) => n.split(' ')[0])).toEqual(['Networking', 'Networking']);

    await user.clear(search);
    // Unit and outcome titles count as words of each criterion in them.
    await user.type(search, 'health law');
    expect(checkboxNames().map((n) => n.split(' ').slice(0, 5).join(' '))).toEqual(['H&S in ICT · 1.1', 'H&S in ICT · 1.2']);
    await user.clear(search);
    await user.type(search, 'health lift');
    expect(checkboxNames()).toEqual(['H&S in ICT · 2.1 Lift equipment safely']);

    await user.clear(search);
    await user.type(search, 'interpersonal');
    expect(checkboxNames()).toEqual(['ICTTech D1 Communicate with customers and colleagues']);

    // An incomplete unit found by name still explains itself.
    await user.clear(search);
    await user.type(search, 'games');
    expect(screen.getByRole('region', { name: /Computer games development/ })).toBeTruthy();
  });

  it('ticks criteria into removable chips; removing one moves focus sensibly', async () => {
    const user = userEvent.setup();
    const log: string[][] = [];
    render(<Harness log={log} />);
    await user.click(screen.getByRole('checkbox', { name: /Networking · 1\.2/ }));
    await user.click(screen.getByRole('checkbox', { name: /ICTTech A1/ }));
    expect(log.at(-1)).toEqual([`${NET}:1.2`, 'icttech:A1']);
    expect(screen.getByRole('heading', { name: 'Mapped (2)' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Remove Networking · 1.2' }));
    expect(log.at(-1)).toEqual(['icttech:A1']);
    expect((screen.getByRole('checkbox', { name: /Networking · 1\.2/ }) as HTMLInputElement).checked).toBe(false);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove ICTTech A1' })));

    await user.click(screen.getByRole('button', { name: 'Remove ICTTech A1' }));
    expect(log.at(-1)).toEqual([]);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('searchbox', { name: 'Search criteria' })));
  });

  it('keeps a mapped criterion that is no longer offered visible, so it can be removed', () => {
    render(<Harness initial={['X/000/0000:9.9']} />);
    expect(screen.getByRole('button', { name: 'Remove X/000/0000:9.9' }).textContent).toContain('not in your units');
  });

  it('stays quick with 2,000 targets: renders a page at a time with "Show more"', async () => {
    const user = userEvent.setup();
    const units: Unit[] = [];
    const targets: MappingTarget[] = [];
    for (let u = 0; u < 40; u++) {
      const id = `unit-${u}`;
      const outcomes = Array.from({ length: 5 }, (_, o) => ({
        number: o + 1,
        title: `Outcome title ${u}-${o + 1}`,
        provenance: 'verbatim' as const,
        criteria: Array.from({ length: 10 }, (_, c) => ({ id: `${id}:${o + 1}.${c + 1}`, number: `${o + 1}.${c + 1}`, text: `Criterion text ${u} ${o + 1} ${c + 1}${c === 3 ? ' firewall' : ''}`, provenance: 'verbatim' as const })),
      }));
      units.push(unit({ id, title: `Synthetic unit ${u}`, outcomes }));
    }
    const spec = { ...SPEC, units, rules: { ...SPEC.rules, groups: [{ ...SPEC.rules.groups[1]!, unitIds: units.map((u) => u.id) }] } };
    targets.push(...mappingTargets(spec, units.map((u) => u.id)));
    expect(targets).toHaveLength(2000);

    render(<Harness targets={targets} units={units} />);
    expect(screen.getAllByRole('checkbox')).toHaveLength(PAGE_SIZE);
    expect(screen.getByText(/2000 criteria and competences, showing the first 200/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: /Show more/ }));
    expect(screen.getAllByRole('checkbox')).toHaveLength(2 * PAGE_SIZE);

    const search = screen.getByRole('searchbox', { name: 'Search criteria' });
    const started = performance.now();
    await user.type(search, 'firewall');
    const elapsed = performance.now() - started;
    expect(screen.getAllByRole('checkbox')).toHaveLength(PAGE_SIZE);
    expect(screen.getByText(/^200 matches/)).toBeTruthy();
    await user.type(search, ' 17');
    expect(checkboxNames()).toEqual(['Synthetic unit 17 · 1.4 Criterion text 17 1 4 firewall', 'Synthetic unit 17 · 2.4 Criterion text 17 2 4 firewall', 'Synthetic unit 17 · 3.4 Criterion text 17 3 4 firewall', 'Synthetic unit 17 · 4.4 Criterion text 17 4 4 firewall', 'Synthetic unit 17 · 5.4 Criterion text 17 5 4 firewall']);
    // Eight keystrokes over 2,000 targets, rendering included, in a slow DOM emulation.
    expect(elapsed).toBeLessThan(4000);
  });
});
