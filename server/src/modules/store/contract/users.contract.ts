/* A slice of the store contract (store.contract.ts). UsersRepository: users and their refresh tokens. */
import type { Store } from '../store.port';
import { type StoreFactory, user } from './fixtures.contract';

export function usersContract(open: StoreFactory): void {
  describe('users', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps users with unique usernames, filters them by role and scope, pages by username, patches and counts failures', async () => {
      const ankara = user('ankara');
      expect(await store.createUser(ankara)).toEqual(ankara);
      expect(await store.createUser(user('ankara', { id: 'other' }))).toBeNull();
      const cankaya = user('cankaya', { role: 'district_chair', scope: { level: 'district', province: 6, district: 1 } });
      const box = user('box1', { role: 'box_officer', scope: { level: 'box', boxes: ['e1:2:34:10:1001'] } });
      await store.createUser(cankaya);
      await store.createUser(box);
      expect(await store.userByName('ankara')).toEqual(ankara);
      expect(await store.userById(box.id)).toEqual(box);
      expect(await store.userByName('nobody')).toBeNull();
      expect((await store.users({})).map((u) => u.username)).toEqual(['ankara', 'box1', 'cankaya']);
      expect((await store.users({ province: 6 })).map((u) => u.username)).toEqual(['ankara', 'cankaya']);
      expect((await store.users({ district: 1 })).map((u) => u.username)).toEqual(['cankaya']);
      expect((await store.users({ role: 'box_officer' })).map((u) => u.username)).toEqual(['box1']);
      expect((await store.users({}, { after: 'ankara', limit: 1 })).map((u) => u.username)).toEqual(['box1']);

      expect(await store.countFailedLogin(ankara.id)).toBe(1);
      expect(await store.countFailedLogin(ankara.id)).toBe(2);
      const moved = await store.updateUser(ankara.id, {
        scope: { level: 'province', province: 34 },
        lockedUntil: '2024-03-31T11:00:00.000Z',
        disabled: true,
        updatedAt: '2024-03-31T10:30:00.000Z',
      });
      expect(moved).toEqual({
        ...ankara,
        scope: { level: 'province', province: 34 },
        failedLogins: 2,
        lockedUntil: '2024-03-31T11:00:00.000Z',
        disabled: true,
        updatedAt: '2024-03-31T10:30:00.000Z',
      });
      expect((await store.users({ province: 34 })).map((u) => u.username)).toEqual(['ankara']);
      expect(await store.updateUser(ankara.id, { failedLogins: 0, lockedUntil: null })).toMatchObject({ failedLogins: 0, lockedUntil: null });
      expect(await store.updateUser('missing', { disabled: true })).toBeNull();
    });

    it('keeps refresh tokens by hash; each is revoked once, and all of a user at once', async () => {
      const t = (hash: string, userId = 'u1') => ({
        hash,
        userId,
        createdAt: '2024-03-31T10:00:00.000Z',
        expiresAt: '2024-04-07T10:00:00.000Z',
        revokedAt: null,
      });
      await store.putRefreshToken(t('a'));
      await store.putRefreshToken(t('b'));
      await store.putRefreshToken(t('c', 'u2'));
      expect(await store.refreshToken('a')).toEqual(t('a'));
      expect(await store.refreshToken('zzz')).toBeNull();
      expect(await store.revokeRefreshToken('a', '2024-03-31T11:00:00.000Z')).toBe(true);
      expect(await store.revokeRefreshToken('a', '2024-03-31T11:01:00.000Z')).toBe(false);
      expect(await store.refreshToken('a')).toEqual({ ...t('a'), revokedAt: '2024-03-31T11:00:00.000Z' });
      expect(await store.revokeRefreshTokens('u1', '2024-03-31T12:00:00.000Z')).toBe(1);
      expect((await store.refreshToken('b'))?.revokedAt).toBe('2024-03-31T12:00:00.000Z');
      expect((await store.refreshToken('c'))?.revokedAt).toBeNull();
    });
  });
}
