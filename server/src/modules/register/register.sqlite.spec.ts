import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRegisterStoreContract, expectKeptAcrossReopen } from './register.contract';
import { SqliteRegisterStore } from './register.sqlite';

const dir = mkdtempSync(join(tmpdir(), 'gozcu-register-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRegisterStoreContract('sqlite', async () => {
  const store = new SqliteRegisterStore(join(dir, `register-${n++}.sqlite`));
  await store.init();
  return store;
});

describe('SqliteRegisterStore on its file', () => {
  it('keeps the voters and the import report across a close and a reopen of the same file', async () => {
    // the written count, then the count, a voter and the import read back by the second store
    expect.assertions(4);
    const file = join(dir, 'reopen.sqlite');
    await expectKeptAcrossReopen(async () => {
      const store = new SqliteRegisterStore(file);
      await store.init();
      return store;
    });
  });
});
