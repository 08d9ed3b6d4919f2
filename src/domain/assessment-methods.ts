import { z } from 'zod';

export const ASSESSMENT_METHODS = [
  { id: 'observation', label: 'Observation' },
  { id: 'e-assessment', label: 'E-assessment' },
  { id: 'mcq-exam', label: 'Multiple-choice examination' },
  { id: 'portfolio-product', label: 'Portfolio of evidence / product' },
  { id: 'practical-demonstration', label: 'Practical demonstration / assignment' },
  { id: 'task-based-controlled', label: 'Task-based controlled assessment' },
  { id: 'witness-testimony', label: 'Witness testimony' },
  { id: 'professional-discussion', label: 'Professional discussion' },
  { id: 'questioning', label: 'Questioning' },
  { id: 'rpl', label: 'Recognition of prior learning' },
] as const;

export type AssessmentMethodId = (typeof ASSESSMENT_METHODS)[number]['id'];
export const AssessmentMethod = z.enum(ASSESSMENT_METHODS.map((m) => m.id) as [AssessmentMethodId, ...AssessmentMethodId[]], {
  message: 'Choose how this evidence was assessed',
});

export function assessmentMethodLabel(id: AssessmentMethodId): string {
  return ASSESSMENT_METHODS.find((m) => m.id === id)?.label ?? id;
}
