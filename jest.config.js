/**
 * One jest run for the whole repository. Type checking is done once by `npm run typecheck`
 * (tsc), so ts-jest only transpiles here.
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json', diagnostics: false }],
};
const moduleNameMapper = { '^@gozcu/shared$': '<rootDir>/shared/src/index.ts' };
const base = { rootDir: __dirname, testEnvironment: 'node', transform, moduleNameMapper, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...base, displayName: 'shared', testMatch: ['<rootDir>/shared/src/**/*.spec.ts'] },
    { ...base, displayName: 'server', testMatch: ['<rootDir>/server/src/**/*.spec.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...base, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
    // the scale-out rehearsal (nginx, three nodes, FerretDB, Redis): `npm run test:scaleout`; `npm test` runs it last, in a jest run of its own
    { ...base, displayName: 'scaleout', testMatch: ['<rootDir>/test/scaleout/**/*.test.ts'] },
    /** faults injected into real processes (Redis killed or frozen, the server killed mid-import); needs `npm run build` */
    { ...base, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.test.ts'] },
  ],
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
