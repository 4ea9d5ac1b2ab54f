import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { RegisterAnomalyKind, RegisterEvidence } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { REGISTER_STORE, type RegisterAnomalyRecord, type RegisterStore } from './register.port';

/** The candidate anomaly before it is stored: what the rules found. */
export interface FoundAnomaly {
  id: string;
  kind: RegisterAnomalyKind;
  province: number;
  district: number;
  box?: number;
  evidence: RegisterEvidence;
}

const idOf = (...parts: (string | number)[]) => createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The reference year of ages: the display period's year, or this year. */
export function referenceYear(config: Pick<AppConfig, 'REGISTER_DISPLAY_UNTIL'>, now: Date): number {
  return config.REGISTER_DISPLAY_UNTIL ? new Date(config.REGISTER_DISPLAY_UNTIL).getUTCFullYear() : now.getUTCFullYear();
}

/**
 * The register's checks, per province, each a store aggregation (bounded memory) then a rule
 * with its threshold from config. An anomaly's id is a function of its rule and subject, so a
 * re-run refreshes the evidence and keeps the status.
 */
@Injectable()
export class RegisterChecksService {
  private readonly logger = new Logger('RegisterChecks');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGISTER_STORE) private readonly register: RegisterStore,
    private readonly clock: Clock,
  ) {}

  /** Runs every rule over the provinces (after import `importId`), stores what they find; answers how many. */
  async detect(provinces: number[], importId: number): Promise<number> {
    let n = 0;
    const at = this.clock.iso();
    for (const province of provinces) {
      const found = await this.find(province, importId);
      await this.register.upsertAnomalies(found.map((a): RegisterAnomalyRecord => ({ ...a, status: 'open', detectedAt: at, updatedAt: at, petitionId: null })));
      n += found.length;
    }
    return n;
  }

  /** What the rules find in a province, without storing it. */
  async find(province: number, importId: number): Promise<FoundAnomaly[]> {
    const c = this.config;
    const out: FoundAnomaly[] = [];
    const started = this.clock.wall();

    // boxes: far above the district's usual size; a sudden influx since the previous import
    const stats = await this.register.boxStats(province, importId);
    const byDistrict = new Map<number, typeof stats>();
    for (const s of stats) byDistrict.set(s.district, [...(byDistrict.get(s.district) ?? []), s]);
    for (const [district, boxes] of byDistrict) {
      const usual = median(boxes.map((b) => b.voters));
      for (const b of boxes) {
        if (boxes.length >= 3 && b.voters > c.REGISTER_BOX_SIZE_FACTOR * usual) {
          out.push({
            id: idOf('box_oversized', province, district, b.boxNo),
            kind: 'box_oversized',
            province,
            district,
            box: b.boxNo,
            evidence: {
              rule: `Sandıktaki seçmen sayısı, ilçenin ortanca sandığının ${c.REGISTER_BOX_SIZE_FACTOR} katından fazla`,
              threshold: { name: 'REGISTER_BOX_SIZE_FACTOR', value: c.REGISTER_BOX_SIZE_FACTOR },
              observed: b.voters,
              boxes: [{ district, box: b.boxNo }],
              details: { medianBox: usual, boxesInDistrict: boxes.length },
            },
          });
        }
        const before = b.voters - b.fresh;
        if (before > 0 && b.fresh >= c.REGISTER_INFLUX_MIN && b.fresh > c.REGISTER_INFLUX_RATIO * before) {
          out.push({
            id: idOf('influx', province, district, b.boxNo, importId),
            kind: 'influx',
            province,
            district,
            box: b.boxNo,
            evidence: {
              rule: `Önceki yüklemeden bu yana en az ${c.REGISTER_INFLUX_MIN} yeni seçmen ve önceki sayının %${Math.round(c.REGISTER_INFLUX_RATIO * 100)}'inden fazla artış`,
              threshold: { name: 'REGISTER_INFLUX_MIN', value: c.REGISTER_INFLUX_MIN },
              observed: b.fresh,
              boxes: [{ district, box: b.boxNo }],
              details: { votersBefore: before, votersNow: b.voters, import: importId, ratio: Math.round((b.fresh / before) * 1000) / 1000 },
            },
          });
        }
      }
    }

    // an address with implausibly many voters
    for (const a of await this.register.crowdedAddresses(province, c.REGISTER_ADDRESS_MAX_VOTERS)) {
      const address = await this.register.address(a.addressKey);
      out.push({
        id: idOf('address_crowded', province, a.district, a.addressKey),
        kind: 'address_crowded',
        province,
        district: a.district,
        box: a.boxes[0],
        evidence: {
          rule: `Bir adreste ${c.REGISTER_ADDRESS_MAX_VOTERS} kişiden fazla seçmen kayıtlı`,
          threshold: { name: 'REGISTER_ADDRESS_MAX_VOTERS', value: c.REGISTER_ADDRESS_MAX_VOTERS },
          observed: a.voters,
          boxes: a.boxes.map((box) => ({ district: a.district, box })),
          details: { address: address?.text ?? '(adres metni yok)', addressKey: a.addressKey },
        },
      });
    }

    // implausible ages: younger than 18 or older than REGISTER_MAX_AGE in the reference year
    const year = referenceYear(c, new Date(this.clock.now()));
    const oldest = year - c.REGISTER_MAX_AGE;
    const youngest = year - 18;
    for (const g of await this.register.implausibleAges(province, oldest, youngest)) {
      out.push({
        id: idOf('implausible_age', province, g.district, g.boxNo),
        kind: 'implausible_age',
        province,
        district: g.district,
        box: g.boxNo,
        evidence: {
          rule: `${year} yılında 18 yaşından küçük ya da ${c.REGISTER_MAX_AGE} yaşından büyük seçmen`,
          threshold: { name: 'REGISTER_MAX_AGE', value: c.REGISTER_MAX_AGE },
          observed: g.birthYears.length,
          boxes: [{ district: g.district, box: g.boxNo }],
          details: { birthYears: g.birthYears, ages: g.birthYears.map((y) => year - y) },
        },
      });
    }

    // the same person twice: equal normalised name and birth year (one anomaly per district
    // concerned), unless the name is so common in the province that distinct people share a
    // birth year by chance: expected coincidences = pairs of the name's holders × the chance that
    // two voters of the province were born in the same year
    const years = await this.register.birthYearCounts(province);
    const voters = years.reduce((s, y) => s + y.n, 0);
    const sameYear = voters ? years.reduce((s, y) => s + (y.n / voters) ** 2, 0) : 0;
    // the most holders a name can have and still be reported: m (m − 1) / 2 × sameYear < the threshold
    let maxHolders = 2;
    while (sameYear > 0 && (((maxHolders + 1) * maxHolders) / 2) * sameYear < c.REGISTER_DUPLICATE_MAX_EXPECTED && maxHolders < 1e6) maxHolders++;
    const dups = sameYear > 0 ? await this.register.duplicates(province, maxHolders) : [];
    for (const d of dups) {
      const expected = ((d.holders * (d.holders - 1)) / 2) * sameYear;
      if (expected >= c.REGISTER_DUPLICATE_MAX_EXPECTED) continue;
      const districts = [...new Set(d.registrations.map((r) => r.district))];
      for (const district of districts) {
        const here = d.registrations.filter((r) => r.district === district);
        out.push({
          id: idOf('duplicate_person', province, district, d.nameKey, d.birthYear),
          kind: 'duplicate_person',
          province,
          district,
          box: here[0].boxNo,
          evidence: {
            rule: `Aynı ad soyad ve doğum yılıyla birden çok kayıt (farklı TC Kimlik No); ad ilde, tesadüfen aynı yılda doğmuş ${c.REGISTER_DUPLICATE_MAX_EXPECTED} çiftten az beklenecek kadar seyrek`,
            threshold: { name: 'REGISTER_DUPLICATE_MAX_EXPECTED', value: c.REGISTER_DUPLICATE_MAX_EXPECTED },
            observed: d.registrations.length,
            boxes: d.registrations.map((r) => ({ district: r.district, box: r.boxNo })),
            details: { birthYear: d.birthYear, nameKey: d.nameKey, holdersOfName: d.holders, expectedByChance: Math.round(expected * 10000) / 10000 },
          },
        });
      }
    }
    this.logger.debug(`province ${province}: ${out.length} anomalies in ${this.clock.wall() - started} ms`);
    return out;
  }
}
