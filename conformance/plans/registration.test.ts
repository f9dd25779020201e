import { runPlanInJest } from './jest-plan';
import { registrationPlan } from './registration.plan';

runPlanInJest(registrationPlan);
