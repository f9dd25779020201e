import { runPlanInJest } from '../../conformance/jest';
import { cdrPlan } from '../../conformance/plans/cdr.plan';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { profileTarget } from '../../integration/profile-targets';

/**
 * The cdr dialect from the Jest entry, as a data recipient's own suite would run it: the CDR plan
 * against the mock bank started with the cdr profile (its mock CDR Register issuing the SSAs);
 * every check is a test, and each must pass.
 */
let bank: Promise<MockBank> | undefined;
const started = () => (bank ??= startMockBank({ profile: 'cdr' }));
afterAll(async () => (bank ? (await bank).close() : undefined));

runPlanInJest(cdrPlan, { target: async () => profileTarget(await started()) });
