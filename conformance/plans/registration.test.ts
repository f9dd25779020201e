import { runPlanInJest } from '../jest';
import { registrationPlan } from './registration.plan';

runPlanInJest(registrationPlan);
