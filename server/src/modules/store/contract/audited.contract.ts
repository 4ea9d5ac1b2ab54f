/* A slice of the store contract (store.contract.ts). The audited changes of every repository: each change with its audit record, all or nothing. */
import { createHash } from 'node:crypto';
import type { AlertRecord } from '@gozcu/shared';
import type { AttachmentRecord, ComplaintRecord, PetitionRecord, Store } from '../store.port';
import { type StoreFactory, box, complaintRecord, mismatchAlert, petitionRecord, user } from './fixtures.contract';

export function auditedContract(open: StoreFactory): void {
  describe('audited', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('writes every other audited change with its record: all or nothing (users, settings, complaints, petitions)', async () => {
      const at = '2024-03-31T20:00:00.000Z';
      const actor = { id: 'id-admin', username: 'admin', role: 'hq_admin' };
      const rec = (action: string, target: string, before: unknown, after: unknown) => ({ at, actor, action, target, before, after });
      const fail = (): never => {
        throw new Error('audit failed');
      };
      const records = async () => (await store.audit({}, { limit: 1000 })).map((a) => `${a.action} ${a.target}`).reverse();

      // users: created with its record; a taken name writes neither; a failing record leaves no user
      const ayse = user('ayse');
      expect(await store.createUserAudited(ayse, (u) => rec('user.create', `user:${u.username}`, null, { role: u.role }))).toEqual(ayse);
      expect(await store.createUserAudited(user('ayse', { id: 'id-other' }), () => rec('user.create', 'user:ayse', null, {}))).toBeNull();
      await expect(store.createUserAudited(user('veli'), fail)).rejects.toThrow('audit failed');
      expect(await store.userByName('veli')).toBeNull();
      // updated with its record, before and after; refresh tokens revoked with it when asked
      await store.putRefreshToken({ hash: 'rt-ayse', userId: ayse.id, createdAt: at, expiresAt: '2024-04-01T20:00:00.000Z', revokedAt: null });
      const disabled = await store.updateUserAudited(
        ayse.id,
        { disabled: true, updatedAt: '2024-03-31T20:01:00.000Z' },
        ({ before, after }) => rec('user.update', `user:${before.username}`, { disabled: before.disabled }, { disabled: after.disabled }),
        { revokeRefreshTokensAt: '2024-03-31T20:01:00.000Z' },
      );
      expect(disabled).toMatchObject({ disabled: true, updatedAt: '2024-03-31T20:01:00.000Z' });
      expect((await store.refreshToken('rt-ayse'))?.revokedAt).toBe('2024-03-31T20:01:00.000Z');
      const [updated] = await store.audit({ action: 'user.update' });
      expect([updated.before, updated.after]).toEqual([{ disabled: false }, { disabled: true }]);
      await expect(store.updateUserAudited(ayse.id, { passwordHash: '$argon2id$new', updatedAt: '2024-03-31T20:02:00.000Z' }, fail)).rejects.toThrow(
        'audit failed',
      );
      expect(await store.userById(ayse.id)).toMatchObject({ passwordHash: '$argon2id$x', updatedAt: '2024-03-31T20:01:00.000Z' });
      expect(await store.updateUserAudited('id-nobody', { disabled: true, updatedAt: at }, () => rec('user.update', 'user:nobody', null, {}))).toBeNull();

      // a setting with the value before in its record
      await store.putSettingAudited('embargo:e1', { until: '2024-03-31T21:00:00.000Z' }, ({ before, after }) =>
        rec('embargo.set', 'embargo:e1', before, after),
      );
      await expect(store.putSettingAudited('embargo:e1', { until: null }, fail)).rejects.toThrow('audit failed');
      expect(await store.setting('embargo:e1')).toEqual({ until: '2024-03-31T21:00:00.000Z' });
      const [embargo] = await store.audit({ action: 'embargo.set' });
      expect([embargo.before, embargo.after]).toEqual([null, { until: '2024-03-31T21:00:00.000Z' }]);

      // complaints, with their attachments' records; steps compare-and-set
      const complaint = complaintRecord('ca', at);
      const sha = createHash('sha256').update('evidence').digest('hex');
      const file: AttachmentRecord = {
        id: 'fa',
        owner: 'complaint',
        ownerId: 'ca',
        key: complaint.key,
        kind: 'image',
        contentType: 'image/jpeg',
        bytes: 8,
        sha256: sha,
        width: 1,
        height: 1,
        shownBlob: sha,
        shownContentType: 'image/jpeg',
        uploadedAt: at,
        uploadedBy: null,
      };
      await expect(
        store.createComplaintAudited({ ...complaint, id: 'cx', trackingCode: 'GZ-cx' }, [{ ...file, id: 'fx', ownerId: 'cx' }], fail),
      ).rejects.toThrow('audit failed');
      expect([await store.complaint('cx'), await store.attachment('fx')]).toEqual([null, null]);
      expect(
        await store.createComplaintAudited(complaint, [file], (c) => rec('complaint.create', `complaint:${c.id}`, null, { trackingCode: c.trackingCode })),
      ).toEqual(complaint);
      expect(await store.attachments({ owner: 'complaint', ownerId: 'ca' })).toEqual([file]);
      const step = { at, status: 'in_review' as const, by: 'admin', note: null };
      const stepRecord = ({ before, after }: { before: ComplaintRecord; after: ComplaintRecord }) =>
        rec('complaint.status', `complaint:${before.id}`, { status: before.status }, { status: after.status });
      await expect(store.updateComplaintAudited('ca', 'new', { status: 'in_review', updatedAt: at, step }, fail)).rejects.toThrow('audit failed');
      expect(await store.complaint('ca')).toEqual(complaint);
      expect(await store.updateComplaintAudited('ca', 'new', { status: 'in_review', updatedAt: at, step }, stepRecord)).toMatchObject({
        status: 'in_review',
        history: [complaint.history[0], step],
      });
      expect(await store.updateComplaintAudited('ca', 'new', { status: 'rejected', updatedAt: at }, stepRecord)).toBeNull();

      // petitions: drafted, moved on with a setting beside (the board's decision), deadlines moved
      const petition = (id: string, over: Partial<PetitionRecord> = {}): PetitionRecord => petitionRecord(id, at, over);
      await expect(store.createPetitionAudited(petition('px'), fail)).rejects.toThrow('audit failed');
      expect(await store.petition('px')).toBeNull();
      const draftRecord = (p: PetitionRecord) => rec('petition.draft', `petition:${p.id}`, null, { deadline: p.deadline });
      await store.createPetitionAudited(petition('pa'), draftRecord);
      await store.createPetitionAudited(petition('pb', { key: box(1002).key, boxNo: 1002 }), draftRecord);
      await store.createPetitionAudited(petition('pc', { district: 682 }), draftRecord);
      const statusRecord = ({ before, after }: { before: PetitionRecord; after: PetitionRecord }) =>
        rec('petition.status', `petition:${before.id}`, { status: before.status }, { status: after.status });
      await expect(
        store.updatePetitionAudited('pb', 'draft', { status: 'filed', updatedAt: at }, fail, { setting: { key: 'petition-decision:pb', value: { at } } }),
      ).rejects.toThrow('audit failed');
      expect([(await store.petition('pb'))?.status, await store.setting('petition-decision:pb')]).toEqual(['draft', null]);
      expect(await store.updatePetitionAudited('pb', 'draft', { status: 'filed', updatedAt: at, filedAt: at, filedBy: 'admin' }, statusRecord)).toMatchObject({
        status: 'filed',
        filedBy: 'admin',
      });
      expect(
        await store.updatePetitionAudited('pb', 'filed', { status: 'accepted', updatedAt: at }, statusRecord, {
          setting: { key: 'petition-decision:pb', value: { at } },
        }),
      ).toMatchObject({ status: 'accepted' });
      expect(await store.setting('petition-decision:pb')).toEqual({ at });
      expect(
        await store.updatePetitionAudited('pb', 'draft', { status: 'withdrawn', updatedAt: at }, statusRecord, {
          setting: { key: 'petition-decision:pb', value: { at: 'never' } },
        }),
      ).toBeNull();
      expect(await store.setting('petition-decision:pb')).toEqual({ at });
      const deadline = '2024-04-01T12:00:00.000Z';
      const setting = { key: 'petition-deadline:e1:681', value: { deadline, province: 69 } };
      await expect(store.moveDraftDeadlinesAudited(setting, { province: 69, district: 681, deadline, updatedAt: at }, fail)).rejects.toThrow('audit failed');
      expect([(await store.petition('pa'))?.deadline, await store.setting(setting.key)]).toEqual(['2024-04-01T09:00:00.000Z', null]);
      const moved = await store.moveDraftDeadlinesAudited(setting, { province: 69, district: 681, deadline, updatedAt: at }, ({ before, moved }) =>
        rec('petition.deadline', 'district:681', before, { deadline, drafts: moved.length }),
      );
      expect(moved).toEqual(['pa']);
      expect((await store.petitions({})).map((p) => `${p.id} ${p.deadline}`).sort()).toEqual([
        `pa ${deadline}`,
        'pb 2024-04-01T09:00:00.000Z',
        'pc 2024-04-01T09:00:00.000Z',
      ]);
      expect(await store.setting(setting.key)).toEqual(setting.value);

      // exactly one record per change made, none for those refused or failed
      expect(await records()).toEqual([
        'user.create user:ayse',
        'user.update user:ayse',
        'embargo.set embargo:e1',
        'complaint.create complaint:ca',
        'complaint.status complaint:ca',
        'petition.draft petition:pa',
        'petition.draft petition:pb',
        'petition.draft petition:pc',
        'petition.status petition:pb',
        'petition.status petition:pb',
        'petition.deadline district:681',
      ]);
    });

    it('writes sheet photos, push subscriptions, alert steps and voter imports with their record: all or nothing', async () => {
      const at = '2024-03-31T21:00:00.000Z';
      const actor = { id: 'id-admin', username: 'admin', role: 'hq_admin' };
      const rec = (action: string, target: string, before: unknown, after: unknown) => ({ at, actor, action, target, before, after });
      const fail = (): never => {
        throw new Error('audit failed');
      };
      const records = async () => (await store.audit({}, { limit: 1000 })).map((a) => `${a.action} ${a.target}`).reverse();

      // a sheet photo's record (its blobs stored before)
      const sha = createHash('sha256').update('sheet').digest('hex');
      const photo: AttachmentRecord = {
        id: 'sp1',
        owner: 'sheet',
        ownerId: 'entry-1',
        key: box(1001).key,
        kind: 'image',
        contentType: 'image/jpeg',
        bytes: 5,
        sha256: sha,
        width: 2,
        height: 2,
        shownBlob: sha,
        shownContentType: 'image/jpeg',
        uploadedAt: at,
        uploadedBy: 'obs1',
      };
      await expect(store.putAttachmentAudited({ ...photo, id: 'spx' }, fail)).rejects.toThrow('audit failed');
      expect(await store.attachment('spx')).toBeNull();
      expect(await store.putAttachmentAudited(photo, (a) => rec('sheet_photo.upload', a.key!, null, { attachmentId: a.id, sha256: a.sha256 }))).toEqual(photo);
      expect(await store.attachments({ owner: 'sheet', key: box(1001).key })).toEqual([photo]);

      // push subscriptions: the one held before in the record; deleted only by the user holding it
      const sub = { endpoint: 'https://push.example/audited', userId: 'u1', keys: { p256dh: 'BP', auth: 'au' }, createdAt: at };
      await expect(store.putPushSubscriptionAudited(sub, fail)).rejects.toThrow('audit failed');
      expect(await store.pushSubscriptions(['u1'])).toEqual([]);
      const subRecord = ({ before, after }: { before: unknown; after: unknown }) => rec('alert.push.subscribe', 'user:u1', before, after);
      await store.putPushSubscriptionAudited(sub, subRecord);
      await store.putPushSubscriptionAudited({ ...sub, createdAt: '2024-03-31T21:01:00.000Z' }, subRecord);
      expect(await store.pushSubscriptions(['u1'])).toEqual([{ ...sub, createdAt: '2024-03-31T21:01:00.000Z' }]);
      expect((await store.audit({ action: 'alert.push.subscribe' })).map((a) => a.before)).toEqual([sub, null]);
      const unsubRecord = (s: { userId: string }) => rec('alert.push.unsubscribe', `user:${s.userId}`, {}, null);
      expect(await store.deletePushSubscriptionAudited(sub.endpoint, 'u2', unsubRecord)).toBe(false);
      await expect(store.deletePushSubscriptionAudited(sub.endpoint, 'u1', fail)).rejects.toThrow('audit failed');
      expect(await store.pushSubscriptions(['u1'])).toHaveLength(1);
      expect(await store.deletePushSubscriptionAudited(sub.endpoint, 'u1', unsubRecord)).toBe(true);
      expect(await store.deletePushSubscriptionAudited(sub.endpoint, 'u1', unsubRecord)).toBe(false);
      expect(await store.pushSubscriptions(['u1'])).toEqual([]);

      // alerts: created once with a record; steps compare-and-set by rev; a digest's members patched with it
      const alert = (id: string, over: Partial<AlertRecord> = {}): AlertRecord => mismatchAlert(id, at, { escalateAt: '2024-03-31T21:10:00.000Z', ...over });
      const created = (a: AlertRecord) => rec('alert.create', `alert:${a.id}`, null, { kind: a.kind });
      await expect(store.createAlertAudited(alert('ax'), fail)).rejects.toThrow('audit failed');
      expect(await store.alert('ax')).toBeNull();
      const m1 = alert('m1');
      const m2 = alert('m2', { dedupe: 'mismatch:m2' });
      expect(await store.createAlertAudited(m1, created)).toEqual({ alert: m1, created: true });
      expect(await store.createAlertAudited({ ...m1, id: 'm1-again' }, created)).toEqual({ alert: m1, created: false });
      await store.createAlertAudited(m2, created);
      const digest = alert('dg', { dedupe: 'digest:1', box: null, digestCount: 2 });
      const digestRecord = (a: AlertRecord) => rec('alert.digest', `alert:${a.id}`, null, { count: 2 });
      const members = [m1, m2].map((m) => ({ id: m.id, rev: m.rev, patch: { digestId: 'dg', escalateAt: null } }));
      await expect(store.createAlertAudited(digest, fail, { members })).rejects.toThrow('audit failed');
      expect([await store.alert('dg'), (await store.alert('m1'))?.digestId]).toEqual([null, null]);
      expect((await store.createAlertAudited(digest, digestRecord, { members })).created).toBe(true);
      expect((await store.alerts({ digestId: 'dg' })).map((a) => `${a.id} ${a.rev}`).sort()).toEqual(['m1 1', 'm2 1']);

      const ack = { userId: 'u1', username: 'baskan681', name: 'Başkan', at };
      const acked = ({ before, after }: { before: AlertRecord; after: AlertRecord }) =>
        rec('alert.ack', `alert:${before.id}`, { ack: before.ack }, { ack: after.ack, rev: after.rev });
      const taking = [1, 2].map((n) => ({ id: `m${n}`, rev: 1, patch: { ack, escalateAt: null } }));
      await expect(store.updateAlertAudited('dg', 0, { ack, escalateAt: null, updatedAt: at }, fail, { members: taking })).rejects.toThrow('audit failed');
      expect([(await store.alert('dg'))?.ack, (await store.alert('m1'))?.ack]).toEqual([null, null]);
      expect(await store.updateAlertAudited('dg', 0, { ack, escalateAt: null, updatedAt: at }, acked, { members: taking })).toMatchObject({
        ack,
        rev: 1,
        escalateAt: null,
      });
      expect((await store.alerts({ digestId: 'dg' })).map((a) => [a.id, a.ack?.username, a.rev]).sort()).toEqual([
        ['m1', 'baskan681', 2],
        ['m2', 'baskan681', 2],
      ]);
      const [ackRecord] = await store.audit({ action: 'alert.ack' });
      expect(ackRecord.after).toEqual({ ack, rev: 1 });
      // a step on a rev that moved on: nothing written, no record
      expect(await store.updateAlertAudited('dg', 0, { status: 'resolved' }, () => rec('alert.resolve', 'alert:dg', null, {}))).toBeNull();
      expect(
        await store.updateAlertAudited('dg', 1, { status: 'resolved', resolvedAt: at }, () =>
          rec('alert.resolve', 'alert:dg', { status: 'open' }, { status: 'resolved' }),
        ),
      ).toMatchObject({ status: 'resolved', rev: 2 });

      // a voter import: every line or none
      const voters = [1, 2, 3].map((n) => ({ hash: `vh${n}`, province: 69, district: 681, boxNo: 1000 + n, importedAt: at }));
      await expect(store.putVotersAudited(voters, fail)).rejects.toThrow('audit failed');
      expect(await store.voterCount()).toBe(0);
      expect(await store.putVotersAudited(voters, (n) => rec('voters.import', 'voters', null, { stored: n }))).toBe(3);
      expect([await store.voterCount(), await store.voterByHash('vh2')]).toEqual([3, voters[1]]);
      expect((await store.audit({ action: 'voters.import' })).map((a) => a.after)).toEqual([{ stored: 3 }]);

      expect(await records()).toEqual([
        `sheet_photo.upload ${box(1001).key}`,
        'alert.push.subscribe user:u1',
        'alert.push.subscribe user:u1',
        'alert.push.unsubscribe user:u1',
        'alert.create alert:m1',
        'alert.create alert:m2',
        'alert.digest alert:dg',
        'alert.ack alert:dg',
        'alert.resolve alert:dg',
        'voters.import voters',
      ]);
    });
  });
}
