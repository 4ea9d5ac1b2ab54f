/* A slice of the store contract (store.contract.ts). SettingsRepository: small JSON settings. */
import type { Store } from '../store.port';
import { type StoreFactory } from './fixtures.contract';

export function settingsContract(open: StoreFactory): void {
  describe('settings', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps settings as JSON', async () => {
      expect(await store.setting('embargo:e1')).toBeNull();
      await store.putSetting('embargo:e1', { until: '2024-03-31T21:00:00.000Z' });
      await store.putSetting('embargo:e1', { until: null });
      expect(await store.setting('embargo:e1')).toEqual({ until: null });
    });
  });
}
