import { Inject, Injectable } from '@nestjs/common';
import {
  changeReasonLabel,
  diffSheets,
  parseBoxKey,
  revisedBeforeSeen,
  type AlteredBeforeSeen,
  type BoxDetail,
  type SheetVersion,
  type VersionView,
} from '@gozcu/shared';
import { STORE, type EntriesRepository, type VersionsRepository } from '../store/store.port';
import { ReconcileService } from './reconcile.service';

export type { AlteredBeforeSeen, BoxDetail, VersionView } from '@gozcu/shared';

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
    @Inject(STORE) private readonly store: EntriesRepository & VersionsRepository,
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
        ? {
            message: ALTERED_BEFORE_SEEN_TR,
            yskVersion: first.yskVersion,
            firstVersionOfElection: baseline,
            changeReason: first.changeReason,
            reason: changeReasonLabel(first.changeReason),
          }
        : null;
    return { summary, versions: versionViews(versions, baseline), entries, alteredBeforeSeen };
  }
}
