/**
 * The observer's screens' logic (issue 12), without a browser: routes, the live sheet checks of
 * the form, the on-device queue (IndexedDB, here fake-indexeddb) and how a box's state is worded.
 */
import 'fake-indexeddb/auto';
import type { MyBox, Sheet } from '@gozcu/shared';
import { formatHash, parseHash } from '../../dashboard/src/lib/router';
import { checkDraft, draftOf, emptyDraft, parseCount } from '../../dashboard/src/lib/sheet-form';
import { Outbox, newIdempotencyKey, type OutboxItem, type SendResult, type Transport } from '../../dashboard/src/lib/outbox';
import { statusLines } from '../../dashboard/src/lib/observer-status';

const COLUMNS = ['AK PARTİ', 'CHP', 'MHP'];
const sheet: Sheet = {
  registered: 300,
  voted: 205,
  validUncontested: 200,
  validAfterObjection: 0,
  valid: 200,
  invalid: 5,
  votes: { 'AK PARTİ': 120, CHP: 70, MHP: 10 },
};
const ref = { election: 'e', ballot: 2 as const, province: 69, district: 681, boxNo: 1001 };
const KEY = 'e:2:69:681:1001';

describe('observer routes', () => {
  test('#/sandiklarim and #/giris/<key> round-trip', () => {
    expect(parseHash('#/sandiklarim').route).toEqual({ view: 'myBoxes' });
    expect(formatHash({ view: 'myBoxes' }, null)).toBe('#/sandiklarim');
    const hash = formatHash({ view: 'entry', key: KEY }, null);
    expect(hash).toBe('#/giris/e%3A2%3A69%3A681%3A1001');
    expect(parseHash(hash).route).toEqual({ view: 'entry', key: KEY });
    expect(parseHash('#/giris/e:2:69:681:1001').route).toEqual({ view: 'entry', key: KEY });
    expect(parseHash('#/giris').route.view).toBe('notFound');
    expect(parseHash('#/sandiklarim/x').route.view).toBe('notFound');
  });
});

describe('the result-sheet form: live sheet checks', () => {
  const fill = (s: Sheet) => draftOf(s, COLUMNS);

  test('an empty form has every field missing, no issue, no sheet', () => {
    const c = checkDraft(emptyDraft(COLUMNS), COLUMNS);
    expect(c.missing).toEqual([
      'registered',
      'voted',
      'validUncontested',
      'validAfterObjection',
      'valid',
      'invalid',
      'votes.AK PARTİ',
      'votes.CHP',
      'votes.MHP',
    ]);
    expect([c.errors, c.warnings, c.sheet]).toEqual([[], [], null]);
  });

  test('a complete, consistent sheet passes and is the sheet', () => {
    const c = checkDraft(fill(sheet), COLUMNS);
    expect([c.missing, c.errors, c.warnings]).toEqual([[], [], []]);
    expect(c.sheet).toEqual(sheet);
  });

  test('an error shows as soon as its fields are typed, and blocks', () => {
    const d = emptyDraft(COLUMNS);
    d.figures.valid = '200';
    d.figures.invalid = '5';
    expect(checkDraft(d, COLUMNS).errors).toEqual([]);
    d.figures.voted = '206';
    const c = checkDraft(d, COLUMNS);
    expect(c.errors.map((e) => [e.code, e.params])).toEqual([['valid_invalid_not_voted', { valid: 200, invalid: 5, sum: 205, voted: 206 }]]);
    expect(c.sheet).toBeNull();
    // party votes above the valid votes: wrong before every party is typed
    const over = emptyDraft(COLUMNS);
    over.figures.valid = '100';
    over.votes['AK PARTİ'] = '101';
    expect(checkDraft(over, COLUMNS).errors.map((e) => e.code)).toEqual(['votes_exceed_valid']);
  });

  test('warnings (turnout over registered, votes short) ask for a second look but leave a sheet', () => {
    const c = checkDraft(fill({ ...sheet, registered: 200, votes: { 'AK PARTİ': 120, CHP: 70, MHP: 5 } }), COLUMNS);
    expect(c.errors).toEqual([]);
    expect(c.warnings.map((w) => w.code).sort()).toEqual(['turnout_over_registered', 'votes_short']);
    expect(c.sheet).not.toBeNull();
  });

  test('only digits: letters or signs are an error of that field; grouping dots and spaces are fine', () => {
    expect(parseCount('1.234')).toBe(1234);
    expect(parseCount(' 12 ')).toBe(12);
    expect(parseCount('')).toBeNull();
    expect(parseCount('-3')).toBeNaN();
    expect(parseCount('3,5')).toBeNaN();
    const d = fill(sheet);
    d.votes.CHP = '7o';
    const c = checkDraft(d, COLUMNS);
    expect(c.errors.find((e) => e.code === 'not_a_count')?.fields).toEqual(['votes.CHP']);
    expect(c.sheet).toBeNull();
  });
});

