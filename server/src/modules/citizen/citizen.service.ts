import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { BALLOT_LABELS, boxKey, type CitizenBallotView, type CitizenBoxView } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { EmbargoService } from '../auth/embargo.service';
import { ReconcileService } from '../reconcile/reconcile.service';
import { STORE, type GeographyRepository, type VersionsRepository } from '../store/store.port';
import { Clock } from '../../infra/clock';

const MAX_CACHED = 20_000;

/**
 * The citizen's view of one box: YSK's figures per ballot type once the embargo allows, the
 * observers' where HQ policy publishes them, and when they last changed. Answers are cached for
 * CITIZEN_CACHE_SECONDS (public pages use cached REST, not sockets).
 */
@Injectable()
export class CitizenService {
  private readonly cache = new Map<string, { until: number; view: CitizenBoxView }>();
  private names: { provinces: Map<number, string>; districts: Map<number, string>; until: number } | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: GeographyRepository & VersionsRepository,
    private readonly reconcile: ReconcileService,
    private readonly embargo: EmbargoService,
    private readonly clock: Clock,
  ) {}

  /** seconds a box answer may be cached by clients and proxies */
  get cacheSeconds(): number {
    return this.config.CITIZEN_CACHE_SECONDS;
  }

  /** The box's view; 404 when no ballot type of it is known, unless `known` (the register names it). */
  async box(province: number, district: number, boxNo: number, known = false): Promise<CitizenBoxView> {
    const embargoed = this.embargo.active;
    const cacheKey = `${province}:${district}:${boxNo}:${embargoed ? 1 : 0}`;
    const now = this.clock.wall(); // a cache's lifetime: the wall clock
    const hit = this.cache.get(cacheKey);
    if (hit && hit.until > now) return hit.view;
    const view = await this.compute(province, district, boxNo, embargoed);
    if (!known && view.ballots.every((b) => b.ysk === null && b.org === null) && !this.anyKnown(province, district, boxNo)) {
      throw new NotFoundException(`no box ${boxNo} is known in district ${district} of province ${province}`);
    }
    if (this.config.CITIZEN_CACHE_SECONDS > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(cacheKey, { until: now + this.config.CITIZEN_CACHE_SECONDS * 1000, view });
    }
    return view;
  }

  private anyKnown(province: number, district: number, boxNo: number): boolean {
    return this.config.YSK_BALLOT_TYPES.some(
      (ballot) => this.reconcile.state.summary(boxKey({ election: this.config.YSK_ELECTION_ID, ballot, province, district, boxNo })) !== null,
    );
  }

  private async compute(province: number, district: number, boxNo: number, embargoed: boolean): Promise<CitizenBoxView> {
    const ballots: CitizenBallotView[] = [];
    for (const ballot of this.config.YSK_BALLOT_TYPES) {
      const key = boxKey({ election: this.config.YSK_ELECTION_ID, ballot, province, district, boxNo });
      const s = this.reconcile.state.summary(key);
      const showYsk = !embargoed && !!s?.ysk;
      const latest = showYsk ? await this.store.latestVersion(key) : null;
      const showOrg = this.config.CITIZEN_SHOW_ORG_FIGURES && !!s?.org;
      ballots.push({
        ballot,
        ballotName: BALLOT_LABELS[ballot],
        ysk: showYsk ? s!.ysk : null,
        yskChangedAt: latest ? latest.fetchedAt : null,
        org: showOrg ? s!.org : null,
        orgEnteredAt: showOrg ? s!.enteredAt : null,
        altered: showYsk ? s!.altered : null,
      });
    }
    const names = await this.regionNames();
    return {
      province,
      provinceName: names.provinces.get(province) ?? null,
      district,
      districtName: names.districts.get(district) ?? null,
      boxNo,
      ballots,
      embargo: { active: embargoed, until: this.embargo.state({ permissions: [] }).until },
      asOf: this.clock.iso(),
    };
  }

  private async regionNames() {
    if (this.names && this.names.until > this.clock.wall()) return this.names;
    const [provinces, districts] = await Promise.all([this.store.provinces(), this.store.districts()]);
    this.names = {
      provinces: new Map(provinces.map((p) => [p.plate, p.name])),
      districts: new Map(districts.map((d) => [d.yskId, d.name])),
      until: this.clock.wall() + 300_000,
    };
    return this.names;
  }
}
