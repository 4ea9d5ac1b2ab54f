/* One contract every Store adapter must pass; run by sqlite.store.spec.ts and mongo.store.spec.ts. */
import type { AlertRecord, BoxInfo, Sheet } from '@gozcu/shared';
import { boxKey } from '@gozcu/shared';
import { createHash } from 'node:crypto';
import type { AttachmentRecord, ComplaintRecord, NewEntry, NewVersion, PetitionRecord, Store, UserRecord } from './store.port';

export function box(boxNo: number, over: Partial<BoxInfo> = {}): BoxInfo {
  const ref = { election: 'e1', ballot: 2 as const, province: 69, district: 681, boxNo, ...over };
  return { yskBoxId: null, neighbourhood: null, ...ref, key: boxKey(ref) };
}

export function sheet(a: number, b: number): Sheet {
  return { registered: 300, voted: a + b + 4, validUncontested: a + b, validAfterObjection: 0, valid: a + b, invalid: 4, votes: { 'AK PARTİ': a, CHP: b } };
}

export function version(b: BoxInfo, s: Sheet, hash: string, at = '2024-03-31T18:00:00.000Z', yskVersion: number | null = 1): NewVersion {
  return { box: b, key: b.key, hash, sheet: s, yskVersion, yskChangedAt: at, changeReason: null, fetchedAt: at };
}

export function entry(b: BoxInfo, s: Sheet, idem: string, observer = 'obs1'): NewEntry {
  return {
    box: b,
    key: b.key,
    sheet: s,
    hash: `h-${idem}`,
    observer,
    source: 'observer',
    idempotencyKey: idem,
    createdAt: '2024-03-31T18:10:00.000Z',
    warnings: [],
  };
}

