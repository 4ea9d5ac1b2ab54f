import { Inject, Injectable } from '@nestjs/common';
import { changeReasonLabel, diffSheets, parseBoxKey, revisedBeforeSeen, type BoxSummary, type Entry, type FieldChange, type SheetVersion } from '@gozcu/shared';
import { STORE, type Store } from '../store/store.port';
import { ReconcileService } from './reconcile.service';

export interface VersionView extends SheetVersion {
  /** field-level changes from the previous version (empty for the first) */
  diff: FieldChange[];
  /**
   * recount/correction when YSK gave a reason, unexplained when it changed figures without one;
   * the first version is `first`, or `revised_before_seen` when YSK had already revised it
   */
  change: 'first' | 'revised_before_seen' | 'explained' | 'unexplained';
  /** the Turkish label of YSK's change code (null for 0/none) */
  reason: string | null;
}

/** Why a box with one version is altered: what its first version said of itself. */
export interface AlteredBeforeSeen {
  /** "Gözcü görmeden önce değiştirilmiş" */
  message: string;
  yskVersion: number | null;
  /** the election's first versiyon, as learned from the feed (null while unknown) */
  firstVersionOfElection: number | null;
  changeReason: number | null;
  reason: string | null;
}

export interface BoxDetail {
  summary: BoxSummary;
  versions: VersionView[];
  entries: Entry[];
  /** set when the box was first seen already revised ("changed before we first saw it") */
  alteredBeforeSeen: AlteredBeforeSeen | null;
}

export const ALTERED_BEFORE_SEEN_TR = 'Gözcü görmeden önce değiştirilmiş';

export function versionViews(versions: SheetVersion[], baseline: number | null = null): VersionView[] {
  return versions.map((v, i) => ({
    ...v,
    diff: i === 0 ? [] : diffSheets(versions[i - 1]!.sheet, v.sheet),
    change: i === 0 ? (revisedBeforeSeen(v, baseline) ? 'revised_before_seen' : 'first') : v.changeReason ? 'explained' : 'unexplained',
    reason: changeReasonLabel(v.changeReason),
  }));
}

@Injectable()
export class BoxDetailService {
  constructor(
    @Inject(STORE) private readonly store: Store,
    private readonly reconcile: ReconcileService,
  ) {}

  async detail(key: string): Promise<BoxDetail | null> {
    if (!parseBoxKey(key)) return null;
    const summary = this.reconcile.state.summary(key);
    if (!summary) return null;
    const [versions, entries] = await Promise.all([this.store.versions(key), this.store.entries(key)]);
    const baseline = this.reconcile.state.versionBaselineOf(summary.ballot);
    const first = versions[0];
    const alteredBeforeSeen: AlteredBeforeSeen | null =
      summary.alteredBeforeSeen && first
        ? { message: ALTERED_BEFORE_SEEN_TR, yskVersion: first.yskVersion, firstVersionOfElection: baseline, changeReason: first.changeReason, reason: changeReasonLabel(first.changeReason) }
        : null;
    return { summary, versions: versionViews(versions, baseline), entries, alteredBeforeSeen };
  }
}
