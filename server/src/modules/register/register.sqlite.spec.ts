import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRegisterStoreContract } from './register.contract';
import { SqliteRegisterStore } from './register.sqlite';

const dir = mkdtempSync(join(tmpdir(), 'gozcu-register-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRegisterStoreContract('sqlite', async () => {
  const store = new SqliteRegisterStore(join(dir, `register-${n++}.sqlite`));
  await store.init();
  return store;
});
