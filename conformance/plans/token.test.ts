import { runPlanInJest } from '../jest';
import { tokenPlan } from './token.plan';

runPlanInJest(tokenPlan);
