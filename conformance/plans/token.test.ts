import { runPlanInJest } from './jest-plan';
import { tokenPlan } from './token.plan';

runPlanInJest(tokenPlan);
