import { ROLES } from './roles';
import type { PrincipalScope } from './auth';
import { ALERT_KINDS, ALERT_LEVELS, alertFor, dueToEscalate, inScope, isRoutedTo, nextLevel, planDeliveries, routeRolesOf, type AlertView } from './alerts';

const alert = (over: Partial<AlertView> = {}): AlertView => ({
  id: '1',
  kind: 'stale',
  severity: 'amber',
  box: 'e:2:34:1000:1',
  province: 34,
  district: 1000,
  level: 'district',
  status: 'open',
  title: 't',
  detail: 'd',
  createdAt: '2024-03-31T18:00:00Z',
  updatedAt: '2024-03-31T18:00:00Z',
  escalatedAt: null,
  resolvedAt: null,
  ack: null,
  digestCount: null,
  digestId: null,
  figures: { differences: { 'votes.A': 3 }, totalAbsDifference: 3 },
  ...over,
});

const scopes: PrincipalScope[] = [
  { level: 'country' },
  { level: 'province', province: 34 },
  { level: 'province', province: 6 },
  { level: 'district', province: 34, district: 1000 },
  { level: 'district', province: 34, district: 1001 },
  { level: 'district', province: 6, district: 1000 },
  { level: 'box', boxes: ['e:2:34:1000:1'] },
  { level: 'public' },
];

describe('alert routing', () => {
  it('a district alert reaches only the district chair and legal officer of that district', () => {
    const a = alert();
    const reached = ROLES.flatMap((r) => scopes.filter((s) => s.level === r.level).map((s) => ({ role: r.id, scope: s }))).filter((w) => isRoutedTo(a, w));
    expect(reached.map((w) => `${w.role}@${w.scope.province}/${w.scope.district}`).sort()).toEqual(['district_chair@34/1000', 'district_legal@34/1000']);
  });

  it('escalated to the province it keeps the district and adds the province above; at HQ adds HQ', () => {
    expect(isRoutedTo(alert({ level: 'province' }), { role: 'province_chair', scope: { level: 'province', province: 34 } })).toBe(true);
    expect(isRoutedTo(alert({ level: 'province' }), { role: 'province_chair', scope: { level: 'province', province: 6 } })).toBe(false);
    expect(isRoutedTo(alert({ level: 'province' }), { role: 'district_chair', scope: { level: 'district', province: 34, district: 1000 } })).toBe(true);
    expect(isRoutedTo(alert({ level: 'province' }), { role: 'hq_admin', scope: { level: 'country' } })).toBe(false);
    expect(isRoutedTo(alert({ level: 'country' }), { role: 'hq_admin', scope: { level: 'country' } })).toBe(true);
    expect(routeRolesOf(alert({ level: 'province' })).map((r) => r.role)).toEqual(['district_chair', 'district_legal', 'province_chair', 'province_legal']);
  });

  it('a feed alert reaches HQ and the feed operator, nobody below', () => {
    const f = alert({ kind: 'feed', level: 'country', province: null, district: null, box: null });
    expect(isRoutedTo(f, { role: 'feed_operator', scope: { level: 'country' } })).toBe(true);
    expect(isRoutedTo(f, { role: 'hq_viewer', scope: { level: 'country' } })).toBe(true);
    expect(isRoutedTo(f, { role: 'province_chair', scope: { level: 'province', province: 34 } })).toBe(false);
  });

  it('no alert of any kind and level reaches anyone outside its region (exhaustive)', () => {
    const regions = [
      { province: 34, district: 1000 },
      { province: 34, district: 1001 },
      { province: 6, district: 1000 },
      { province: null, district: null },
    ];
    for (const kind of ALERT_KINDS)
      for (const level of ALERT_LEVELS)
        for (const r of regions)
          for (const role of ROLES)
            for (const scope of scopes) {
              const a = alert({ kind, level, ...r });
              if (isRoutedTo(a, { role: role.id, scope })) expect(inScope(a, scope)).toBe(true);
              if (scope.level === 'district' && isRoutedTo(a, { role: role.id, scope }))
                expect([a.province, a.district]).toEqual([scope.province, scope.district]);
            }
  });
});

describe('embargo', () => {
  it('a recipient who may not see YSK gets no figures', () => {
    expect(alertFor(alert(), false).figures).toBeNull();
    expect(alertFor(alert(), true).figures).toEqual({ differences: { 'votes.A': 3 }, totalAbsDifference: 3 });
  });
});

describe('escalation', () => {
  const rec = { status: 'open' as const, ack: null, escalateAt: '2024-03-31T18:10:00Z', level: 'district' as const };
  it('is due once its time passed, never when taken, resolved or at HQ', () => {
    expect(dueToEscalate(rec, Date.parse('2024-03-31T18:09:59Z'))).toBe(false);
    expect(dueToEscalate(rec, Date.parse('2024-03-31T18:10:00Z'))).toBe(true);
    expect(dueToEscalate({ ...rec, ack: { userId: 'u', username: 'u', name: 'u', at: 'x' } }, Date.parse('2024-04-01T00:00:00Z'))).toBe(false);
    expect(dueToEscalate({ ...rec, status: 'resolved' }, Date.parse('2024-04-01T00:00:00Z'))).toBe(false);
    expect(dueToEscalate({ ...rec, level: 'country' }, Date.parse('2024-04-01T00:00:00Z'))).toBe(false);
    expect([nextLevel('district'), nextLevel('province'), nextLevel('country')]).toEqual(['province', 'country', null]);
  });
});

describe('storm digests', () => {
  it('many alerts of one district become one digest; a storm over many provinces adds one HQ digest', () => {
    const batch = [
      ...Array.from({ length: 1000 }, (_, i) => ({ kind: 'stale' as const, province: 1 + (i % 4), district: 100 + (i % 4), n: i })),
      { kind: 'stale' as const, province: 9, district: 900, n: -1 },
      { kind: 'feed' as const, province: null, district: null, n: -2 },
    ];
    const plan = planDeliveries(batch, 5, 3);
    expect(plan.single.map((a) => a.n).sort((a, b) => a - b)).toEqual([-2, -1]);
    const district = plan.digests.filter((d) => d.scope.level === 'district');
    expect(district).toHaveLength(4);
    expect(district.every((d) => d.members.length === 250)).toBe(true);
    const country = plan.digests.filter((d) => d.scope.level === 'country');
    expect(country).toHaveLength(1);
    expect(country[0].members).toHaveLength(1001);
  });

  it('a few alerts stay single', () => {
    const plan = planDeliveries(
      [
        { kind: 'mismatch' as const, province: 1, district: 2 },
        { kind: 'mismatch' as const, province: 1, district: 2 },
      ],
      5,
      3,
    );
    expect(plan.single).toHaveLength(2);
    expect(plan.digests).toHaveLength(0);
  });
});
