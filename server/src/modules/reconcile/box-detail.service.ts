import { Inject, Injectable } from '@nestjs/common';
import { diffSheets, parseBoxKey, type BoxSummary, type Entry, type FieldChange, type SheetVersion } from '@gozcu/shared';
import { STORE, type Store } from '../store/store.port';
import { ReconcileService } from './reconcile.service';

export interface VersionView extends SheetVersion {
  /** field-level changes from the previous version (empty for the first) */
  diff: FieldChange[];
  /** recount/correction when YSK gave a reason, unexplained when it changed figures without one */
  change: 'first' | 'explained' | 'unexplained';
}

export interface BoxDetail {
  summary: BoxSummary;
  versions: VersionView[];
  entries: Entry[];
}

export function versionViews(versions: SheetVersion[]): VersionView[] {
  return versions.map((v, i) => ({
    ...v,
    diff: i === 0 ? [] : diffSheets(versions[i - 1].sheet, v.sheet),
    change: i === 0 ? 'first' : v.changeReason ? 'explained' : 'unexplained',
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
    return { summary, versions: versionViews(versions), entries };
  }
}
