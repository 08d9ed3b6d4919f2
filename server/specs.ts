import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SpecSummary } from '../src/domain/admin';
import type { FrameworkSpec } from '../src/domain/qualification';
import { parseSpec } from '../src/domain/specs';
import type { Sql } from './db/database';

/**
 * Qualification specs as the centre keeps them: every version of every spec, never changed once
 * stored, because an enrolment keeps the version it started on.
 */

const SHIPPED_DIR = fileURLToPath(new URL('../qualifications/', import.meta.url));

/** The specs shipped in qualifications/, validated with the same schema as an admin's import. */
export function readShippedSpecs(dir: string = SHIPPED_DIR): FrameworkSpec[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseSpec(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')), `qualifications/${f}`));
}

export async function loadSpec(db: Sql, id: string, version: number): Promise<FrameworkSpec | null> {
  const [row] = await db.query<{ spec: FrameworkSpec }>('select spec from qualification_specs where id = $1 and version = $2', [id, version]);
  return row?.spec ?? null;
}

export async function latestSpecVersion(db: Sql, id: string): Promise<number | null> {
  const [row] = await db.query<{ version: number | null }>('select max(version) as version from qualification_specs where id = $1', [id]);
  return row?.version ?? null;
}

/** Inserts the spec; false when that id and version is already stored (the stored one stands). */
export async function storeSpec(db: Sql, spec: FrameworkSpec, importedBy: string | null): Promise<boolean> {
  const rows = await db.query(
    `insert into qualification_specs (id, version, kind, spec, imported_by) values ($1, $2, $3, $4::jsonb, $5)
     on conflict (id, version) do nothing returning id`,
    [spec.id, spec.version, spec.kind, JSON.stringify(spec), importedBy],
  );
  return rows.length > 0;
}

interface SummaryRow {
  id: string;
  version: number;
  kind: SpecSummary['kind'];
  title: string;
  imported_at: Date;
  enrolments: number;
}

const SUMMARY_SELECT = `
  select s.id, s.version, s.kind, s.spec->>'title' as title, s.imported_at,
         (select count(*)::int from records r
           where r.entity = 'enrolment' and not r.deleted and r.centre_id = $1
             and r.data->>'qualificationId' = s.id and r.data->>'qualificationVersion' = s.version::text) as enrolments
    from qualification_specs s`;

function toSummary(row: SummaryRow): SpecSummary {
  return { id: row.id, version: row.version, kind: row.kind, title: row.title, importedAt: new Date(row.imported_at).toISOString(), enrolments: row.enrolments };
}

/** Every stored version; enrolment counts are the given centre's only. */
export async function listSpecSummaries(db: Sql, centreId: string): Promise<SpecSummary[]> {
  const rows = await db.query<SummaryRow>(`${SUMMARY_SELECT} order by s.id, s.version desc`, [centreId]);
  return rows.map(toSummary);
}

export async function specSummary(db: Sql, centreId: string, id: string, version: number): Promise<SpecSummary | null> {
  const [row] = await db.query<SummaryRow>(`${SUMMARY_SELECT} where s.id = $2 and s.version = $3`, [centreId, id, version]);
  return row ? toSummary(row) : null;
}
