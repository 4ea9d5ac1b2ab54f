import { MongoStore } from './mongo.store';
import { describeStoreContract } from './store.contract';

const url = process.env.MONGO_URL;

if (!url) {
  // Reported, not passed silently: the MongoDB half of the contract needs a server.
  process.stdout.write('skipped: MONGO_URL not set — the MongoDB store contract suite did not run\n');
  describe.skip('Store contract: mongo (skipped: MONGO_URL not set)', () => {
    it('needs MONGO_URL', () => expect(url).toBeDefined());
  });
} else {
  let n = 0;
  const run = `gozcu_contract_${process.pid}_${Date.now()}`;
  describeStoreContract('mongo', async () => {
    const store = new MongoStore(url, `${run}_${n++}`);
    await store.init();
    return store;
  });
}
