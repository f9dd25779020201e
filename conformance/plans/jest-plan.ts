// Kept for imports of the old path: the Jest entry is conformance/jest.ts (`dcr-mockbank/jest`).
export { runPlanInJest, runConformanceInJest } from '../jest';
