import { describeRegisterStoreContract, expectKeptAcrossReopen } from './register.contract';
import { MongoRegisterStore } from './register.mongo';

// scripts/with-ferretdb.mjs (npm test, npm run test:mongo) sets GOZCU_TEST_MONGO_URL, or passes MONGO_URL on.
// Without either the suite fails: it never skips.
const url = process.env.GOZCU_TEST_MONGO_URL ?? process.env.MONGO_URL;

if (!url) {
  describe('RegisterStore contract: mongo', () => {
    it('has a MongoDB-wire server to run against', () => {
      throw new Error('no MongoDB-wire server: run through scripts/with-ferretdb.mjs (npm test, npm run test:mongo) or set MONGO_URL');
    });
  });
} else {
  let n = 0;
  const run = `gozcu_register_${process.pid}_${Date.now()}`;
  describeRegisterStoreContract('mongo', async () => {
    const store = new MongoRegisterStore(url, `${run}_${n++}`);
    await store.init();
    return store;
  });

  describe('MongoRegisterStore on its database', () => {
    it('keeps the voters and the import report across a close and a reconnect to the same database', async () => {
      // the written count, then the count, a voter and the import read back by the second store
      expect.assertions(4);
      const db = `${run}_reopen`;
      await expectKeptAcrossReopen(async () => {
        const store = new MongoRegisterStore(url, db);
        await store.init();
        return store;
      });
    });
  });
}
