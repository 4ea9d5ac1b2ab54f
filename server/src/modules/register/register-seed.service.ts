import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { STORE, type GeographyRepository } from '../store/store.port';
import { referenceYear } from './register-checks.service';
import { RegisterImportService } from './register-import.service';
import { REGISTER_STORE, type RegisterStore } from './register.port';
import { asRows, syntheticRegister, type PlantedAnomaly, type RegisterGeoDistrict, type SyntheticVoter } from './synthetic-register';

/** The demo's default size: boxes per district (the simulated provinces have up to ~12,000 boxes). */
export const DEMO_BOXES_PER_DISTRICT = 12;
export const DEMO_SEED = 18_2026;

export interface SeedReport {
  provinces: number[];
  voters: number;
  planted: PlantedAnomaly[];
  skipped: number[];
  /** a synthetic voter per province, to try the citizen check with */
  sample: SyntheticVoter[];
}

/**
 * With REGISTER_DEMO_SEED (npm start), loads a synthetic register of the simulated provinces in
 * the background once the feed's discovery has registered their boxes: two imports (the second
 * with newcomers and a planted influx), one planted anomaly of each kind in each province's
 * first district. Provinces that already hold a register are left alone (a restart).
 */
@Injectable()
export class RegisterSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('RegisterSeed');
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: GeographyRepository,
    @Inject(REGISTER_STORE) private readonly register: RegisterStore,
    private readonly importer: RegisterImportService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.REGISTER_DEMO_SEED) return;
    // in the background: the server starts without waiting for it
    void this.whenDiscovered()
      .then((geo) => (geo.length && !this.stopped ? this.seed(geo) : null))
      .then((r) => {
        if (!r) return;
        this.logger.log(
          `synthetic register loaded: ${r.voters} voters in provinces ${r.provinces.join(', ') || '—'}${r.skipped.length ? ` (kept the register of ${r.skipped.join(', ')})` : ''}, ${r.planted.length} planted anomalies`,
        );
        // synthetic numbers (no real person): something to try the citizen check at #/vatandas with
        if (r.sample.length)
          this.logger.log(
            `try the e-seçmen check with a synthetic TC Kimlik No: ${r.sample.map((v) => `${v.tc} (il ${v.province}, sandık ${v.box})`).join(', ')}`,
          );
      })
      .catch((e) => this.logger.warn(`synthetic register not loaded: ${(e as Error).message}`));
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  /** The simulated provinces' districts and box ranges, from the store, once discovery has settled. */
  async geography(): Promise<RegisterGeoDistrict[]> {
    const wanted = this.config.YSK_PROVINCES.length ? new Set(this.config.YSK_PROVINCES) : null;
    const out: RegisterGeoDistrict[] = [];
    for (const d of await this.store.districts()) {
      if (wanted && !wanted.has(d.province)) continue;
      const hoods = (await this.store.neighbourhoods(d.yskId)).filter((n) => n.minBox !== null && n.maxBox !== null && n.maxBox >= n.minBox);
      if (hoods.length)
        out.push({ province: d.province, district: d.yskId, neighbourhoods: hoods.map((n) => ({ name: n.name, minBox: n.minBox!, maxBox: n.maxBox! })) });
    }
    return out.sort((a, b) => a.province - b.province || a.district - b.district);
  }

  private async whenDiscovered(timeoutMs = 10 * 60_000): Promise<RegisterGeoDistrict[]> {
    const deadline = this.clock.wall() + timeoutMs;
    let last = -1;
    while (!this.stopped && this.clock.wall() < deadline) {
      const geo = await this.geography();
      const boxes = geo.reduce((n, d) => n + d.neighbourhoods.length, 0);
      if (boxes > 0 && boxes === last) return geo;
      last = boxes;
      await new Promise((r) => setTimeout(r, 3000).unref());
    }
    return [];
  }

  /** Generates and imports the synthetic register (both passes) of the districts given. */
  async seed(geo: RegisterGeoDistrict[], opts: { seed?: number; maxBoxesPerDistrict?: number } = {}): Promise<SeedReport> {
    const skipped: number[] = [];
    const provinces: number[] = [];
    for (const p of [...new Set(geo.map((d) => d.province))]) ((await this.register.voterCount(p)) ? skipped : provinces).push(p);
    const use = geo.filter((d) => provinces.includes(d.province));
    const plantIn = provinces
      .map((p) => use.find((d) => d.province === p && d.neighbourhoods.reduce((n, h) => n + h.maxBox - h.minBox + 1, 0) >= 7)?.district)
      .filter((d): d is number => d !== undefined);
    const reg = syntheticRegister(use, {
      seed: opts.seed ?? DEMO_SEED,
      year: referenceYear(this.config, new Date(this.clock.now())),
      plantIn,
      maxBoxesPerDistrict: opts.maxBoxesPerDistrict ?? DEMO_BOXES_PER_DISTRICT,
    });
    if (!use.length) return { provinces, voters: 0, planted: [], skipped, sample: [] };
    await this.importer.importRows(asRows(reg.rows(1)), null);
    const sample: SyntheticVoter[] = [];
    const second = await this.importer.importRows(
      asRows(
        (function* () {
          for (const v of reg.rows(2)) {
            if (!sample.some((s) => s.province === v.province)) sample.push(v);
            yield v;
          }
        })(),
      ),
      null,
    );
    return { provinces, voters: second.stored, planted: reg.planted, skipped, sample };
  }
}
