import { runPlanInJest } from '../jest';
import { discoveryPlan } from './discovery.plan';

runPlanInJest(discoveryPlan);
