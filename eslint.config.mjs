// ESLint (flat config) over shared/, server/, dashboard/ (.ts; the .svelte files are checked by
// svelte-check, `npm run check -w @gozcu/dashboard`) and test/. `npm run lint` runs both.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

/**
 * Side effects live in repositories (the store adapters, `*.repository.ts`, the register's
 * `*.sqlite.ts` / `*.mongo.ts`) and in `server/src/infra/`: the database drivers, Redis, the
 * queue, sockets, outbound HTTP/mail/push clients, the file system and `process.env`. Tests,
 * benches and scripts may use them freely. Everything else goes through an injected port.
 */
/** Module specifiers, each a regular expression matched against the whole specifier. */
const SIDE_EFFECT_MODULES = [
  // databases
  'better-sqlite3',
  'mongoose',
  'mongodb',
  '@nestjs/mongoose',
  // Redis and the queue on it
  'ioredis',
  'bullmq',
  '@nestjs/bullmq',
  // sockets
  String.raw`socket\.io`,
  String.raw`socket\.io-client`,
  String.raw`@socket\.io/.+`,
  '@nestjs/websockets',
  String.raw`@nestjs/platform-socket\.io`,
  // outbound HTTP, mail and push clients
  '(node:)?https?',
  '(node:)?http2',
  'undici',
  'axios',
  'node-fetch',
  'nodemailer',
  'web-push',
  // the file system
  '(node:)?fs(/.+)?',
];

/** The import rule over these modules (a regex on the whole specifier: a relative './http' is not caught). */
const restrictImports = (modules) => [
  'error',
  {
    patterns: [
      {
        regex: `^(${modules.join('|')})$`,
        message: 'Database, Redis, queue, socket, HTTP-client and fs access belongs in a repository or in server/src/infra/ (see eslint.config.mjs).',
      },
    ],
  },
];

const sideEffectRules = {
  '@typescript-eslint/no-restricted-imports': restrictImports(SIDE_EFFECT_MODULES),
  'no-restricted-properties': [
    'error',
    { object: 'process', property: 'env', message: 'Read configuration through server/src/infra/config.ts (APP_CONFIG), not process.env.' },
  ],
};

/** Server code may not call the global fetch outside infra/repositories either (an HTTP client). */
const noGlobalFetch = {
  'no-restricted-globals': ['error', { name: 'fetch', message: 'Outbound HTTP belongs in server/src/infra/ (or a provider there).' }],
};

/** Places where side effects are the job: repositories, infra, tests, benches, scripts, build config. */
const SIDE_EFFECT_HOMES = [
  'server/src/infra/**',
  'server/src/modules/store/**',
  'server/src/**/*.repository.ts',
  'server/src/**/*.sqlite.ts',
  'server/src/**/*.mongo.ts',
  '**/*.spec.ts',
  'test/**',
  'scripts/**',
  'dashboard/vite.config.ts',
];

/**
 * Modules outside those homes that still do side effects today. Each is an explicit, reasoned
 * exception that allows only what the module uses (`imports`: entries of SIDE_EFFECT_MODULES;
 * `env`: process.env; `fetch`: the global fetch); everything else stays restricted there. Moving
 * them behind infra providers is issue #14 item 3: remove an entry when its module moves.
 */
