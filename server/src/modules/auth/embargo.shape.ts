import type { BoxCounters, BoxSummary, Coverage, ListHeads, RegionCounters, RoomDelta, RoomSnapshot } from '@gozcu/shared';

/*
 * What a caller who may not see YSK's figures yet gets: the organisation's own side only. Every
 * YSK-derived value (figures, publication times, statuses that compare with YSK, versions) is
 * taken out, so nothing of YSK's feed can be inferred.
 */

export function blindCounters(c: BoxCounters): BoxCounters {
  return { ...c, yskPublished: 0, match: 0, mismatch: 0, yskOnly: 0, orgOnly: c.entered, stale: 0, altered: 0 };
}

export function blindCoverage(c: Coverage): Coverage {
  const kinds = c.kinds ? (Object.fromEntries(Object.entries(c.kinds).map(([k, v]) => [k, blindCounters(v)])) as Coverage['kinds']) : undefined;
  return {
    ...c,
    boxes: blindCounters(c.boxes),
    ...(kinds ? { kinds } : {}),
    votes: { ysk: {}, org: c.votes.org },
    registered: 0,
    voted: 0,
    valid: 0,
    invalid: 0,
  };
}

export function blindSummary(s: BoxSummary): BoxSummary {
  return {
    ...s,
    status: s.org ? 'org_only' : 'awaiting',
    altered: false,
    alteredBeforeSeen: false,
    stale: false,
    yskAgeMs: null,
    yskPublishedAt: null,
    ysk: null,
    differences: {},
    totalAbsDifference: 0,
    versions: 0,
    warnings: s.warnings.filter((w) => !w.startsWith('ysk:')),
  };
}

export function blindRegions(r: RegionCounters): RegionCounters {
  return Object.fromEntries(Object.entries(r).map(([k, c]) => [k, blindCounters(c)]));
}

/** Stale, altered and mismatch lists all come from YSK: empty under the embargo. */
export function blindHeads(_h: ListHeads): ListHeads {
  return { stale: [], altered: [], mismatches: [] };
}

export function blindSnapshot(s: RoomSnapshot): RoomSnapshot {
  return { ...s, coverage: blindCoverage(s.coverage), regions: blindRegions(s.regions), lists: blindHeads(s.lists) };
}

export function blindDelta(d: RoomDelta): RoomDelta {
  return {
    ...d,
    coverage: blindCoverage(d.coverage),
    regions: blindRegions(d.regions),
    lists: d.lists && blindHeads(d.lists),
    boxes: d.boxes.map(blindSummary),
  };
}
