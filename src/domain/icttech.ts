import type { EvidenceStatus } from './evidence';
import type { CompetenceStandard, Provenance } from './qualification';
import { latestAssessment, type Decision } from './signoff';

/**
 * A learner's evidence grouped under the IET ICTTech competences (headings A to E), for the
 * learner's ICTTech screen and icttech.html in an EQA export: the material for a registration
 * application. Only direct mappings count: evidence.criterionIds may name ICTTech competences
 * (ids such as `icttech:B2`), but the 4520 qualification specs carry no mapping from their units
 * or criteria to ICTTech (QualificationSpec has no such field), so evidence mapped only to 4520
 * criteria is not placed under a competence. The summary says so in `mappingNote`.
 */

export const ICTTECH_MAPPING_NOTE =
  'Only evidence mapped directly to an ICTTech competence is listed. The 4520 qualification specs do not map their units or criteria to ICTTech, so evidence mapped only to 4520 criteria is not counted here: map an item to the competences it shows to include it.';

export const STATUS_WORDS: Record<EvidenceStatus, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  accepted: 'Accepted',
  referred: 'Referred',
  'signed-off': 'Signed off',
};

export interface IctTechEvidence {
  id: string;
  title: string;
  status: EvidenceStatus;
  criterionIds: readonly string[];
  activityDate: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface IctTechItem {
  id: string;
  title: string;
  status: EvidenceStatus;
  activityDate: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the item's latest assessment accepted it, if decisions were given and one did. */
  signedOffAt: string | null;
}

export interface IctTechCompetence {
  id: string;
  code: string;
  text: string;
  provenance: Provenance;
  /** Oldest activity first, as an application tells the story. */
  items: IctTechItem[];
  signedOff: number;
}

export interface IctTechHeading {
  code: string;
  title: string;
  competences: IctTechCompetence[];
  /** Competences under this heading with at least one item. */
  covered: number;
}

export interface IctTechSummary {
  standard: { id: string; version: number; title: string; body: string; note: string };
  headings: IctTechHeading[];
  totals: {
    competences: number;
    /** Competences with any mapped item. */
    covered: number;
    /** Competences with a signed-off item. */
    coveredBySignedOff: number;
    /** Distinct live items mapped to at least one competence. */
    items: number;
    /** Live items mapped to no competence (qualification criteria only, or nothing yet). */
    notMapped: number;
  };
  mappingNote: string;
}

function activityOrder(a: IctTechItem, b: IctTechItem): number {
  const da = a.activityDate ?? a.createdAt.slice(0, 10);
  const db = b.activityDate ?? b.createdAt.slice(0, 10);
  return da < db ? -1 : da > db ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function groupByIctTech(std: CompetenceStandard, evidence: readonly IctTechEvidence[], decisions: readonly Decision[] = []): IctTechSummary {
  const competenceIds = new Set(std.headings.flatMap((h) => h.competences.map((c) => c.id)));
  const byCompetence = new Map<string, IctTechItem[]>();
  const mapped = new Set<string>();
  let notMapped = 0;
  for (const item of evidence) {
    if (item.deletedAt !== null) continue;
    const ids = [...new Set(item.criterionIds)].filter((id) => competenceIds.has(id));
    if (ids.length === 0) {
      notMapped++;
      continue;
    }
    mapped.add(item.id);
    const latest = decisions.length > 0 ? latestAssessment(decisions, item.id) : null;
    const entry: IctTechItem = {
      id: item.id,
      title: item.title.trim() || 'Untitled',
      status: item.status,
      activityDate: item.activityDate,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      signedOffAt: latest?.outcome === 'accepted' ? latest.signedAt : null,
    };
    for (const id of ids) byCompetence.set(id, [...(byCompetence.get(id) ?? []), entry]);
  }

  let covered = 0;
  let coveredBySignedOff = 0;
  const headings = std.headings.map((heading): IctTechHeading => {
    const competences = heading.competences.map((c): IctTechCompetence => {
      const items = (byCompetence.get(c.id) ?? []).sort(activityOrder);
      const signedOff = items.filter((i) => i.status === 'signed-off').length;
      if (items.length > 0) covered++;
      if (signedOff > 0) coveredBySignedOff++;
      return { id: c.id, code: c.code, text: c.text, provenance: c.provenance, items, signedOff };
    });
    return { code: heading.code, title: heading.title, competences, covered: competences.filter((c) => c.items.length > 0).length };
  });

  return {
    standard: { id: std.id, version: std.version, title: std.title, body: std.body, note: std.note },
    headings,
    totals: { competences: competenceIds.size, covered, coveredBySignedOff, items: mapped.size, notMapped },
    mappingNote: ICTTECH_MAPPING_NOTE,
  };
}
