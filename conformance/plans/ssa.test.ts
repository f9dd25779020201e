import { runPlanInJest } from '../jest';
import { ssaPlan } from './ssa.plan';

runPlanInJest(ssaPlan);