describe('the on-device queue (IndexedDB)', () => {
  let n = 0;
  const fresh = () => new Outbox(`gozcu-test-${process.pid}-${++n}`);
  /** a server that stores by idempotency key, as POST /api/entries does */
  function server() {
    const stored = new Map<string, string>();
    const photos: string[] = [];
    let up = true;
    const transport: Transport = {
      async sendEntry(item: OutboxItem): Promise<SendResult> {
        if (!up) return { kind: 'network' };
        const held = stored.get(item.id);
        if (held) return { kind: 'ok', entryId: held, duplicate: true };
        const id = `entry-${stored.size + 1}`;
        stored.set(item.id, id);
        return { kind: 'ok', entryId: id, duplicate: false };
      },
      async sendPhoto(item): Promise<SendResult> {
        if (!up) return { kind: 'network' };
        photos.push(item.entryId);
        return { kind: 'ok', entryId: item.entryId, duplicate: false };
      },
    };
    return {
      transport,
      stored,
      photos,
      set up(v: boolean) {
        up = v;
      },
    };
  }

  test('an entry made offline waits, survives a reopen, and lands once when the network returns', async () => {
    const name = `gozcu-test-${process.pid}-${++n}`;
    const srv = server();
    srv.up = false;
    const box = new Outbox(name);
    const item = await box.add({ user: 'ayse', key: KEY, ref, sheet, photo: null, photoName: null });
    expect(item.id).toMatch(/^obs-[0-9a-f-]{32,}$/);
    expect((await box.flush('ayse', srv.transport)).stopped).toBe('network');
    expect((await box.list('ayse')).map((i) => [i.id, i.state, i.attempts, i.lastError])).toEqual([[item.id, 'pending', 1, 'network']]);
    // the phone restarts: a new page opens the same database
    const again = new Outbox(name);
    expect((await again.list('ayse')).map((i) => i.id)).toEqual([item.id]);
    srv.up = true;
    const report = await again.flush('ayse', srv.transport);
    expect(report.sent.map((i) => i.id)).toEqual([item.id]);
    expect(await again.list('ayse')).toEqual([]);
    expect(srv.stored.size).toBe(1);
    // a second flush (the other tab, the timer) sends nothing more
    expect((await again.flush('ayse', srv.transport)).sent).toEqual([]);
  });

  test('a resend after a lost answer is answered with the stored entry: still one', async () => {
    const srv = server();
    const box = fresh();
    const item = await box.add({ user: 'ayse', key: KEY, ref, sheet, photo: null, photoName: null });
    // the request reached the server, the answer did not
    await srv.transport.sendEntry(item);
    await box.flush('ayse', srv.transport);
    expect(srv.stored.size).toBe(1);
  });

  test('concurrent flushes share one run', async () => {
    const srv = server();
    let calls = 0;
    const counting: Transport = { ...srv.transport, sendEntry: (i) => (calls++, srv.transport.sendEntry(i)) };
    const box = fresh();
    await box.add({ user: 'ayse', key: KEY, ref, sheet, photo: null, photoName: null });
    await Promise.all([box.flush('ayse', counting), box.flush('ayse', counting), box.flush('ayse', counting)]);
    expect(calls).toBe(1);
  });

  test('per user; one waiting entry per box (a correction before sending replaces it); order kept', async () => {
    const srv = server();
    srv.up = false;
    const box = fresh();
    const a = await box.add({ user: 'ayse', key: KEY, ref, sheet, photo: null, photoName: null, createdAt: 1 });
    const b = await box.add({ user: 'ayse', key: 'e:2:69:681:1002', ref: { ...ref, boxNo: 1002 }, sheet, photo: null, photoName: null, createdAt: 2 });
    await box.add({ user: 'mehmet', key: KEY, ref, sheet, photo: null, photoName: null, createdAt: 3 });
    const corrected = await box.add({ user: 'ayse', key: KEY, ref, sheet: { ...sheet, invalid: 6, voted: 206 }, photo: null, photoName: null, createdAt: 4 });
    expect((await box.list('ayse')).map((i) => i.id)).toEqual([b.id, corrected.id]);
    expect((await box.list('ayse')).some((i) => i.id === a.id)).toBe(false);
    expect(await box.list('mehmet')).toHaveLength(1);
    srv.up = true;
    expect((await box.flush('ayse', srv.transport)).sent.map((i) => i.id)).toEqual([b.id, corrected.id]);
    expect(await box.list('mehmet')).toHaveLength(1);
  });

  test('a refused entry stays, visible, and is not retried by itself; the photo follows its entry', async () => {
    const srv = server();
    const box = fresh();
    const refusing: Transport = { ...srv.transport, sendEntry: async () => ({ kind: 'refused', message: 'invalid sheet: sheet.valid' }) };
    const bad = await box.add({ user: 'ayse', key: KEY, ref, sheet, photo: null, photoName: null });
    expect((await box.flush('ayse', refusing)).failed.map((i) => i.id)).toEqual([bad.id]);
    expect((await box.flush('ayse', refusing)).failed).toEqual([]);
    expect((await box.list('ayse'))[0]).toMatchObject({ state: 'failed', lastError: 'invalid sheet: sheet.valid' });
    // with a photo: the entry lands, the photo waits for the network, then goes with the entry's id
    const withPhoto = await box.add({
      user: 'ayse',
      key: 'e:2:69:681:1003',
      ref: { ...ref, boxNo: 1003 },
      sheet,
      photo: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/jpeg' }),
      photoName: 't.jpg',
    });
    const photoDown: Transport = { ...srv.transport, sendPhoto: async () => ({ kind: 'network' }) };
    await box.flush('ayse', photoDown);
    const held = (await box.list('ayse')).find((i) => i.id === withPhoto.id)!;
    expect([held.state, held.entryId]).toEqual(['photo', 'entry-1']);
    await box.flush('ayse', srv.transport);
    expect(srv.photos).toEqual(['entry-1']);
    expect(srv.stored.size).toBe(1);
  });

  test('keeps the last "my boxes" per user for offline use', async () => {
    const box = fresh();
    expect(await box.cachedBoxes('ayse')).toBeNull();
    await box.cacheBoxes('ayse', { confirmations: 2, yskVisible: true, items: [] });
    expect((await box.cachedBoxes('ayse'))?.data).toEqual({ confirmations: 2, yskVisible: true, items: [] });
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey());
  });
});

