import type { Principal } from '@gozcu/shared';

/**
 * What of the feed health report a caller gets. Raw YSK payloads (incident `raw`, up to 64 KB of
 * YSK's figures each) only reach feed roles (`feed:admin`) of country scope who see YSK's
 * figures now; other callers get incidents without the raw body, and callers of a narrower
 * scope get neither the incidents' details (box keys, job data naming other provinces) nor
 * other provinces' poll times and lags. During the embargo, the YSK-derived counts (versions stored,
 * changes found) and incident details are withheld from callers who may not see YSK yet.
 */
export function redactFeedHealth<R extends Record<string, unknown>>(report: R, user: Pick<Principal, 'permissions' | 'scope'>, yskVisible: boolean): R {
  const country = user.scope.level === 'country';
  const raw = country && yskVisible && user.permissions.includes('feed:admin');
  const details = country && yskVisible;
  const incident = (i: Record<string, unknown>) => {
    const out: Record<string, unknown> = { ...i };
    if (!raw) out.raw = null;
    if (!details) out.details = {};
    if (!country) out.cause = String(i.kind ?? 'incident');
    return out;
  };
  const incidents = report.incidents as { open?: Record<string, unknown>[]; recent?: Record<string, unknown>[] } | undefined;
  const out: Record<string, unknown> = { ...report };
  if (incidents) out.incidents = { ...incidents, open: (incidents.open ?? []).map(incident), recent: (incidents.recent ?? []).map(incident) };
  if (!country && report.lastSuccessByProvince && typeof report.lastSuccessByProvince === 'object') {
    const own = String(user.scope.province ?? '');
    out.lastSuccessByProvince = Object.fromEntries(Object.entries(report.lastSuccessByProvince as Record<string, unknown>).filter(([p]) => p === own));
  }
  // the poller's per-province lag: the caller's own province only
  if (!country && Array.isArray(report.lags)) {
    const own = user.scope.province ?? null;
    out.lags = (report.lags as Array<{ province?: unknown }>).filter((l) => own !== null && Number(l.province) === Number(own));
  }
  if (!yskVisible && report.totals && typeof report.totals === 'object') {
    const { versions: _v, changes: _c, ...rest } = report.totals as Record<string, unknown>;
    out.totals = rest;
  }
  return out as R;
}
