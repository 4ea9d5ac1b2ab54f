import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** The real data vendored in the repository with its licences (GOZCU_SHARED_DATA overrides it). */
export const SHARED_DATA = process.env.GOZCU_SHARED_DATA ?? resolve(REPO_ROOT, 'vendor', 'data');
export const TS_NODE = ['-r', 'ts-node/register/transpile-only'];
export const TS_NODE_ENV = { TS_NODE_PROJECT: resolve(REPO_ROOT, 'tsconfig.ts-node.json') };
