import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** The read-only shared/ folder that sits beside the clone (GOZCU_SHARED_DATA overrides its data dir). */
export const SHARED_DATA = process.env.GOZCU_SHARED_DATA ?? resolve(REPO_ROOT, '..', 'shared', 'data');
export const TS_NODE = ['-r', 'ts-node/register/transpile-only'];
export const TS_NODE_ENV = { TS_NODE_PROJECT: resolve(REPO_ROOT, 'tsconfig.ts-node.json') };
