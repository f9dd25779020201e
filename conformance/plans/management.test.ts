import { runPlanInJest } from './jest-plan';
import { managementPlan } from './management.plan';

runPlanInJest(managementPlan);
