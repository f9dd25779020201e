import { runPlanInJest } from '../jest';
import { cdrPlan } from './cdr.plan';

runPlanInJest(cdrPlan);
