import { runPlanInJest } from '../jest';
import { managementPlan } from './management.plan';

runPlanInJest(managementPlan);
