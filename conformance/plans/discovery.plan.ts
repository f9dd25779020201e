import { definePlan } from './plan';
import { discoveryChecks } from '../rules/discovery';

/** DCR-001 and the discovery fields DCR clients rely on: one GET of the well-known document. */
export const discoveryPlan = definePlan({
  id: 'discovery',
  title: 'Discovery',
  steps: [],
  checks: discoveryChecks,
});
