import type { z } from 'zod';
import { MAX_SPEC_BYTES } from '../../domain/admin';
import { FrameworkSpec } from '../../domain/qualification';
import { SpecError, parseSpec } from '../../domain/specs';

/** What checking a spec file on this device found, before anything is sent to the centre. */
export type SpecFileCheck =
  | { ok: true; fileName: string; raw: unknown; spec: FrameworkSpec }
  | { ok: false; fileName: string; title: string; problems: string[] };

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "units[3] (unit D/503/5549) › credits": where in the file a problem is, in terms an admin can find. */
function where(raw: unknown, path: PropertyKey[]): string {
  let text = '';
  let node: unknown = raw;
  for (const key of path) {
    text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
    node = isRecord(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    // Name the unit, outcome or criterion a numbered entry is, so the admin need not count.
    if (typeof key === 'number' && isRecord(node)) {
      const label = typeof node.id === 'string' ? node.id : typeof node.number === 'string' || typeof node.number === 'number' ? String(node.number) : null;
      if (label) text += ` (${label})`;
    }
  }
  return text;
}

function describe(raw: unknown, issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.path.length === 1 && issue.path[0] === 'kind')
    return 'kind: must be "qualification" or "competence-standard"';
  if (issue.path.length === 0) return issue.message.replace(/^Invalid input: expected object, received (\w+)$/, 'The file must hold one JSON object (a spec), not $1');
  return `${where(raw, issue.path)}: ${issue.message}`;
}

/** Every problem the shared schema finds in a parsed file; empty when it is a valid spec. */
export function specProblems(raw: unknown): string[] {
  const result = FrameworkSpec.safeParse(raw);
  return result.success ? [] : result.error.issues.map((issue) => describe(raw, issue));
}

/** Checks a file's text exactly as the centre will: JSON first, then the shared spec schema (parseSpec). */
export function checkSpecText(text: string, fileName: string): SpecFileCheck {
  if (text.trim() === '') return { ok: false, fileName, title: `${fileName} is empty`, problems: ['Choose the spec’s .json file; this one has nothing in it.'] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      fileName,
      title: `${fileName} is not JSON`,
      problems: [`It could not be read as JSON (${reason}). A spec file is JSON text, like the files in the app's qualifications folder; check you chose the right file and that it was saved as plain text.`],
    };
  }
  try {
    return { ok: true, fileName, raw, spec: parseSpec(raw, fileName) };
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const problems = specProblems(raw);
    return { ok: false, fileName, title: `${fileName} is not a valid spec`, problems: problems.length > 0 ? problems : error.message.split('\n').slice(1).filter(Boolean) };
  }
}

export async function checkSpecFile(file: Blob & { name: string }): Promise<SpecFileCheck> {
  if (file.size > MAX_SPEC_BYTES)
    return {
      ok: false,
      fileName: file.name,
      title: `${file.name} is too big`,
      problems: [`It is ${megabytes(file.size)}; a spec file can be at most ${megabytes(MAX_SPEC_BYTES)}. Check you chose the spec’s .json file.`],
    };
  return checkSpecText(await file.text(), file.name);
}
