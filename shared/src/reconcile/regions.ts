import type { Scope } from '../api/contracts';
import { BALLOT_CODES } from '../domain/ballot';

export const BALLOT_SLOTS = BALLOT_CODES.length;
export const ballotSlotOf = new Map<number, number>(BALLOT_CODES.map((code, slot) => [code, slot]));
/** ballot slot by ballot code (`ballotSlotOf` as an array, for the hot paths) */
const BALLOT_SLOT_OF_CODE: number[] = [];
for (let code = 0; code <= Math.max(...BALLOT_CODES); code++) BALLOT_SLOT_OF_CODE.push(ballotSlotOf.get(code) ?? -1);

/** The ballot slot of a ballot code, −1 when it is none. */
export function slotOfBallot(code: number): number {
  const slot = typeof code === 'number' ? BALLOT_SLOT_OF_CODE[code] : undefined;
  return slot === undefined ? -1 : slot;
}

export interface Region {
  slot: number;
  level: Scope['level'];
  province: number;
  district: number;
  parent: number;
  children: number[];
  /** per ballot slot, the first box-result of the district's member chain (`BoxColumns.nextMember`), −1 when none */
  firstMember: Int32Array;
}

/**
 * The country, its provinces and their districts as region slots (the country is slot 0): what
 * the columns point a box-result at, and what the aggregates are kept per (with the ballot slot).
 */
export class Regions {
  readonly regionList: Region[] = [];
  readonly regionIndex = new Map<string, number>();
  readonly districtSlots = new Map<number | string, number>();
  /** the district `findDistrict` found last (NaN: none) */
  private lastProvince = NaN;
  private lastDistrict = NaN;
  private lastDistrictSlot = -1;

  constructor() {
    this.region('country', 0, 0, -1);
  }

  get size(): number {
    return this.regionList.length;
  }

  at(slot: number): Region {
    return this.regionList[slot]!;
  }

  /** The slot of the region, made (under `parent`) when new. */
  private region(level: Scope['level'], province: number, district: number, parent: number): number {
    const id = `${level}:${province}:${district}`;
    let slot = this.regionIndex.get(id);
    if (slot === undefined) {
      slot = this.regionList.length;
      const firstMember = new Int32Array(level === 'district' ? BALLOT_SLOTS : 0).fill(-1);
      this.regionList.push({ slot, level, province, district, parent, children: [], firstMember });
      this.regionIndex.set(id, slot);
      if (parent >= 0) this.regionList[parent]!.children.push(slot);
    }
    return slot;
  }

  /** The slot of a known district, else −1; the last one found is remembered (a rebuild reads in key order). */
  findDistrict(province: number, district: number): number {
    if (province === this.lastProvince && district === this.lastDistrict) return this.lastDistrictSlot;
    const slot = this.districtSlots.get(districtId(province, district));
    if (slot === undefined) return -1;
    this.lastProvince = province;
    this.lastDistrict = district;
    return (this.lastDistrictSlot = slot);
  }

  /** The slot of a district, made (with its province) when new. */
  districtSlot(province: number, district: number): number {
    const id = districtId(province, district);
    let slot = this.districtSlots.get(id);
    if (slot === undefined) {
      const parent = this.region('province', province, 0, 0);
      slot = this.region('district', province, district, parent);
      this.districtSlots.set(id, slot);
    }
    return slot;
  }

  scopeRegion(scope: Scope): Region | undefined {
    const id =
      scope.level === 'country' ? 'country:0:0' : scope.level === 'province' ? `province:${scope.province}:0` : `district:${scope.province}:${scope.district}`;
    const slot = this.regionIndex.get(id);
    return slot === undefined ? undefined : this.regionList[slot];
  }

  /** The districts, of one province or one district when asked. */
  districtsOf(query: { province?: number; district?: number }): Region[] {
    return this.regionList.filter(
      (r) =>
        r.level === 'district' &&
        (query.province === undefined || r.province === query.province) &&
        (query.district === undefined || r.district === query.district),
    );
  }
}

function districtId(province: number, district: number): number | string {
  return district < 1_000_000 ? province * 1_000_000 + district : `${province}:${district}`;
}
