import { runPlanInJest } from './jest-plan';
import { discoveryPlan } from './discovery.plan';

runPlanInJest(discoveryPlan);