export function user(username: string, over: Partial<UserRecord> = {}): UserRecord {
  const at = '2024-03-31T10:00:00.000Z';
  return {
    id: `id-${username}`,
    username,
    name: username.toUpperCase(),
    role: 'province_chair',
    scope: { level: 'province', province: 6 },
    passwordHash: '$argon2id$x',
    disabled: false,
    failedLogins: 0,
    lockedUntil: null,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('answers ping, and fails ping once closed', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
      store = await open();
    });

    it('keeps reference data, upserting by id', async () => {
      await store.upsertProvinces([
        { plate: 69, name: 'Bayburt' },
        { plate: 6, name: 'Ankara' },
      ]);
      await store.upsertProvinces([{ plate: 69, name: 'BAYBURT' }]);
      expect(await store.provinces()).toEqual([
        { plate: 6, name: 'Ankara' },
        { plate: 69, name: 'BAYBURT' },
      ]);
      await store.upsertDistricts([
        { yskId: 681, province: 69, name: 'Demirözü' },
        { yskId: 1, province: 6, name: 'Çankaya' },
      ]);
      expect(await store.districts(69)).toEqual([{ yskId: 681, province: 69, name: 'Demirözü' }]);
      expect(await store.districts()).toHaveLength(2);
      await store.upsertNeighbourhoods([{ yskId: 115793, district: 681, province: 69, name: 'KARŞIYAKA', minBox: 1008, maxBox: 1009 }]);
      expect(await store.neighbourhoods(681)).toEqual([{ yskId: 115793, district: 681, province: 69, name: 'KARŞIYAKA', minBox: 1008, maxBox: 1009 }]);
    });

    it('appends a first version, then a revision with its predecessor, idempotently', async () => {
      const b = box(1001);
      const [first] = await store.appendVersions([version(b, sheet(100, 50), 'h1')]);
      expect(first).toMatchObject({ kind: 'first', version: { seq: 1, hash: 'h1', sheet: sheet(100, 50) } });

      const [again] = await store.appendVersions([version(b, sheet(100, 50), 'h1')]);
      expect(again).toEqual({ kind: 'unchanged', key: b.key });

      const [revised] = await store.appendVersions([version(b, sheet(90, 60), 'h2', '2024-04-01T08:00:00.000Z', 2)]);
      expect(revised).toMatchObject({ kind: 'revised', version: { seq: 2, hash: 'h2', yskVersion: 2 }, previous: { seq: 1, hash: 'h1' } });

      const [regressed] = await store.appendVersions([version(b, sheet(100, 50), 'h1')]);
      expect(regressed).toEqual({ kind: 'stale', key: b.key, matchesSeq: 1 });

      expect((await store.versions(b.key)).map((v) => v.seq)).toEqual([1, 2]);
      expect(await store.latestVersion(b.key)).toMatchObject({ seq: 2, sheet: sheet(90, 60) });
      expect(await store.latestVersion(box(9999).key)).toBeNull();
    });

    it('tells a regression to any older version from a revision, along a longer history', async () => {
      const b = box(1001);
      const hashes = ['h1', 'h2', 'h3', 'h4'];
      const outcomes = await store.appendVersions(hashes.map((h, i) => version(b, sheet(100 + i, 50), h, `2024-04-01T0${i}:00:00.000Z`, i + 1)));
      expect(outcomes.map((o) => o.kind)).toEqual(['first', 'revised', 'revised', 'revised']);
      expect(outcomes[3]).toMatchObject({ version: { seq: 4, hash: 'h4' }, previous: { seq: 3, hash: 'h3', sheet: sheet(102, 50), yskVersion: 3 } });
      for (const [h, seq] of [
        ['h1', 1],
        ['h2', 2],
        ['h3', 3],
      ] as const) {
        expect(await store.appendVersions([version(b, sheet(0, 0), h)])).toEqual([{ kind: 'stale', key: b.key, matchesSeq: seq }]);
      }
      expect(await store.appendVersions([version(b, sheet(0, 0), 'h4')])).toEqual([{ kind: 'unchanged', key: b.key }]);
      const [fifth] = await store.appendVersions([version(b, sheet(1, 1), 'h5')]);
      expect(fifth).toMatchObject({ kind: 'revised', version: { seq: 5 }, previous: { seq: 4, hash: 'h4', sheet: sheet(103, 50) } });
      expect((await store.versions(b.key)).map((v) => [v.seq, v.hash])).toEqual([
        [1, 'h1'],
        [2, 'h2'],
        [3, 'h3'],
        [4, 'h4'],
        [5, 'h5'],
      ]);
      expect(await store.box(b.key)).toMatchObject({ versions: 5, latest: { seq: 5, hash: 'h5', sheet: sheet(1, 1) }, first: { yskVersion: 1 } });
    });

    it('bulk-appends many boxes in one call, outcomes in input order, duplicates inside a batch stored once', async () => {
      const items = Array.from({ length: 300 }, (_, i) => version(box(1001 + i), sheet(i, 10), `h${i}`));
      const outcomes = await store.appendVersions([...items, items[5]]);
      expect(outcomes).toHaveLength(301);
      expect(outcomes.slice(0, 300).every((o) => o.kind === 'first')).toBe(true);
      expect(outcomes[300]).toEqual({ kind: 'unchanged', key: items[5].key });
      const retried = await store.appendVersions(items);
      expect(retried.every((o) => o.kind === 'unchanged')).toBe(true);
      expect(await store.versions(items[7].key)).toHaveLength(1);
    });

    it('stores each version once when the same box is appended concurrently, seqs without gaps', async () => {
      const items = Array.from({ length: 40 }, (_, i) => version(box(2001 + i), sheet(i, 5), `c${i}`));
      const [a, b] = await Promise.all([store.appendVersions(items), store.appendVersions(items)]);
      for (let i = 0; i < items.length; i++) expect([a[i].kind, b[i].kind].sort()).toEqual(['first', 'unchanged']);
      const key = items[0].key;
      const [x, y] = await Promise.all([
        store.appendVersions([version(items[0].box, sheet(1, 1), 'c0-x', '2024-03-31T19:00:00.000Z', 2)]),
        store.appendVersions([version(items[0].box, sheet(2, 2), 'c0-y', '2024-03-31T19:00:01.000Z', 3)]),
      ]);
      expect([x[0].kind, y[0].kind]).toEqual(['revised', 'revised']);
      const stored = await store.versions(key);
      expect(stored.map((v) => v.seq)).toEqual([1, 2, 3]);
      expect(stored.map((v) => v.hash).sort()).toEqual(['c0', 'c0-x', 'c0-y']);
      const second = stored[1];
      const [later] = [x[0], y[0]].filter((o) => o.kind === 'revised' && o.version.seq === 3);
      expect(later).toMatchObject({ previous: { seq: 2, hash: second.hash } });
      expect(await store.box(key)).toMatchObject({ latest: { seq: 3 }, versions: 3, firstPublishedAt: '2024-03-31T18:00:00.000Z' });
    });

    it('lists the boxes of a scope with their latest state, paged by key', async () => {
      const a = box(1001);
      const b = box(1002);
      const other = box(1001, { district: 650, province: 1 });
      await store.upsertBoxes([a, b, other]);
      await store.appendVersions([version(a, sheet(1, 2), 'x1')]);
      await store.appendVersions([version(a, sheet(2, 2), 'x2')]);
      const inDistrict = await store.boxes({ province: 69, district: 681 });
      expect(inDistrict.map((r) => [r.box.key, r.latest?.seq ?? null, r.versions])).toEqual([
        [a.key, 2, 2],
        [b.key, null, 0],
      ]);
      expect(inDistrict[0].firstPublishedAt).toBe('2024-03-31T18:00:00.000Z');
      expect(inDistrict[0].box).toEqual({ ...a, kind: 'domestic' });
      const page1 = await store.boxes({}, { limit: 2 });
      const page2 = await store.boxes({}, { after: page1[1].box.key, limit: 2 });
      expect([...page1, ...page2].map((r) => r.box.key)).toEqual([other.key, a.key, b.key].sort());
      expect(await store.box(a.key)).toMatchObject({ box: a, latest: { seq: 2 } });
      expect(inDistrict[0].first).toEqual({ yskVersion: 1, changeReason: null });
      expect(inDistrict[1].first).toBeNull();
      expect(await store.box('nope')).toBeNull();
    });

    it('keeps the kind and rumuz of a box, YSK’s numeric change code, and what the first version said', async () => {
      const abroad = box(1, { province: 99, district: 100118, rumuz: 'B', kind: 'abroad' });
      const prison = box(1092, { kind: 'prison' });
      await store.upsertBoxes([prison]);
      // an observer's entry knows no kind: the stored one stays
      await store.appendEntry(entry({ ...prison, kind: undefined }, sheet(1, 1), 'idem-kind'));
      const revisedBeforeSeen = { ...version(abroad, sheet(3, 4), 'a1', '2023-05-14T20:00:00.000Z', 1804), changeReason: 2 };
      const [first] = await store.appendVersions([revisedBeforeSeen]);
      expect(first).toMatchObject({ kind: 'first', version: { changeReason: 2, yskVersion: 1804 } });
      await store.appendVersions([{ ...version(abroad, sheet(3, 5), 'a2', '2023-05-15T08:00:00.000Z', 1805), changeReason: 5 }]);
      expect((await store.versions(abroad.key)).map((v) => v.changeReason)).toEqual([2, 5]);
      const found = await store.box(abroad.key);
      expect(found).toMatchObject({
        box: { key: 'e1:2:99:100118:1:B', rumuz: 'B', kind: 'abroad', boxNo: 1 },
        first: { yskVersion: 1804, changeReason: 2 },
        versions: 2,
      });
      expect((await store.box(prison.key))?.box.kind).toBe('prison');
      expect((await store.boxes({ province: 99 })).map((r) => r.box.key)).toEqual([abroad.key]);
    });

    it('keeps observer entries with history, idempotent on the idempotency key', async () => {
      const b = box(1003);
      const e1 = await store.appendEntry(entry(b, sheet(1, 2), 'idem-0001'));
      expect(e1.kind).toBe('stored');
      const dup = await store.appendEntry(entry(b, sheet(9, 9), 'idem-0001'));
      expect(dup).toEqual({ kind: 'duplicate', entry: e1.entry });
      const e2 = await store.appendEntry(entry(b, sheet(1, 3), 'idem-0002', 'obs2'));
      const history = await store.entries(b.key);
      expect(history.map((e) => [e.observer, e.sheet.votes.CHP])).toEqual([
        ['obs1', 2],
        ['obs2', 3],
      ]);
      expect(history[1]).toEqual(e2.entry);
      const scoped = await store.entriesOf({ province: 69 }, { limit: 1 });
      expect(scoped.map((e) => e.idempotencyKey)).toEqual(['idem-0001']);
      const next = await store.entriesOf({ province: 69 }, { after: scoped[0].id });
      expect(next.map((e) => e.idempotencyKey)).toEqual(['idem-0002']);
      expect(await store.entriesOf({ province: 1 })).toEqual([]);
    });

    it('answers the rebuild’s reads of an election as boxes and entriesOf do, less what the rebuild does not use', async () => {
      const a = box(1001);
      const b = box(1002, { kind: 'prison' });
      const abroad = box(1, { province: 99, district: 100118, rumuz: 'B', kind: 'abroad' });
      const elsewhere = box(1001, { election: 'e2' });
      await store.upsertBoxes([a, b, abroad, elsewhere]);
      await store.appendVersions([
        { ...version(a, sheet(1, 2), 'r1', '2024-03-31T18:00:00.000Z', 1804), changeReason: 2 },
        version(abroad, sheet(5, 6), 'r2'),
        version(elsewhere, sheet(7, 7), 'r3'),
      ]);
      await store.appendVersions([version(a, sheet(2, 2), 'r4', '2024-03-31T18:30:00.000Z', 1805)]);
      await store.appendEntry(entry(a, sheet(2, 2), 'rb-1'));
      await store.appendEntry(entry(elsewhere, sheet(7, 7), 'rb-2'));
      await store.appendEntry({ ...entry(b, sheet(3, 3), 'rb-3', 'obs2'), source: 'confirmation' });
      const boxes = await store.boxes({ election: 'e1' });
      const rebuilt = await store.rebuildBoxes('e1');
      expect(rebuilt).toEqual(
        boxes.map((r) => ({
          key: r.box.key,
          kind: r.box.kind,
          latest: r.latest && { seq: r.latest.seq, sheet: r.latest.sheet, fetchedAt: r.latest.fetchedAt },
          firstPublishedAt: r.firstPublishedAt,
          first: r.first,
        })),
      );
      expect(rebuilt.map((r) => [r.key, r.kind, r.latest?.seq ?? null, r.first])).toEqual(
        [
          [a.key, 'domestic', 2, { yskVersion: 1804, changeReason: 2 }],
          [b.key, 'prison', null, null],
          [abroad.key, 'abroad', 1, { yskVersion: 1, changeReason: null }],
        ].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
      );
      expect(rebuilt.find((r) => r.key === a.key)).toEqual({
        key: a.key,
        kind: 'domestic',
        latest: { seq: 2, sheet: sheet(2, 2), fetchedAt: '2024-03-31T18:30:00.000Z' },
        firstPublishedAt: '2024-03-31T18:00:00.000Z',
        first: { yskVersion: 1804, changeReason: 2 },
      });
      const page1 = await store.rebuildBoxes('e1', { limit: 2 });
      const page2 = await store.rebuildBoxes('e1', { after: page1[1].key, limit: 2 });
      expect([...page1, ...page2]).toEqual(rebuilt);
      expect(await store.rebuildBoxes('e3')).toEqual([]);

      const entries = await store.entriesOf({ election: 'e1' });
      const rebuiltEntries = await store.rebuildEntries('e1');
      expect(rebuiltEntries).toEqual(
        entries.map((e) => ({ id: e.id, key: e.key, observer: e.observer, source: e.source, sheet: e.sheet, createdAt: e.createdAt })),
      );
      expect(rebuiltEntries.map((e) => [e.key, e.source, e.sheet.votes.CHP])).toEqual([
        [a.key, 'observer', 2],
        [b.key, 'confirmation', 3],
      ]);
      const first = await store.rebuildEntries('e1', { limit: 1 });
      expect([...first, ...(await store.rebuildEntries('e1', { after: first[0].id }))]).toEqual(rebuiltEntries);
      expect(await store.rebuildEntries('e2')).toEqual([expect.objectContaining({ key: elsewhere.key })]);
    });

    it('escalates many boxes at once as one by one: once per box and reason, the first time kept', async () => {
      const one = { key: box(1001).key, province: 69, district: 681, reason: 'stale' as const, at: '2024-03-31T19:00:00.000Z' };
      const two = { key: box(1002).key, province: 69, district: 681, reason: 'stale' as const, at: '2024-03-31T19:00:00.000Z' };
      await store.escalate(one);
      await store.escalateMany([]);
      await store.escalateMany([{ ...one, at: '2024-03-31T20:00:00.000Z' }, two, { ...two, at: '2024-03-31T20:00:00.000Z' }]);
      const held = await store.escalations({});
      expect(held.map((e) => [e.key, e.at])).toEqual([
        [one.key, one.at],
        [two.key, two.at],
      ]);
      expect(await store.escalate({ ...two, at: '2024-03-31T21:00:00.000Z' })).toEqual(held[1]);
    });

    it('keeps one column map per election, ballot and province, and says when it changed', async () => {
      const map = {
        election: 'e1',
        ballot: 2 as const,
        province: 69,
        columns: [{ position: 1, name: 'AK PARTİ', column: 'parti1_ALDIGI_OY' }],
        fetchedAt: '2024-03-31T18:00:00.000Z',
      };
      expect(await store.putColumnMap(map)).toBe(true);
      expect(await store.putColumnMap({ ...map, fetchedAt: '2024-03-31T18:05:00.000Z' })).toBe(false);
      const grown = { ...map, columns: [...map.columns, { position: 2, name: 'CHP', column: 'parti2_ALDIGI_OY' }] };
      expect(await store.putColumnMap(grown)).toBe(true);
      expect(await store.columnMap('e1', 2, 69)).toEqual({ ...grown });
      expect(await store.columnMap('e1', 3, 69)).toBeNull();
    });

    it('escalates a box once per reason and lists escalations by scope, oldest first', async () => {
      const a = await store.escalate({ key: box(1001).key, province: 69, district: 681, reason: 'stale', at: '2024-03-31T19:00:00.000Z' });
      const again = await store.escalate({ key: box(1001).key, province: 69, district: 681, reason: 'stale', at: '2024-03-31T19:30:00.000Z' });
      expect(again).toEqual(a);
      await store.escalate({ key: box(1002).key, province: 69, district: 681, reason: 'stale', at: '2024-03-31T18:59:00.000Z' });
      await store.escalate({ key: box(1001, { province: 1, district: 650 }).key, province: 1, district: 650, reason: 'stale', at: '2024-03-31T18:00:00.000Z' });
      expect((await store.escalations({ district: 681 })).map((e) => e.key)).toEqual([box(1002).key, box(1001).key]);
      expect(await store.escalations({})).toHaveLength(3);
    });

    it('opens and closes incidents, keeping the raw payload', async () => {
      const inc = await store.openIncident({
        kind: 'parse',
        scope: 'getSecimSandikSonucList',
        startedAt: '2024-03-31T19:00:00.000Z',
        cause: 'truncated JSON',
        details: { bytes: 12 },
        raw: '[{"il_ID":',
      });
      expect(await store.incidents({ open: true })).toEqual([inc]);
      await store.closeIncident(inc.id, '2024-03-31T19:05:00.000Z');
      expect(await store.incidents({ open: true })).toEqual([]);
      expect(await store.incidents()).toEqual([{ ...inc, endedAt: '2024-03-31T19:05:00.000Z' }]);
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

    it('keeps settings as JSON', async () => {
      expect(await store.setting('embargo:e1')).toBeNull();
      await store.putSetting('embargo:e1', { until: '2024-03-31T21:00:00.000Z' });
      await store.putSetting('embargo:e1', { until: null });
      expect(await store.setting('embargo:e1')).toEqual({ until: null });
    });
    it('keeps voter-register lines by hash only, a re-import moving a voter', async () => {
      const at = '2024-03-31T08:00:00.000Z';
      const h = (n: number) => n.toString(16).padStart(64, '0');
      expect(
        await store.putVoters([
          { hash: h(1), province: 6, district: 1, boxNo: 1001, importedAt: at },
          { hash: h(2), province: 6, district: 1, boxNo: 1002, importedAt: at },
        ]),
      ).toBe(2);
      await store.putVoters([{ hash: h(1), province: 34, district: 10, boxNo: 5, importedAt: at }]);
      expect(await store.voterByHash(h(1))).toEqual({ hash: h(1), province: 34, district: 10, boxNo: 5, importedAt: at });
      expect(await store.voterByHash(h(3))).toBeNull();
      expect(await store.voterCount()).toBe(2);
      expect(await store.putVoters([])).toBe(0);
    });

    it('keeps complaints: unique tracking codes, compare-and-set steps with history, scoped lists and counts', async () => {
      const at = (m: number) => `2024-03-31T2${m}:00:00.000Z`;
      const complaint = (id: string, over: Partial<ComplaintRecord> = {}): ComplaintRecord => ({
        id,
        trackingCode: `GZ-${id}`,
        status: 'new',
        election: 'e1',
        ballot: 2,
        key: box(1001).key,
        province: 69,
        district: 681,
        boxNo: 1001,
        text: 'Sayım tutanağı farklı',
        contact: null,
        routedTo: ['hukuk681'],
        filedBy: null,
        petitionId: null,
        createdAt: at(0),
        updatedAt: at(0),
        history: [{ at: at(0), status: 'new', by: null, note: null }],
        ...over,
      });
      const a = await store.createComplaint(complaint('a'));
      await store.createComplaint(complaint('b', { createdAt: at(1), updatedAt: at(1), key: box(1002).key, boxNo: 1002 }));
      await store.createComplaint(complaint('c', { province: 1, district: 650, key: null, ballot: null, createdAt: at(2), updatedAt: at(2) }));
      const duplicate = await store.createComplaint(complaint('d', { trackingCode: 'GZ-a' })).then(
        () => 'stored',
        (e: unknown) => `refused: ${String((e as Error)?.message ?? e)}`,
      );
      expect(duplicate).toMatch(/^refused/);
      expect(await store.complaint('a')).toEqual(a);
      expect(await store.complaintByCode('GZ-b')).toMatchObject({ id: 'b' });
      expect(await store.complaintByCode('GZ-zzz')).toBeNull();

      const step = { at: at(3), status: 'in_review' as const, by: 'hukuk681', note: 'bakıyorum' };
      const moved = await store.updateComplaint('a', 'new', { status: 'in_review', updatedAt: at(3), step });
      expect(moved).toEqual({ ...a, status: 'in_review', updatedAt: at(3), history: [...a.history, step] });
      expect(await store.updateComplaint('a', 'new', { status: 'rejected', updatedAt: at(4) })).toBeNull();
      expect(await store.updateComplaint('a', 'in_review', { petitionId: 'p1', updatedAt: at(4) })).toMatchObject({ status: 'in_review', petitionId: 'p1' });
      expect(await store.updateComplaint('missing', 'new', { updatedAt: at(4) })).toBeNull();

      expect((await store.complaints({})).map((c) => c.id)).toEqual(['c', 'b', 'a']);
      expect((await store.complaints({ district: 681 })).map((c) => c.id)).toEqual(['b', 'a']);
      expect((await store.complaints({ keys: [box(1002).key] })).map((c) => c.id)).toEqual(['b']);
      expect(await store.complaints({ keys: [] })).toEqual([]);
      expect((await store.complaints({ status: 'in_review' })).map((c) => c.id)).toEqual(['a']);
      expect(await store.complaintCounts({ province: 69 })).toEqual({ new: 1, in_review: 1 });
      expect(await store.complaintCounts({ district: 999 })).toEqual({});
    });

    it('keeps attachments by owner and box, and blobs by their SHA-256, once', async () => {
      const sha = createHash('sha256').update('photo').digest('hex');
      const shown = createHash('sha256').update('shown').digest('hex');
      const att = (id: string, over: Partial<AttachmentRecord> = {}): AttachmentRecord => ({
        id,
        owner: 'complaint',
        ownerId: 'c1',
        key: box(1001).key,
        kind: 'image',
        contentType: 'image/jpeg',
        bytes: 5,
        sha256: sha,
        width: 10,
        height: 20,
        shownBlob: shown,
        shownContentType: 'image/jpeg',
        uploadedAt: '2024-03-31T20:00:00.000Z',
        uploadedBy: null,
        ...over,
      });
      await store.putAttachment(att('x1'));
      await store.putAttachment(att('x2', { owner: 'sheet', ownerId: 'entry-1', uploadedBy: 'ayse', uploadedAt: '2024-03-31T20:01:00.000Z' }));
      await store.putAttachment(att('x3', { kind: 'pdf', contentType: 'application/pdf', width: null, height: null, uploadedAt: '2024-03-31T20:02:00.000Z' }));
      expect(await store.attachment('x2')).toEqual(
        att('x2', { owner: 'sheet', ownerId: 'entry-1', uploadedBy: 'ayse', uploadedAt: '2024-03-31T20:01:00.000Z' }),
      );
      expect(await store.attachment('nope')).toBeNull();
      expect((await store.attachments({ owner: 'complaint', ownerId: 'c1' })).map((a) => a.id)).toEqual(['x1', 'x3']);
      expect((await store.attachments({ owner: 'sheet', key: box(1001).key })).map((a) => a.id)).toEqual(['x2']);

      await store.putBlob(sha, Buffer.from('photo'));
      await store.putBlob(sha, Buffer.from('photo'));
      expect((await store.blob(sha))?.toString()).toBe('photo');
      expect(await store.blob(shown)).toBeNull();
      await expect(store.putBlob('../../etc/passwd', Buffer.from('x'))).rejects.toThrow(RangeError);
    });

    it('keeps petitions: compare-and-set status, scoped lists soonest deadline first', async () => {
      const text = {
        addressee: 'Demirözü İlçe Seçim Kurulu Başkanlığına',
        subject: 'İtiraz',
        body: 'ğüşıöçİ',
        figures: [{ label: 'Geçerli oy', ysk: 150, sheet: 140, difference: 10 }],
        evidence: [],
        requests: 'düzeltilmesini',
        place: 'Demirözü',
        signatureName: 'Av. Ayşe',
        signatureTitle: 'İlçe Hukuk Sorumlusu',
      };
      const petition = (id: string, deadline: string, over: Partial<PetitionRecord> = {}): PetitionRecord => ({
        id,
        status: 'draft',
        election: 'e1',
        key: box(1001).key,
        province: 69,
        district: 681,
        boxNo: 1001,
        ballot: 2,
        complaintId: null,
        text,
        deadline,
        createdAt: '2024-03-31T20:00:00.000Z',
        createdBy: 'hukuk681',
        updatedAt: '2024-03-31T20:00:00.000Z',
        filedAt: null,
        filedBy: null,
        reference: null,
        ...over,
      });
      const late = await store.createPetition(petition('p1', '2024-04-01T11:00:00.000Z'));
      await store.createPetition(petition('p2', '2024-04-01T09:00:00.000Z', { complaintId: 'c1' }));
      await store.createPetition(petition('p3', '2024-04-01T08:00:00.000Z', { province: 1, district: 650 }));
      expect(await store.petition('p1')).toEqual(late);
      expect(await store.petition('none')).toBeNull();
      const edited = await store.updatePetition('p1', 'draft', { text: { ...text, body: 'düzeltildi' }, updatedAt: '2024-03-31T20:10:00.000Z' });
      expect(edited).toEqual({ ...late, text: { ...text, body: 'düzeltildi' }, updatedAt: '2024-03-31T20:10:00.000Z' });
      const filed = await store.updatePetition('p2', 'draft', {
        status: 'filed',
        filedAt: '2024-03-31T21:00:00.000Z',
        filedBy: 'hukuk681',
        reference: '2024/15',
        updatedAt: '2024-03-31T21:00:00.000Z',
      });
      expect(filed).toMatchObject({ status: 'filed', filedBy: 'hukuk681', reference: '2024/15' });
      expect(await store.updatePetition('p2', 'draft', { status: 'withdrawn', updatedAt: '2024-03-31T21:01:00.000Z' })).toBeNull();
      expect((await store.petitions({})).map((p) => p.id)).toEqual(['p3', 'p2', 'p1']);
      expect((await store.petitions({ district: 681, statuses: ['draft'] })).map((p) => p.id)).toEqual(['p1']);
      expect((await store.petitions({ complaintId: 'c1' })).map((p) => p.id)).toEqual(['p2']);
      expect(await store.petitions({ statuses: [] })).toEqual([]);
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

    it('stores entries and their audit record together: all or nothing', async () => {
      const b = box(1004);
      const auditOf = (stored: { key: string }[]) =>
        stored.length
          ? { at: '2024-03-31T18:20:00.000Z', actor: null, action: 'entry.import', target: 'entries', before: null, after: { keys: stored.map((e) => e.key) } }
          : null;
      const first = await store.appendEntriesAudited([entry(b, sheet(1, 2), 'idem-a-001'), entry(b, sheet(1, 3), 'idem-a-002')], auditOf);
      expect(first.map((o) => o.kind)).toEqual(['stored', 'stored']);
      expect((await store.audit({ action: 'entry.import' })).map((a) => a.after)).toEqual([{ keys: [b.key, b.key] }]);
      // a retry stores nothing and writes no record
      const again = await store.appendEntriesAudited([entry(b, sheet(1, 2), 'idem-a-001')], auditOf);
      expect(again.map((o) => o.kind)).toEqual(['duplicate']);
      expect(await store.audit({ action: 'entry.import' })).toHaveLength(1);
      // a failure while writing rolls the entries back with the record
      await expect(
        store.appendEntriesAudited([entry(b, sheet(1, 4), 'idem-a-003')], () => {
          throw new Error('audit failed');
        }),
      ).rejects.toThrow('audit failed');
      expect((await store.entries(b.key)).map((e) => e.idempotencyKey)).toEqual(['idem-a-001', 'idem-a-002']);
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
      const complaint: ComplaintRecord = {
        id: 'ca',
        trackingCode: 'GZ-ca',
        status: 'new',
        election: 'e1',
        ballot: 2,
        key: box(1001).key,
        province: 69,
        district: 681,
        boxNo: 1001,
        text: 'farklı',
        contact: null,
        routedTo: [],
        filedBy: null,
        petitionId: null,
        createdAt: at,
        updatedAt: at,
        history: [{ at, status: 'new', by: null, note: null }],
      };
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
      const text = {
        addressee: 'Kurul',
        subject: 'İtiraz',
        body: 'metin',
        figures: [],
        evidence: [],
        requests: 'düzeltilsin',
        place: 'Demirözü',
        signatureName: 'Av. Ayşe',
        signatureTitle: 'Hukuk',
      };
      const petition = (id: string, over: Partial<PetitionRecord> = {}): PetitionRecord => ({
        id,
        status: 'draft',
        election: 'e1',
        key: box(1001).key,
        province: 69,
        district: 681,
        boxNo: 1001,
        ballot: 2,
        complaintId: null,
        text,
        deadline: '2024-04-01T09:00:00.000Z',
        createdAt: at,
        createdBy: 'admin',
        updatedAt: at,
        filedAt: null,
        filedBy: null,
        reference: null,
        ...over,
      });
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
      const alert = (id: string, over: Partial<AlertRecord> = {}): AlertRecord => ({
        id,
        dedupe: `mismatch:${id}`,
        rev: 0,
        kind: 'mismatch',
        severity: 'red',
        box: box(1001).key,
        province: 69,
        district: 681,
        level: 'district',
        status: 'open',
        title: 'Uyuşmazlık',
        detail: 'fark',
        createdAt: at,
        updatedAt: at,
        escalatedAt: null,
        resolvedAt: null,
        ack: null,
        digestCount: null,
        digestId: null,
        figures: null,
        escalateAt: '2024-03-31T21:10:00.000Z',
        ...over,
      });
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