const SIDE_EFFECT_EXCEPTIONS = [
  // Composition roots: bootstrap reads the environment (main) and checks for the built dashboard (app).
  { files: ['server/src/main.ts'], env: true },
  { files: ['server/src/app.ts'], imports: ['(node:)?fs(/.+)?'] },
  // The simulator is a separate program (the fake YSK server): it reads data files and its env, serves HTTP.
  { files: ['server/src/simulator/**'], imports: ['(node:)?fs(/.+)?', '(node:)?https?'], env: true },
  // Socket gateways are the socket edge of their modules (alerts' pub/sub across nodes is infra/pubsub.ts).
  { files: ['server/src/modules/alerts/alerts.gateway.ts'], imports: ['@nestjs/websockets', String.raw`socket\.io`] },
  { files: ['server/src/modules/live/live.gateway.ts'], imports: ['@nestjs/websockets', String.raw`socket\.io`] },
  // The live hub holds the socket.io Server (a type) it broadcasts on.
  { files: ['server/src/modules/live/live.hub.ts'], imports: [String.raw`socket\.io`] },
  // vapid.ts calls web-push only for generateVAPIDKeys (key generation, no request); its key file is infra/secret-file.ts's.
  { files: ['server/src/modules/alerts/vapid.ts'], imports: ['web-push'] },
  // The feed's module registers its BullMQ queue with @nestjs/bullmq (the stack's wiring; a module
  // file is composition), on the connection and prefix of infra/job-queue.ts's JobQueues.
  { files: ['server/src/modules/feed/feed.module.ts'], imports: ['@nestjs/bullmq'] },
  // The dashboard's API client holds its one socket connection.
  { files: ['dashboard/src/lib/api.ts'], imports: [String.raw`socket\.io-client`] },
];

/** The config block of one exception: the rules again, less what it allows. */
function exceptionBlock({ files, imports = [], env = false, fetch = false }) {
  for (const m of imports) if (!SIDE_EFFECT_MODULES.includes(m)) throw new Error(`eslint.config.mjs: ${m} is not in SIDE_EFFECT_MODULES`);
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictImports(SIDE_EFFECT_MODULES.filter((m) => !imports.includes(m))),
      ...(env ? { 'no-restricted-properties': 'off' } : {}),
      ...(fetch ? { 'no-restricted-globals': 'off' } : {}),
    },
  };
}

const typescriptResolver = createTypeScriptImportResolver({
  project: ['shared/tsconfig.json', 'server/tsconfig.json', 'test/tsconfig.json', 'dashboard/tsconfig.json'],
  noWarnOnMultipleProjects: true,
});

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'vendor/**', 'docs/**', 'deploy/**', 'dashboard/public/**', 'data/**', 'test-results/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    settings: {
      'import-x/resolver-next': [typescriptResolver],
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      ...sideEffectRules,
    },
  },
  {
    files: ['server/src/**/*.ts', 'shared/src/**/*.ts'],
    rules: noGlobalFetch,
  },
  {
    files: ['dashboard/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    // one API client: requests go through lib/api.ts (token, refresh on a 401, errors)
    rules: { 'no-restricted-globals': ['error', { name: 'fetch', message: 'Use the API client in dashboard/src/lib/api.ts (fetchJson, sendJson, authed).' }] },
  },
  {
    // the client itself; the session's login/refresh (below the client: it cannot use it); the
    // observer's requests (timeouts and a refresh that keeps the session on a weak network)
    files: ['dashboard/src/lib/api.ts', 'dashboard/src/lib/auth.ts', 'dashboard/src/lib/observer-api.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
  },
  {
    files: SIDE_EFFECT_HOMES,
    rules: {
      '@typescript-eslint/no-restricted-imports': 'off',
      'no-restricted-properties': 'off',
      'no-restricted-globals': 'off',
    },
  },
  ...SIDE_EFFECT_EXCEPTIONS.map(exceptionBlock),
  {
    // The integration tests' HTTP helpers return JSON bodies as `any` by default (`getJson<T = any>`,
    // `Session.get`) so that a test can read into a response without declaring its type; typing them
    // `unknown` means a cast in every test. New code outside these helpers declares its types.
    files: ['test/support/http.ts', 'test/support/auth.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Mongoose models of several schemas pass through one bulk-write helper and one model map:
    // `Model<any>` there is mongoose's own idiom (its document types differ per schema).
    files: ['server/src/modules/store/mongo/context.ts', 'server/src/modules/store/mongo/versions.repo.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, globals: { ...globals.node } },
  },
  {
    // the service worker template: the build replaces __SHELL__ with the shell's file list
    files: ['dashboard/sw/sw.template.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker, __SHELL__: 'readonly' } },
  },
);
