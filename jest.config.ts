/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Jest runs in native ESM mode (node --experimental-vm-modules): jose 6 and faker 10 are
// ESM-only and load untransformed; @swc/jest strips the TypeScript types.
const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
};

export default config;
