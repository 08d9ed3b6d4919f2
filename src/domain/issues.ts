import { z } from 'zod';

/**
 * A validation failure in words, listing at most `max` problems and counting the rest: a hostile or
 * badly broken input can fail thousands of checks, and a refusal must stay readable (and small).
 */
export function listIssues(error: z.ZodError, max: number): { text: string; more: number } {
  const text = z.prettifyError(new z.ZodError(error.issues.slice(0, max)));
  return { text, more: Math.max(0, error.issues.length - max) };
}
