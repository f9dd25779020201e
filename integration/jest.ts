/**
 * The npm package's Jest entry (`dcr-mockbank/jest`): the conformance pack's Jest functions
 * (conformance/jest.ts) and mockTarget, the target for a mock bank started in-process. The pack
 * imports nothing from mock-server/ (test/conformance/independence.test.ts); this is where the
 * two meet.
 */
export * from '../conformance/jest';
export { mockTarget } from './mock-target';
