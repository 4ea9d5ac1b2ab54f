import { Inject, Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { type BallotCode, type BoxSummary, type Principal, type StaleNotice } from '@gozcu/shared';
import { boxesOfScope, narrowRegion } from '../auth/scope';
import { ReconcileService } from '../reconcile/reconcile.service';
import { STORE, type EscalationsRepository } from '../store/store.port';
import type { StaleQuery } from './petitions.dto';

/** The stale boxes of a district chair (YSK published, no observer entry past the threshold), oldest first. */
@Injectable()
export class StaleNoticesService {
  constructor(
    @Inject(STORE) private readonly store: EscalationsRepository,
    private readonly reconcile: ReconcileService,
  ) {}

  async list(user: Principal, q: StaleQuery): Promise<StaleNotice[]> {
    const own = boxesOfScope(user.scope);
    const region = narrowRegion(user.scope, { province: q.province, district: q.district });
    let stale: BoxSummary[] = [];
    if (own) {
      stale = own.map((k) => this.reconcile.state.summary(k)).filter((s): s is BoxSummary => !!s?.stale && (q.ballot === undefined || s.ballot === q.ballot));
      stale.sort((a, b) => (b.yskAgeMs ?? 0) - (a.yskAgeMs ?? 0));
    } else {
      for (let cursor: string | null = null; ;) {
        const page = this.reconcile.state.list({
          province: region.province,
          district: region.district,
          ballot: q.ballot as BallotCode | undefined,
          flag: 'stale',
          sort: 'ysk_age',
          limit: 1000,
          cursor,
        });
        stale.push(...page.items);
        if (!page.nextCursor || stale.length >= 50_000) break;
        cursor = page.nextCursor;
      }
    }
    const escalations = new Map((await this.store.escalations({ province: region.province, district: region.district }, 100_000)).map((e) => [e.key, e.at]));
    return stale.map((s) => ({
      key: s.key,
      ballot: s.ballot,
      province: s.province,
      district: s.district,
      boxNo: s.boxNo,
      yskPublishedAt: s.yskPublishedAt,
      elapsedMinutes: s.yskAgeMs === null ? null : Math.floor(s.yskAgeMs / 60_000),
      escalatedAt: escalations.get(s.key) ?? null,
    }));
  }

  /** The printable list: Turkish headers, one line per box. */
  csv(items: StaleNotice[]): string {
    return stringify(
      items.map((n) => ({
        sandik_anahtari: n.key,
        secim_turu: n.ballot,
        il: n.province,
        ilce: n.district,
        sandik_no: n.boxNo,
        ysk_yayin_zamani: n.yskPublishedAt ?? '',
        gecen_dakika: n.elapsedMinutes ?? '',
        iletilme_zamani: n.escalatedAt ?? '',
      })),
      { header: true, bom: true },
    );
  }
}
