import { runPlanInJest } from '../jest';
import { obfRegistrationPlan } from './obf-registration.plan';

runPlanInJest(obfRegistrationPlan);
