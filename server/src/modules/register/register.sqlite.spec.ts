import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRegisterStoreContract, voterRow } from './register.contract';
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
    const file = join(dir, 'reopen.sqlite');
    const first = new SqliteRegisterStore(file);
    await first.init();
    const id = await first.beginImport('2026-01-01T00:00:00.000Z', 'admin');
    expect(await first.putVoters([voterRow(1), voterRow(2, { boxNo: 1002 })], id)).toBe(2);
    await first.close();
    const again = new SqliteRegisterStore(file);
    await again.init();
    try {
      expect(await again.voterCount()).toBe(2);
      expect(await again.voterByHash(voterRow(2).hash)).toMatchObject({ province: 69, district: 681, boxNo: 1002 });
      expect((await again.imports()).map((i) => i.id)).toEqual([id]);
    } finally {
      await again.close();
    }
  });
});
