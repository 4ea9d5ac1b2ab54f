import { Inject, Injectable, Logger } from '@nestjs/common';
import { YURT_ICI, SANDIK_TURU, boxBounds, boxKey, type BallotCode, type BoxInfo, type Column, type YskMuhtarlikRow } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ReconcileService } from '../reconcile/reconcile.service';
import { ReferenceService } from '../reference/reference.service';
import { STORE, type FeedRepository, type GeographyRepository } from '../store/store.port';
import { FeedService } from './feed.service';

/** A district of a province, of one ballot type. */
export interface DistrictRef {
  ballot: BallotCode;
  province: number;
  district: number;
}

/**
 * What there is to poll: the provinces of each ballot type, the districts of a province (YSK's
 * own ids, linked to the catalog), the column map of a (ballot, province), and every box of a
 * district from its neighbourhoods' box-number bounds (registered before YSK publishes any, so
 * coverage counts them). Its maps are kept here; every call goes through FeedService's rate gate.
 */
@Injectable()
export class FeedDiscovery {
  private readonly logger = new Logger(FeedDiscovery.name);
  private readonly columns = new Map<string, Column[]>();
  private readonly districts = new Map<string, number[]>();
  private readonly registered = new Set<string>();
  private readonly neighbourhoods = new Map<number, YskMuhtarlikRow[]>();
  private readonly registers = new Map<number, number[]>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: FeedRepository & GeographyRepository,
    private readonly reconcile: ReconcileService,
    private readonly reference: ReferenceService,
    private readonly feed: FeedService,
    private readonly clock: Clock,
  ) {}

  private get election(): string {
    return this.config.YSK_ELECTION_ID;
  }

  /** Provinces to watch, per ballot type: YSK_PROVINCES, or every province YSK lists. */
  async discoverProvinces(ballot: BallotCode): Promise<number[]> {
    const res = await this.feed.ysk((c) =>
      c.getIlList({ secimId: this.election, secimTuru: ballot, sandikTuru: SANDIK_TURU.ordinary, yurtIciDisi: YURT_ICI }, { conditional: false }),
    );
    if (res.notModified) return [];
    const listed = [...new Set(res.rows.map((r) => r.il_ID))].filter((p) => p >= 1 && p <= 81);
    const wanted = this.config.YSK_PROVINCES;
    return wanted.length ? listed.filter((p) => wanted.includes(p)) : listed.sort((a, b) => a - b);
  }

  /** Districts of a province from `getIlceList` (YSK's own ids), linked to the catalog names and stored. */
  async discoverDistricts(ballot: BallotCode, province: number): Promise<number[]> {
    const res = await this.feed.ysk((c) =>
      c.getIlceList(
        { secimId: this.election, secimTuru: ballot, ilId: province, secimCevresiId: '', sandikTuru: SANDIK_TURU.ordinary, yurtIciDisi: YURT_ICI },
        { conditional: false },
      ),
    );
    if (res.notModified) return this.districts.get(`${ballot}:${province}`) ?? [];
    const rows = res.rows.filter((r) => r.il_ID === province);
    const unmatched = await this.reference.learnDistricts(
      province,
      rows.map((r) => ({ yskId: r.ilce_ID, name: r.ilce_ADI ?? `#${r.ilce_ID}` })),
    );
    if (unmatched.length) this.logger.warn(`YSK districts of ${province} not in the catalog: ${unmatched.map((u) => `${u.yskId} ${u.name}`).join(', ')}`);
    const ids = [...new Set(rows.map((r) => r.ilce_ID))];
    this.districts.set(`${ballot}:${province}`, ids);
    return ids;
  }

  /** The districts of (ballot, province) already discovered, or undefined. */
  knownDistricts(ballot: BallotCode, province: number): number[] | undefined {
    return this.districts.get(`${ballot}:${province}`);
  }

  /** The known districts of (ballot, province), discovered on first use. */
  async districtsOf(ballot: BallotCode, province: number): Promise<number[]> {
    return this.knownDistricts(ballot, province) ?? this.discoverDistricts(ballot, province);
  }

  /** The column map of (ballot, province), fetched fresh and stored. */
  async refreshColumns(ballot: BallotCode, province: number): Promise<Column[]> {
    const columns = await this.feed.ysk((c) =>
      c.getColumnMap({ secimId: this.election, secimCevresiId: '', ilId: province, bagimsiz: '', secimTuru: ballot, yurtIciDisi: YURT_ICI }),
    );
    this.columns.set(`${ballot}:${province}`, columns);
    const changed = await this.store.putColumnMap({ election: this.election, ballot, province, columns, fetchedAt: new Date(this.clock.wall()).toISOString() });
    if (changed) this.logger.log(`column map of ballot ${ballot}, province ${province}: ${columns.map((c) => c.name).join(', ')}`);
    return columns;
  }

  /** The cached column map of (ballot, province), fetched on first use. */
  async columnsOf(ballot: BallotCode, province: number): Promise<Column[]> {
    return this.columns.get(`${ballot}:${province}`) ?? this.refreshColumns(ballot, province);
  }

  /** Drops the cached column map of (ballot, province): the next use fetches it again. */
  forgetColumns(ballot: BallotCode, province: number): void {
    this.columns.delete(`${ballot}:${province}`);
  }

  /** Whether every box of (ballot, district) is registered. */
  isRegistered(ballot: BallotCode, district: number): boolean {
    return this.registered.has(`${ballot}:${district}`);
  }

  /** The box numbers registered for a district (any ballot type), or [] before registration. */
  registerOf(district: number): number[] {
    return this.registers.get(district) ?? [];
  }

  /**
   * Learns a district's neighbourhoods and their box-number bounds (`getMuhtarlikList`, once per
   * district) and registers every box, so coverage counts boxes YSK has not published yet.
   * Answers how many boxes it registered now (0: already registered).
   */
  async registerDistrictBoxes(job: DistrictRef): Promise<number> {
    const key = `${job.ballot}:${job.district}`;
    if (this.registered.has(key)) return 0;
    let rows = this.neighbourhoods.get(job.district);
    if (!rows) {
      const res = await this.feed.ysk((c) =>
        c.getMuhtarlikList(
          {
            secimId: this.election,
            secimTuru: job.ballot,
            ilceId: job.district,
            sandikTuru: SANDIK_TURU.ordinary,
            yurtIciDisi: YURT_ICI,
          },
          { conditional: false },
        ),
      );
      rows = res.notModified ? [] : res.rows.filter((r) => r.ilce_ID === job.district);
      this.neighbourhoods.set(job.district, rows);
      await this.store.upsertNeighbourhoods(
        rows.map((r) => ({
          yskId: r.muhtarlik_ID,
          district: job.district,
          province: job.province,
          name: r.muhtarlik_ADI ?? `#${r.muhtarlik_ID}`,
          minBox: r.min_SANDIK_NO,
          maxBox: r.max_SANDIK_NO,
        })),
      );
    }
    const boxes: BoxInfo[] = [];
    for (const r of rows) {
      const bounds = boxBounds(r.min_SANDIK_NO, r.max_SANDIK_NO);
      if (!bounds || bounds.max - bounds.min > 5000) continue;
      for (let boxNo = bounds.min; boxNo <= bounds.max; boxNo++) {
        const ref = { election: this.election, ballot: job.ballot, province: job.province, district: job.district, boxNo };
        boxes.push({ ...ref, key: boxKey(ref), yskBoxId: null, neighbourhood: r.muhtarlik_ID, kind: 'domestic' });
      }
    }
    await this.reconcile.registerBoxes(boxes);
    this.registered.add(key);
    this.registers.set(
      job.district,
      boxes.map((b) => b.boxNo),
    );
    return boxes.length;
  }
}
