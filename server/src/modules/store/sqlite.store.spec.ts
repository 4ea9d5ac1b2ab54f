import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite.store';
import { describeStoreContract } from './store.contract';

const dir = mkdtempSync(join(tmpdir(), 'gozcu-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('sqlite', async () => {
  const store = new SqliteStore(join(dir, `store-${n++}.sqlite`));
  await store.init();
  return store;
});
