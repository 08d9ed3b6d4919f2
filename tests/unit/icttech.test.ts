import { describe, expect, it } from 'vitest';
import icttechJson from '../../qualifications/icttech.json';
import { groupByIctTech, type IctTechEvidence } from '../../src/domain/icttech';
import { CompetenceStandard } from '../../src/domain/qualification';
import type { Decision } from '../../src/domain/signoff';

const std = CompetenceStandard.parse(icttechJson);

function evidence(id: string, fields: Partial<IctTechEvidence>): IctTechEvidence {
  return { id, title: `Item ${id}`, status: 'draft', criterionIds: [], activityDate: null, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', deletedAt: null, ...fields };
}

function acceptance(evidenceId: string, signedAt: string, outcome: 'accepted' | 'referred' = 'accepted'): Decision {
  return {
    id: `01933b4e-0000-7000-8000-${signedAt.slice(5, 7)}${signedAt.slice(8, 10)}00000000`,
    kind: 'assessment',
    outcome,
    learnerId: 'l',
    enrolmentId: 'e',
    unitId: null,
    subjectId: null,
    evidence: [{ id: evidenceId, contentHash: '0'.repeat(64), attachments: [] }],
    criterionIds: [],
    feedback: { overall: '', criteria: {} },
    signer: { userId: 'a', name: 'Tom', role: 'assessor' },
    signedFor: null,
    drawnSignature: null,
    signedAt,
    keyId: '22222222-2222-4222-8222-222222222222',
    signature: 'x'.repeat(86),
  };
}

describe('groupByIctTech', () => {
  const items = [
    evidence('b', { title: 'Server rebuild', status: 'signed-off', criterionIds: ['icttech:B2', 'icttech:B3', 'icttech:B2'], activityDate: '2026-03-10' }),
    evidence('a', { title: 'Helpdesk week', status: 'submitted', criterionIds: ['icttech:B2', 'icttech:D2', 'D/503/5549:1.1'], activityDate: '2026-02-01' }),
    evidence('c', { title: 'Only qualification criteria', status: 'signed-off', criterionIds: ['D/503/5549:1.2'] }),
    evidence('d', { title: 'Deleted', status: 'draft', criterionIds: ['icttech:E2'], deletedAt: '2026-04-01T00:00:00.000Z' }),
    evidence('e', { title: '   ', status: 'draft', criterionIds: ['icttech:E4'], createdAt: '2026-05-05T10:00:00.000Z' }),
  ];

  it('puts each live item under every competence it is mapped to, oldest activity first, once each', () => {
    const summary = groupByIctTech(std, items);
    const competence = (code: string) => summary.headings.flatMap((h) => h.competences).find((c) => c.code === code)!;
    expect(competence('B2').items.map((i) => i.title)).toEqual(['Helpdesk week', 'Server rebuild']);
    expect(competence('B2').signedOff).toBe(1);
    expect(competence('B3').items.map((i) => i.id)).toEqual(['b']);
    expect(competence('D2').items.map((i) => ({ id: i.id, status: i.status, activityDate: i.activityDate }))).toEqual([{ id: 'a', status: 'submitted', activityDate: '2026-02-01' }]);
    expect(competence('E2').items).toEqual([]);
    expect(competence('E4').items).toEqual([expect.objectContaining({ id: 'e', title: 'Untitled', activityDate: null, createdAt: '2026-05-05T10:00:00.000Z' })]);
  });

  it('keeps the headings A to E in order and counts what is covered', () => {
    const summary = groupByIctTech(std, items);
    expect(summary.headings.map((h) => h.code)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(summary.headings.map((h) => h.covered)).toEqual([0, 2, 0, 1, 1]);
    expect(summary.totals).toEqual({ competences: 14, covered: 4, coveredBySignedOff: 2, items: 3, notMapped: 1 });
  });

  it('says that only direct mappings count, since the 4520 specs do not map to ICTTech', () => {
    const summary = groupByIctTech(std, items);
    expect(summary.mappingNote).toMatch(/^Only evidence mapped directly to an ICTTech competence is listed\. The 4520 qualification specs do not map their units or criteria to ICTTech/);
    // An item mapped only to 4520 criteria appears under no competence.
    expect(summary.headings.flatMap((h) => h.competences.flatMap((c) => c.items.map((i) => i.id)))).not.toContain('c');
  });

  it('dates a sign-off from the latest assessment when decisions are given', () => {
    const summary = groupByIctTech(std, items, [acceptance('b', '2026-03-20T10:00:00.000Z'), acceptance('a', '2026-02-10T10:00:00.000Z', 'referred')]);
    const b2 = summary.headings[1]!.competences.find((c) => c.code === 'B2')!;
    expect(b2.items.map((i) => [i.id, i.signedOffAt])).toEqual([
      ['a', null],
      ['b', '2026-03-20T10:00:00.000Z'],
    ]);
  });
});
