import type { BoxSummary, ListHeads, RegionCounters, RoomDelta, RoomSnapshot } from '@gozcu/shared';

/**
 * Applies one delta to a room snapshot, returning a new snapshot (the input is untouched):
 * fresh coverage, changed regions merged, list heads replaced when sent.
 */
export function applyDelta(snap: RoomSnapshot, delta: RoomDelta): RoomSnapshot {
  const regions: RegionCounters = delta.regions && Object.keys(delta.regions).length ? { ...snap.regions, ...delta.regions } : snap.regions;
  const lists: ListHeads = delta.lists ?? patchLists(snap.lists, delta.boxes ?? []);
  return { ...snap, seq: delta.seq, coverage: delta.coverage ?? snap.coverage, regions, lists };
}

/** Applies a run of deltas (already judged contiguous) in order. */
export function applyDeltas(snap: RoomSnapshot, deltas: readonly RoomDelta[]): RoomSnapshot {
  let s = snap;
  for (const d of deltas) s = applyDelta(s, d);
  return s;
}

/** When the list heads were not resent, refresh the rows of boxes that changed in place. */
function patchLists(lists: ListHeads, boxes: readonly BoxSummary[]): ListHeads {
  if (!boxes.length || !lists) return lists;
  const byKey = new Map(boxes.map((b) => [b.key, b]));
  const patch = (rows: BoxSummary[] | undefined) => {
    if (!rows) return [];
    let changed = false;
    const out = rows.map((r) => {
      const n = byKey.get(r.key);
      if (n) changed = true;
      return n ?? r;
    });
    return changed ? out : rows;
  };
  const stale = patch(lists.stale);
  const altered = patch(lists.altered);
  const mismatches = patch(lists.mismatches);
  if (stale === lists.stale && altered === lists.altered && mismatches === lists.mismatches) return lists;
  return { stale, altered, mismatches };
}

/** Merges changed boxes into a loaded list by key (rows not loaded are left out). */
export function mergeBoxes(rows: readonly BoxSummary[], changed: readonly BoxSummary[]): BoxSummary[] {
  if (!changed.length) return rows as BoxSummary[];
  const byKey = new Map(changed.map((b) => [b.key, b]));
  let touched = false;
  const out = rows.map((r) => {
    const n = byKey.get(r.key);
    if (n) touched = true;
    return n ?? r;
  });
  return touched ? out : (rows as BoxSummary[]);
}

/** The time a snapshot's data is as of: the coverage's `asOf`, when it parses. */
export function asOfOf(snap: RoomSnapshot | null): string | null {
  const t = snap?.coverage?.asOf;
  return t && !Number.isNaN(Date.parse(t)) ? t : null;
}
