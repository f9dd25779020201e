import { runPlanInJest } from './jest-plan';
import { ssaPlan } from './ssa.plan';

runPlanInJest(ssaPlan);
