import { loadShippedSpecs, SHIPPED_SPEC_KEYS } from '../domain/specs';
import { CompetenceStandard, FrameworkSpec, QualificationSpec } from '../domain/qualification';
import { db, type StoredFramework } from './db';
import { guardWrite } from './errors';

function keyOf(spec: FrameworkSpec): string {
  return `${spec.id}@${spec.version}`;
}

/** Puts the specs shipped with this app version on the device; versions already there stay as they are. */
export async function seedShippedFrameworks(): Promise<void> {
  const existing = new Set(await db().frameworks.toCollection().primaryKeys());
  const lacking = new Set(SHIPPED_SPEC_KEYS.filter((key) => !existing.has(key)));
  if (lacking.size === 0) return;
  const missing = await loadShippedSpecs(lacking);
  const storedAt = new Date().toISOString();
  await guardWrite(() =>
    db().frameworks.bulkPut(
      missing.map((spec): StoredFramework => ({ key: keyOf(spec), id: spec.id, version: spec.version, kind: spec.kind, spec, storedAt })),
    ),
  );
}

function latest(rows: StoredFramework[]): StoredFramework | undefined {
  return rows.reduce<StoredFramework | undefined>((best, row) => (!best || row.version > best.version ? row : best), undefined);
}

/** The newest version of each qualification, for choosing one to enrol on. */
export async function latestQualifications(): Promise<QualificationSpec[]> {
  const rows = await db().frameworks.where('kind').equals('qualification').toArray();
  const byId = new Map<string, StoredFramework[]>();
  for (const row of rows) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
  return [...byId.values()]
    .map((versions) => QualificationSpec.parse(latest(versions)!.spec))
    .sort((a, b) => a.id.localeCompare(b.id));
}

export async function qualificationVersion(id: string, version: number): Promise<QualificationSpec | null> {
  const row = await db().frameworks.get(`${id}@${version}`);
  return row && row.spec.kind === 'qualification' ? row.spec : null;
}

export async function competenceStandard(id = 'icttech'): Promise<CompetenceStandard | null> {
  const row = latest(await db().frameworks.where('id').equals(id).toArray());
  return row && row.spec.kind === 'competence-standard' ? row.spec : null;
}
