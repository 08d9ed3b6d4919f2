import { CentreAssessorList, SampleResponse, SamplingPlanList, SamplingPlanSummary, type SamplingPlan } from '../../domain/sampling';
import type { CentreClient } from '../../sync/api';

const IQA = '/api/iqa';
const id = (value: string) => encodeURIComponent(value);

/** The centre's IQA API (server/routes/sampling.ts), one function per route; answers checked against the shared schemas. */
export function iqaApi(client: CentreClient) {
  return {
    listAssessors: async () => (await client.call('GET', `${IQA}/assessors`, CentreAssessorList)).assessors,
    listPlans: async () => (await client.call('GET', `${IQA}/plans`, SamplingPlanList)).plans,
    createPlan: (plan: SamplingPlan) => client.call('POST', `${IQA}/plans`, SamplingPlanSummary, plan),
    updatePlan: (plan: SamplingPlan) => client.call('PUT', `${IQA}/plans/${id(plan.id)}`, SamplingPlanSummary, plan),
    /** The plan's sample, drawn by the centre from its records; the same for everyone who asks. */
    sample: (planId: string) => client.call('GET', `${IQA}/plans/${id(planId)}/sample`, SampleResponse),
  };
}

export type IqaApi = ReturnType<typeof iqaApi>;