describe('how a box stands', () => {
  const base = (over: Partial<MyBox> = {}, summary: Partial<MyBox['summary']> = {}): MyBox => ({
    key: KEY,
    ...ref,
    provinceName: null,
    districtName: null,
    neighbourhoodName: null,
    columns: COLUMNS,
    mine: null,
    agreeing: 0,
    verdict: null,
    summary: {
      key: KEY,
      ...ref,
      status: 'ysk_only',
      altered: false,
      conflicting: false,
      unconfirmed: false,
      stale: false,
      yskAgeMs: 1,
      yskPublishedAt: 'x',
      enteredAt: null,
      ysk: sheet,
      org: null,
      differences: {},
      totalAbsDifference: 0,
      versions: 1,
      warnings: [],
      ...summary,
    },
    ...over,
  });
  const mine = { entryId: 'e1', createdAt: '2024-03-31T18:00:00Z', sheet, hash: 'h', warnings: [], photos: 0 };
  const ids = (b: MyBox, q?: OutboxItem, yskVisible = true) => statusLines(b, q, 2, yskVisible).map((l) => l.id);

  test.each([
    ['not entered', base(), undefined, true, ['none']],
    ['queued on the device', base(), { state: 'pending' } as OutboxItem, true, ['queued']],
    [
      'received, awaiting its second entry, matches YSK',
      base({ mine, agreeing: 1, verdict: 'match' }, { unconfirmed: true }),
      undefined,
      true,
      ['received', 'match', 'unconfirmed'],
    ],
    [
      'received, differs; conflicting',
      base({ mine, agreeing: 1, verdict: 'differs' }, { unconfirmed: true, conflicting: true }),
      undefined,
      true,
      ['received', 'differs', 'conflicting', 'unconfirmed'],
    ],
    [
      'confirmed, mismatch',
      base({ mine, agreeing: 2, verdict: 'differs' }, { status: 'mismatch', org: sheet }),
      undefined,
      true,
      ['received', 'differs', 'confirmed', 'org-mismatch'],
    ],
    [
      'received under the embargo',
      base({ mine, agreeing: 1, verdict: 'received' }, { unconfirmed: true, ysk: null }),
      undefined,
      false,
      ['received', 'embargo', 'unconfirmed'],
    ],
  ] as const)('%s', (_, box, queued, visible, expected) => {
    expect(ids(box, queued, visible)).toEqual(expected);
  });
});
