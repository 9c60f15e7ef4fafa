const { jestModuleNameMapper } = require('./scripts/flavours.cjs');

/** What both projects share. */
// The PowerShell suites (test/runbook: the runbook under pwsh against the fake ARM, and its Pester unit
// tests) do not depend on Node's version. CI runs them on its first Node line and sets
// ASR_NODE_NEUTRAL_DONE=1 for the other lines, which then run everything else (.ci/run).
const nodeNeutral = process.env.ASR_NODE_NEUTRAL_DONE === '1' ? ['<rootDir>/test/runbook/'] : [];
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', ...nodeNeutral],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/examples/.*/node_modules/'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
};
// The examples import the package by name, as a platform team would; inside the repo that is the source.
const self = (entry) => ({ [`^asr-mobility-autoupdate/${entry}$`]: '<rootDir>/constructs/$1' });

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'cdktf',
      testMatch: ['**/*.test.ts'],
      moduleNameMapper: self('(domain|cdktf|pulumi)'),
      snapshotResolver: '<rootDir>/test/snapshot-resolver.cjs',
    },
    {
      // CDK Terrain: the same adapter source and the same tests and helpers, with the module
      // mapping that scripts/build.mjs applies to dist/cdktn (scripts/flavours.cjs).
      ...common,
      displayName: 'cdktn',
      testMatch: [
        '<rootDir>/test/cdktf/stacks.test.ts',
        '<rootDir>/test/cdktf/constructs.test.ts',
        '<rootDir>/test/cdktf/references.test.ts',
        '<rootDir>/test/parity/terraform.test.ts',
        '<rootDir>/test/cdktf/visibility.test.ts',
        // The documentation's cdktn programs (the file runs the other engines' in the cdktf project).
        '<rootDir>/test/docs/programs.test.ts',
      ],
      moduleNameMapper: {
        ...self('(domain|pulumi)'),
        '^asr-mobility-autoupdate/cdktn$': '<rootDir>/constructs/cdktf',
        ...jestModuleNameMapper('cdktn', '<rootDir>'),
      },
      snapshotResolver: '<rootDir>/test/snapshot-resolver-cdktn.cjs',
    },
  ],
};
