import { runPlanInJest } from '../jest';
import { rfc7591RegistrationPlan } from './rfc7591-registration.plan';

runPlanInJest(rfc7591RegistrationPlan);
