import type { Evidence } from '../domain/evidence';
import { evidenceOf } from '../data/evidence';
import { useLive, type Live } from '../data/live';
import { markWhenDone } from './startup-marks';

/** All of an enrolment's evidence (deleted items included), newest first, kept live. */
export function useEnrolmentEvidence(enrolmentId: string): Live<Evidence[]> {
  return useLive(() => markWhenDone('evidence-read', evidenceOf(enrolmentId)), [enrolmentId]);
}
