import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

describe('SqliteStore file', () => {
  it('keeps one file under the data directory, in WAL mode', async () => {
    const file = join(dir, 'nested', 'gozcu.sqlite');
    const store = new SqliteStore(file);
    await store.init();
    await store.upsertProvinces([{ plate: 69, name: 'Bayburt' }]);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(true);
    await store.close();
  });
});
