import type { Assert, Equal, FeedHealthResponse, FeedIncident, Principal } from '@gozcu/shared';
import type { Incident } from '../store/store.port';

/** The store's incidents are the contract's. */
export type IncidentMatches = Assert<Equal<Incident, FeedIncident>>;

/**
 * What of the feed health report a caller gets. Raw YSK payloads (incident `raw`, up to 64 KB of
 * YSK's figures each) only reach feed roles (`feed:admin`) of country scope who see YSK's
 * figures now; other callers get incidents without the raw body, and callers of a narrower
 * scope get neither the incidents' details (box keys, job data naming other provinces) nor
 * other provinces' poll times and lags. During the embargo, the YSK-derived counts (versions stored,
 * changes found) and incident details are withheld from callers who may not see YSK yet.
 */
export function redactFeedHealth(report: FeedHealthResponse, user: Pick<Principal, 'permissions' | 'scope'>, yskVisible: boolean): FeedHealthResponse {
  const country = user.scope.level === 'country';
  const raw = country && yskVisible && user.permissions.includes('feed:admin');
  const details = country && yskVisible;
  const incident = (i: FeedIncident): FeedIncident => ({
    ...i,
    raw: raw ? i.raw : null,
    details: details ? i.details : {},
    cause: country ? i.cause : i.kind,
  });
  const own = user.scope.province ?? null;
  let totals = report.totals;
  if (!yskVisible && totals) {
    const { versions: _v, changes: _c, ...rest } = totals;
    totals = rest;
  }
  return {
    ...report,
    incidents: { open: report.incidents.open.map(incident), recent: report.incidents.recent.map(incident) },
    // the last poll times and the poller's per-province lag: the caller's own province only
    lastSuccessByProvince: country
      ? report.lastSuccessByProvince
      : Object.fromEntries(Object.entries(report.lastSuccessByProvince).filter(([p]) => p === String(own ?? ''))),
    lags: country ? report.lags : report.lags.filter((l) => own !== null && l.province === Number(own)),
    totals,
  };
}
