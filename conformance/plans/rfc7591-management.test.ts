import { runPlanInJest } from '../jest';
import { rfc7591ManagementPlan } from './rfc7591-management.plan';

runPlanInJest(rfc7591ManagementPlan);
