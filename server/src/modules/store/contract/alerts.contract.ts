/* A slice of the store contract (store.contract.ts). AlertsRepository: alerts, read marks and push subscriptions. */
import type { AlertRecord } from '@gozcu/shared';
import type { Store } from '../store.port';
import { type StoreFactory, box } from './fixtures.contract';

export function alertsContract(open: StoreFactory): void {
  describe('alerts', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps alerts: one per dedupe key, compare-and-set by rev, scoped and due lists newest first, reads, push subscriptions', async () => {
      const alert = (id: string, over: Partial<AlertRecord> = {}): AlertRecord => ({
        id,
        dedupe: `stale:${id}`,
        rev: 0,
        kind: 'stale',
        severity: 'amber',
        box: box(Number(id.replace(/\D/g, '')) || 1).key,
        province: 69,
        district: 681,
        level: 'district',
        status: 'open',
        title: 'Sandık girilmedi',
        detail: 'ğüşıöç',
        createdAt: `2024-03-31T18:0${id.length % 10}:00.000Z`,
        updatedAt: '2024-03-31T18:00:00.000Z',
        escalatedAt: null,
        resolvedAt: null,
        ack: null,
        digestCount: null,
        digestId: null,
        figures: { yskAgeMs: 1200000 },
        escalateAt: '2024-03-31T18:10:00.000Z',
        ...over,
      });
      const a1 = alert('a1', { createdAt: '2024-03-31T18:01:00.000Z' });
      expect(await store.createAlert(a1)).toEqual({ alert: a1, created: true });
      // the same rule on the same box: nothing new, the held alert answers
      expect(await store.createAlert({ ...a1, id: 'other', title: 'x' })).toEqual({ alert: a1, created: false });
      expect(await store.alert('other')).toBeNull();
      await store.createAlert(alert('a2', { createdAt: '2024-03-31T18:02:00.000Z', province: 1, district: 650, escalateAt: '2024-03-31T18:30:00.000Z' }));
      await store.createAlert(
        alert('a3', {
          createdAt: '2024-03-31T18:03:00.000Z',
          level: 'country',
          kind: 'feed',
          dedupe: 'feed:1',
          box: null,
          province: null,
          district: null,
          escalateAt: null,
        }),
      );
      await store.createAlert(alert('a4', { createdAt: '2024-03-31T18:04:00.000Z', digestId: 'd1' }));

      const ack = { userId: 'u1', username: 'baskan681', name: 'Başkan', at: '2024-03-31T18:05:00.000Z' };
      const taken = await store.updateAlert('a1', 0, { ack, escalateAt: null, updatedAt: ack.at });
      expect(taken).toEqual({ ...a1, ack, escalateAt: null, updatedAt: ack.at, rev: 1 });
      // a second taker with the old rev loses
      expect(await store.updateAlert('a1', 0, { ack: { ...ack, userId: 'u2' } })).toBeNull();
      expect(await store.alert('a1')).toEqual(taken);

      expect((await store.alerts({})).map((a) => a.id)).toEqual(['a4', 'a3', 'a2', 'a1']);
      expect((await store.alerts({ province: 69, district: 681 })).map((a) => a.id)).toEqual(['a4', 'a1']);
      expect((await store.alerts({ levels: ['country'] })).map((a) => a.id)).toEqual(['a3']);
      expect((await store.alerts({ digestId: null })).map((a) => a.id)).toEqual(['a3', 'a2', 'a1']);
      expect((await store.alerts({ digestId: 'd1' })).map((a) => a.id)).toEqual(['a4']);
      expect((await store.alerts({ kind: 'feed' })).map((a) => a.id)).toEqual(['a3']);
      expect((await store.alerts({ box: box(2).key })).map((a) => a.id)).toEqual(['a2']);
      // due: open, not taken, escalateAt passed
      expect((await store.alerts({ dueBefore: '2024-03-31T18:20:00.000Z' })).map((a) => a.id)).toEqual(['a4']);
      expect((await store.alerts({ dueBefore: '2024-03-31T18:30:00.000Z' })).map((a) => a.id)).toEqual(['a4', 'a2']);
      expect((await store.heldAlertDedupes('stale')).sort()).toEqual(['stale:a1', 'stale:a2', 'stale:a4']);
      await store.updateAlert('a4', 0, { status: 'resolved', resolvedAt: '2024-03-31T18:06:00.000Z' });
      // a resolved alert is not held: a catch-up may raise it again
      expect((await store.heldAlertDedupes('stale')).sort()).toEqual(['stale:a1', 'stale:a2']);
      expect(await store.heldAlertDedupes('feed')).toEqual(['feed:1']);
      expect((await store.alerts({ dueBefore: '2024-03-31T18:30:00.000Z' })).map((a) => a.id)).toEqual(['a2']);
      expect((await store.alerts({ status: 'resolved' })).map((a) => a.id)).toEqual(['a4']);
      expect(await store.alerts({}, 2)).toHaveLength(2);

      await store.markAlertsRead('u1', ['a1', 'a2'], '2024-03-31T18:07:00.000Z');
      await store.markAlertsRead('u1', ['a1'], '2024-03-31T18:08:00.000Z');
      expect((await store.readAlertIds('u1', ['a1', 'a2', 'a3'])).sort()).toEqual(['a1', 'a2']);
      expect(await store.readAlertIds('u2', ['a1'])).toEqual([]);

      const sub = { endpoint: 'https://push.example/abc', userId: 'u1', keys: { p256dh: 'BP', auth: 'au' }, createdAt: '2024-03-31T18:00:00.000Z' };
      await store.putPushSubscription(sub);
      await store.putPushSubscription({ ...sub, endpoint: 'https://push.example/def', userId: 'u2' });
      expect(await store.pushSubscriptions(['u1'])).toEqual([sub]);
      await store.putPushSubscription({ ...sub, userId: 'u2', createdAt: '2024-03-31T18:01:00.000Z' });
      expect(await store.pushSubscriptions(['u1'])).toEqual([]);
      expect((await store.pushSubscriptions(['u1', 'u2'])).map((s) => s.endpoint)).toEqual(['https://push.example/def', 'https://push.example/abc']);
      expect(await store.deletePushSubscription(sub.endpoint)).toBe(true);
      expect(await store.deletePushSubscription(sub.endpoint)).toBe(false);
      expect(await store.pushSubscriptions([])).toEqual([]);
    });
  });
}
