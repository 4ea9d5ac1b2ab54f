import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { canonicalSheet, parseBoxKey, type BoxSummary, type MyBox, type MyBoxesResponse, type Principal } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { EmbargoService } from '../auth/embargo.service';
import { boxesOfScope, narrowRegion } from '../auth/scope';
import { ReconcileService } from '../reconcile/reconcile.service';
import {
  STORE,
  type AttachmentsRepository,
  type EntriesRepository,
  type FeedRepository,
  type GeographyRepository,
  type VersionsRepository,
} from '../store/store.port';

/** How many boxes a region-scoped caller (a data officer) gets in one answer. */
const REGION_LIMIT = 500;

/**
 * "Sandıklarım": the boxes an observer enters, each with its state, the ballot's columns in
 * ballot order, the caller's own latest entry and how it stands (received / matches YSK /
 * differs, how many observers agree with it).
 */
@Injectable()
export class MyBoxesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: AttachmentsRepository & EntriesRepository & FeedRepository & GeographyRepository & VersionsRepository,
    private readonly reconcile: ReconcileService,
    private readonly embargo: EmbargoService,
  ) {}

  async list(user: Principal, q: { province?: number; district?: number; ballot?: number }): Promise<MyBoxesResponse> {
    const own = boxesOfScope(user.scope);
    let summaries: BoxSummary[];
    if (own) {
      summaries = own
        .sort()
        .map((key) => this.reconcile.state.summary(key) ?? this.unknown(key))
        .filter((s): s is BoxSummary => s !== null);
    } else {
      // a region-scoped role with entries:write (a data officer): the boxes of one district
      const region = narrowRegion(user.scope, q);
      if (region.district === undefined)
        throw new BadRequestException('name a district (?district=<YSK district id>): your scope holds more boxes than one list shows');
      summaries = this.reconcile.boxes({ province: region.province, district: region.district, limit: REGION_LIMIT }).items;
    }
    if (q.ballot !== undefined) summaries = summaries.filter((s) => s.ballot === q.ballot);
    if (q.province !== undefined) summaries = summaries.filter((s) => s.province === q.province);
    if (q.district !== undefined) summaries = summaries.filter((s) => s.district === q.district);

    const names = await this.names(summaries);
    const yskVisible = this.embargo.yskVisible(user);
    const items: MyBox[] = [];
    for (const s of summaries) {
      const [entries, map, photos] = await Promise.all([
        this.store.entries(s.key),
        this.store.columnMap(s.election, s.ballot, s.province),
        this.store.attachments({ owner: 'sheet', key: s.key }),
      ]);
      // the caller's latest entry (later createdAt wins; on a tie the later stored)
      const latest = new Map<string, (typeof entries)[number]>();
      for (const e of entries) {
        if (e.source === 'confirmation') continue;
        const held = latest.get(e.observer);
        if (!held || Date.parse(e.createdAt) >= Date.parse(held.createdAt)) latest.set(e.observer, e);
      }
      const mine = latest.get(user.username);
      const content = mine ? canonicalSheet(mine.sheet) : null;
      const agreeing = content ? [...latest.values()].filter((e) => canonicalSheet(e.sheet) === content).length : 0;
      const summary = this.embargo.summary(user, s);
      const ysk = yskVisible ? s.ysk : null;
      const verdict = !mine ? null : !ysk ? 'received' : canonicalSheet(ysk) === content ? 'match' : 'differs';
      const info = names.boxes.get(s.key);
      items.push({
        key: s.key,
        election: s.election,
        ballot: s.ballot,
        province: s.province,
        district: s.district,
        boxNo: s.boxNo,
        provinceName: names.provinces.get(s.province) ?? null,
        districtName: names.districts.get(s.district) ?? null,
        neighbourhoodName: info ?? null,
        summary,
        columns: map ? [...map.columns].sort((a, b) => a.position - b.position).map((c) => c.name) : [],
        mine: mine
          ? {
              entryId: mine.id,
              createdAt: mine.createdAt,
              sheet: mine.sheet,
              hash: mine.hash,
              warnings: mine.warnings,
              photos: photos.filter((p) => p.ownerId === mine!.id).length,
            }
          : null,
        agreeing,
        verdict,
      });
    }
    return { confirmations: this.config.ENTRY_CONFIRMATIONS, yskVisible, items };
  }

  /** A box in the caller's scope that nobody has seen yet (no YSK figure, no entry, not registered): shown empty. */
  private unknown(key: string): BoxSummary | null {
    const ref = parseBoxKey(key);
    if (!ref || ref.election !== this.config.YSK_ELECTION_ID) return null;
    return {
      key,
      ...ref,
      status: 'awaiting',
      altered: false,
      conflicting: false,
      unconfirmed: false,
      stale: false,
      yskAgeMs: null,
      yskPublishedAt: null,
      enteredAt: null,
      ysk: null,
      org: null,
      differences: {},
      totalAbsDifference: 0,
      versions: 0,
      warnings: [],
    };
  }

  private async names(summaries: BoxSummary[]) {
    const provinces = new Map((await this.store.provinces()).map((p) => [p.plate, p.name]));
    const districts = new Map<number, string>();
    const boxes = new Map<string, string>();
    for (const plate of new Set(summaries.map((s) => s.province))) for (const d of await this.store.districts(plate)) districts.set(d.yskId, d.name);
    for (const district of new Set(summaries.map((s) => s.district))) {
      const hoods = await this.store.neighbourhoods(district);
      if (!hoods.length) continue;
      for (const s of summaries) {
        if (s.district !== district) continue;
        const box = await this.store.box(s.key);
        const hood =
          box?.box.neighbourhood != null
            ? hoods.find((h) => h.yskId === box.box.neighbourhood)
            : hoods.find((h) => h.minBox != null && h.maxBox != null && s.boxNo >= h.minBox && s.boxNo <= h.maxBox);
        if (hood) boxes.set(s.key, hood.name);
      }
    }
    return { provinces, districts, boxes };
  }
}
