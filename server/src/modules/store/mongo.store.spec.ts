import { MongoStore } from './mongo.store';
import { box, complaintRecord, describeStoreContract, mismatchAlert, sheet, user, version } from './store.contract';
import type { AlertRecord } from '@gozcu/shared';
import type { UserRecord } from './store.port';
import type { MongoAlerts } from './mongo/alerts.repo';
import type { MongoComplaints } from './mongo/complaints.repo';
import type { MongoUsers } from './mongo/users.repo';

// scripts/with-ferretdb.mjs (under `npm test` and `npm run test:mongo`) starts a private FerretDB
// and sets GOZCU_TEST_MONGO_URL, or passes MONGO_URL on. Without either the suite fails: it never skips.
const url = process.env.GOZCU_TEST_MONGO_URL ?? process.env.MONGO_URL;

if (!url) {
  describe('Store contract: mongo', () => {
    it('has a MongoDB-wire server to run against', () => {
      throw new Error('no MongoDB-wire server: run through scripts/with-ferretdb.mjs (npm test, npm run test:mongo) or set MONGO_URL');
    });
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

if (url) {
  describe('MongoStore without transactions', () => {
    const db = `gozcu_notx_${process.pid}_${Date.now()}`;
    let a: MongoStore;
    let b: MongoStore;
    beforeEach(async () => {
      a = new MongoStore(url, `${db}_${Math.random().toString(36).slice(2, 8)}`);
      await a.init();
      b = new MongoStore(url, (a as unknown as { c: { dbName: string } }).c.dbName);
      await b.init();
    });
    afterEach(async () => {
      await a.close();
      await b.close();
    });
    const models = (s: MongoStore) => (s as unknown as { c: { m: Record<string, import('mongoose').Model<unknown>> } }).c.m;
    // a node's repositories: a race is staged by patching the repository method an audited change calls
    const repos = (s: MongoStore) => (s as unknown as { r: { complaints: MongoComplaints; users: MongoUsers; alerts: MongoAlerts } }).r;

    it("two nodes' bulk updates of documents that exist, at once, all finish (FerretDB keeps a statement's read open until its command ends)", async () => {
      // 100 rows: enough that four at once in commands of 50 statements starve FerretDB's 100
      // connections (nothing answered again), and few commands of 5 to finish on a busy disk
      const districts = (name: string) => Array.from({ length: 100 }, (_, i) => ({ yskId: 9000 + i, province: 1 + (i % 81), name: `${name} ${i}` }));
      await a.upsertDistricts(districts('first'));
      await Promise.all([
        a.upsertDistricts(districts('a1')),
        b.upsertDistricts(districts('b1')),
        a.upsertDistricts(districts('a2')),
        b.upsertDistricts(districts('b2')),
      ]);
      const names = new Set((await a.districts()).filter((d) => d.yskId >= 9000).map((d) => d.name.split(' ')[0]));
      expect((await b.districts()).filter((d) => d.yskId >= 9000)).toHaveLength(100);
      expect([...names].every((n) => ['a1', 'b1', 'a2', 'b2'].includes(n))).toBe(true);
    }, 60_000);

    it('recomputes a version another node stored between its read and its insert (unique index, ordered insert)', async () => {
      const x = box(3001);
      const y = box(3002);
      await a.appendVersions([version(x, sheet(1, 1), 'x1')]);
      // node b stores a revision of x just before node a's insert lands
      const versions = models(a).versions;
      const insertMany = versions.insertMany.bind(versions);
      let raced = false;
      (versions as unknown as { insertMany: unknown }).insertMany = async (...args: Parameters<typeof insertMany>) => {
        if (!raced) {
          raced = true;
          await b.appendVersions([version(x, sheet(2, 2), 'x-b', '2024-03-31T18:30:00.000Z', 2)]);
        }
        return insertMany(...args);
      };
      const outcomes = await a.appendVersions([version(x, sheet(3, 3), 'x-a', '2024-03-31T18:31:00.000Z', 3), version(y, sheet(4, 4), 'y1')]);
      expect(raced).toBe(true);
      expect(outcomes[0]).toMatchObject({ kind: 'revised', version: { seq: 3, hash: 'x-a' }, previous: { seq: 2, hash: 'x-b' } });
      expect(outcomes[1]).toMatchObject({ kind: 'first', version: { seq: 1, hash: 'y1' } });
      expect((await b.versions(x.key)).map((v) => `${v.seq}:${v.hash}`)).toEqual(['1:x1', '2:x-b', '3:x-a']);
      expect(await b.box(x.key)).toMatchObject({ latest: { seq: 3 }, versions: 3 });
    });

    it('repairs the box cache a crash left behind (a version stored, the box not raised)', async () => {
      const x = box(3003);
      await a.upsertBoxes([x]);
      const v = {
        key: x.key,
        seq: 1,
        hash: 'h-crash',
        sheet: sheet(5, 5),
        yskVersion: 1,
        yskChangedAt: null,
        changeReason: null,
        fetchedAt: '2024-03-31T18:00:00.000Z',
      };
      await models(a).versions.insertMany([v]);
      expect(await a.box(x.key)).toMatchObject({ latest: null, versions: 0 });
      // the retried poll finds its version stored: unchanged, and the cache is raised
      expect(await b.appendVersions([version(x, sheet(5, 5), 'h-crash')])).toEqual([{ kind: 'unchanged', key: x.key }]);
      expect(await a.box(x.key)).toMatchObject({ latest: { seq: 1, hash: 'h-crash' }, versions: 1, firstPublishedAt: '2024-03-31T18:00:00.000Z' });
    });

    it('follows an audited change that lost a race after its record with a record voiding it', async () => {
      const at = '2024-03-31T20:00:00.000Z';
      const actor = { id: 'id-admin', username: 'admin', role: 'hq_admin' };
      const complaint = complaintRecord('race', at);
      await a.createComplaintAudited(complaint, [], () => null);
      // node b rejects the complaint after node a checked it and wrote its record, before a's compare-and-set
      const complaints = repos(a).complaints;
      const held = complaints.updateComplaint.bind(complaints);
      complaints.updateComplaint = async (...args: Parameters<MongoStore['updateComplaint']>) => {
        await b.updateComplaint('race', 'new', { status: 'rejected', updatedAt: at });
        return held(...args);
      };
      const moved = await a.updateComplaintAudited('race', 'new', { status: 'in_review', updatedAt: at }, () => ({
        at,
        actor,
        action: 'complaint.status',
        target: 'complaint:race',
        before: { status: 'new' },
        after: { status: 'in_review' },
      }));
      expect(moved).toBeNull();
      expect((await b.complaint('race'))?.status).toBe('rejected');
      const [voided, record] = await b.audit({ target: 'complaint:race' });
      expect([record.action, voided.action, voided.after]).toEqual([
        'complaint.status',
        'audit.void',
        expect.objectContaining({ voids: record.id, action: 'complaint.status' }),
      ]);

      // a username another node took between the check and the insert
      const users = repos(a).users;
      const create = users.createUser.bind(users);
      users.createUser = async (u: UserRecord) => {
        await b.createUser({ ...u, id: 'id-from-b' });
        return create(u);
      };
      expect(
        await a.createUserAudited(user('raced'), (u) => ({ at, actor, action: 'user.create', target: `user:${u.username}`, before: null, after: {} })),
      ).toBeNull();
      expect((await b.userByName('raced'))?.id).toBe('id-from-b');
      expect((await b.audit({ target: 'user:raced' })).map((r) => r.action)).toEqual(['audit.void', 'user.create']);
    });

    it('voids the record of an alert step, an alert or an unsubscribe that another node beat after the record was written', async () => {
      const at = '2024-03-31T21:00:00.000Z';
      const actor = { id: 'id-admin', username: 'admin', role: 'hq_admin' };
      const rec = (action: string, target: string) => ({ at, actor, action, target, before: null, after: {} });
      const alert = mismatchAlert('race-a', at, { dedupe: 'mismatch:race' });
      // an escalation on node a; node b takes the alert between a's record and a's compare-and-set
      await a.createAlertAudited(alert, () => null);
      const alerts = repos(a).alerts;
      const update = alerts.updateAlert.bind(alerts);
      let raced = false;
      alerts.updateAlert = async (...args: Parameters<MongoStore['updateAlert']>) => {
        if (!raced) {
          raced = true;
          await b.updateAlert('race-a', 0, { ack: { userId: 'u2', username: 'b', name: 'B', at }, escalateAt: null });
        }
        return update(...args);
      };
      expect(await a.updateAlertAudited('race-a', 0, { level: 'province' }, () => rec('alert.escalate', 'alert:race-a'))).toBeNull();
      expect(await b.alert('race-a')).toMatchObject({ level: 'district', rev: 1, ack: { username: 'b' } });
      const [voided, escalated] = await b.audit({ target: 'alert:race-a' });
      expect([escalated.action, voided.action, voided.after]).toEqual([
        'alert.escalate',
        'audit.void',
        expect.objectContaining({ voids: escalated.id, action: 'alert.escalate' }),
      ]);

      // the same alert raised on both nodes at once: b's lands between a's record and a's insert
      const create = alerts.createAlert.bind(alerts);
      alerts.createAlert = async (x: AlertRecord) => {
        await b.createAlert({ ...x, id: 'race-b' });
        return create(x);
      };
      expect(await a.createAlertAudited({ ...alert, id: 'race-c', dedupe: 'stale:race' }, (x) => rec('alert.create', `alert:${x.id}`))).toMatchObject({
        created: false,
        alert: { id: 'race-b' },
      });
      expect((await b.audit({ target: 'alert:race-c' })).map((r) => r.action)).toEqual(['audit.void', 'alert.create']);

      // an unsubscribe whose endpoint node b moved to another user meanwhile
      const sub = { endpoint: 'https://push.example/race', userId: 'u1', keys: { p256dh: 'BP', auth: 'au' }, createdAt: at };
      await a.putPushSubscription(sub);
      type Subs = { deleteOne(q: unknown): Promise<{ deletedCount: number }> };
      const node = alerts as unknown as { alertCols(): Promise<{ subs: Subs }> };
      const cols = node.alertCols.bind(alerts);
      node.alertCols = async () => {
        const c = await cols();
        const deleteOne = c.subs.deleteOne.bind(c.subs);
        c.subs.deleteOne = async (q: unknown) => {
          await b.putPushSubscription({ ...sub, userId: 'u2' });
          return deleteOne(q);
        };
        return c;
      };
      expect(await a.deletePushSubscriptionAudited(sub.endpoint, 'u1', () => rec('alert.push.unsubscribe', 'user:u1'))).toBe(false);
      expect((await b.pushSubscriptions(['u2'])).map((s) => s.endpoint)).toEqual([sub.endpoint]);
      expect((await b.audit({ target: 'user:u1' })).map((r) => r.action)).toEqual(['audit.void', 'alert.push.unsubscribe']);
    });

    it('upserts the same new boxes from two nodes at once', async () => {
      const boxes = Array.from({ length: 30 }, (_, i) => box(4001 + i));
      await Promise.all([a.upsertBoxes(boxes), b.upsertBoxes(boxes), a.upsertBoxes(boxes.slice(10))]);
      expect((await b.boxes({}, { limit: 100 })).map((r) => r.box.key)).toEqual(boxes.map((x) => x.key).sort());
    });
  });
}
