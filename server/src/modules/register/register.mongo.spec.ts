import { describeRegisterStoreContract } from './register.contract';
import { MongoRegisterStore } from './register.mongo';

const url = process.env.MONGO_URL;

if (!url) {
  // Reported, not passed silently: the MongoDB half of the contract needs a server.
  process.stdout.write('skipped: MONGO_URL not set — the MongoDB register store contract suite did not run\n');
  describe.skip('RegisterStore contract: mongo (skipped: MONGO_URL not set)', () => {
    it('needs MONGO_URL', () => expect(url).toBeDefined());
  });
} else {
  let n = 0;
  const run = `gozcu_register_${process.pid}_${Date.now()}`;
  describeRegisterStoreContract('mongo', async () => {
    const store = new MongoRegisterStore(url, `${run}_${n++}`);
    await store.init();
    return store;
  });
}
