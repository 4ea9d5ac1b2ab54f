import { isRevisionCode } from '../ysk/change-reasons';
import type { FirstSighting } from './types';

/**
 * The election's first `versiyon` of one ballot type (kept per ballot type: nothing says YSK
 * numbers the ballots of one election alike): the number YSK gives a box's first publication. Real captures
 * carry numbers like 2671 (YSK-API.md), not 1, 2, 3 per box, so it is learned from the feed:
 * the smallest versiyon boxes carry when we first see them, trusted only while it is the one at
 * least half of those first sightings share. (A feed whose versiyon were a running counter, one
 * value per box, never has such a shared value; the version signal then stays off and only the
 * change code counts.) Versiyon 0 is test data and is never counted.
 */
export class VersionBaseline {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private min = Infinity;

  /** Counts one box's first-sight versiyon; true when `value()` changed. */
  add(versiyon: number | null | undefined): boolean {
    if (typeof versiyon !== 'number' || !(versiyon > 0)) return false;
    const before = this.value();
    this.counts.set(versiyon, (this.counts.get(versiyon) ?? 0) + 1);
    this.total++;
    if (versiyon < this.min) this.min = versiyon;
    return this.value() !== before;
  }

  /** The first versiyon of the election, or null while the feed has not shown one. */
  value(): number | null {
    if (this.total === 0) return null;
    const atMin = this.counts.get(this.min) ?? 0;
    return atMin * 2 >= this.total ? this.min : null;
  }

  reset(): void {
    this.counts.clear();
    this.total = 0;
    this.min = Infinity;
  }
}

/**
 * A box first seen already revised ("changed before we saw it"): its first stored version
 * carries a non-zero change code, or a versiyon above the election's first.
 */
export function revisedBeforeSeen(first: FirstSighting | null | undefined, baseline: number | null | undefined): boolean {
  if (!first) return false;
  if (isRevisionCode(first.changeReason)) return true;
  return baseline !== null && baseline !== undefined && first.yskVersion !== null && first.yskVersion > baseline;
}
