import { runPlanInJest } from '../jest';
import { obfManagementPlan } from './obf-management.plan';

runPlanInJest(obfManagementPlan);
