/* A slice of the store contract (store.contract.ts). AuditRepository: the append-only audit log. */
import type { Store } from '../store.port';
import { type StoreFactory } from './fixtures.contract';

export function auditContract(open: StoreFactory): void {
  describe('audit', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('appends to the audit log and lists it newest first with filters and paging', async () => {
      const admin = { id: 'u1', username: 'admin', role: 'hq_admin' };
      const a = await store.appendAudit({
        at: '2024-03-31T10:00:00.000Z',
        actor: admin,
        action: 'user.create',
        target: 'user:ankara',
        before: null,
        after: { role: 'province_chair' },
      });
      const b = await store.appendAudit({
        at: '2024-03-31T10:05:00.000Z',
        actor: admin,
        action: 'embargo.set',
        target: 'embargo:e1',
        before: { until: null },
        after: { until: '2024-03-31T21:00:00.000Z' },
      });
      const c = await store.appendAudit({
        at: '2024-03-31T10:10:00.000Z',
        actor: null,
        action: 'user.create',
        target: 'user:admin',
        before: null,
        after: { role: 'hq_admin' },
      });
      expect(a).toMatchObject({ id: expect.any(String), actor: admin, before: null, after: { role: 'province_chair' } });
      expect(await store.audit({})).toEqual([c, b, a]);
      expect(await store.audit({ action: 'user.create' })).toEqual([c, a]);
      expect(await store.audit({ actor: 'admin' })).toEqual([b, a]);
      expect(await store.audit({ target: 'embargo:' })).toEqual([b]);
      expect(await store.audit({ since: '2024-03-31T10:05:00.000Z', until: '2024-03-31T10:10:00.000Z' })).toEqual([b]);
      expect(await store.audit({}, { before: c.id, limit: 1 })).toEqual([b]);
    });
  });
}
