import { runPlanInJest } from '../../conformance/jest';
import { obfManagementPlan } from '../../conformance/plans/obf-management.plan';
import { obfRegistrationPlan } from '../../conformance/plans/obf-registration.plan';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { profileTarget } from '../../integration/profile-targets';

/**
 * The obf dialect from the Jest entry, as a TPP's own suite would run it: both OBF plans against
 * the mock bank started with the obf profile (its OBF directory minting the statements, its OBF
 * transport certificates); every check is a test, and each must pass.
 */
let bank: Promise<MockBank> | undefined;
const started = () => (bank ??= startMockBank({ profile: 'obf' }));
afterAll(async () => (bank ? (await bank).close() : undefined));

runPlanInJest(obfRegistrationPlan, { target: async () => profileTarget(await started()) });
runPlanInJest(obfManagementPlan, { target: async () => profileTarget(await started()) });
