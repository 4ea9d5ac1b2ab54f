import type { BoxInfo, District, Neighbourhood, Province } from '@gozcu/shared';
import type { GeographyRepository } from '../store.port';
import type { MongoContext } from './context';
import { boxUpsert } from './docs';
import type { BoxDoc } from './schema';

/** Provinces, districts, neighbourhoods and the registration of boxes. */
export class MongoGeography implements GeographyRepository {
  constructor(private readonly c: MongoContext) {}

  private get m() {
    return this.c.m;
  }

  async upsertProvinces(provinces: Province[]): Promise<void> {
    if (!provinces.length) return;
    await this.c.bulk(
      this.m.provinces,
      provinces.map((p) => ({ updateOne: { filter: { _id: p.plate }, update: { $set: { name: p.name } }, upsert: true } })),
    );
  }

  async upsertDistricts(districts: District[]): Promise<void> {
    if (!districts.length) return;
    await this.c.bulk(
      this.m.districts,
      districts.map((d) => ({ updateOne: { filter: { _id: d.yskId }, update: { $set: { province: d.province, name: d.name } }, upsert: true } })),
    );
  }

  async upsertNeighbourhoods(neighbourhoods: Neighbourhood[]): Promise<void> {
    if (!neighbourhoods.length) return;
    await this.c.bulk(
      this.m.neighbourhoods,
      neighbourhoods.map(({ yskId, ...rest }) => ({ updateOne: { filter: { _id: yskId }, update: { $set: rest }, upsert: true } })),
    );
  }

  async provinces(): Promise<Province[]> {
    const docs = await this.m.provinces.find().sort({ _id: 1 }).lean<{ _id: number; name: string }[]>();
    return docs.map((d) => ({ plate: d._id, name: d.name }));
  }

  async districts(province?: number): Promise<District[]> {
    const docs = await this.m.districts
      .find(province ? { province } : {})
      .sort({ province: 1, name: 1 })
      .lean<{ _id: number; province: number; name: string }[]>();
    return docs.map((d) => ({ yskId: d._id, province: d.province, name: d.name }));
  }

  async neighbourhoods(district: number): Promise<Neighbourhood[]> {
    const docs = await this.m.neighbourhoods.find({ district }).sort({ name: 1 }).lean<(Omit<Neighbourhood, 'yskId'> & { _id: number })[]>();
    return docs.map(({ _id, ...n }) => ({
      yskId: _id,
      district: n.district,
      province: n.province,
      name: n.name,
      minBox: n.minBox ?? null,
      maxBox: n.maxBox ?? null,
    }));
  }

  async upsertBoxes(boxes: BoxInfo[]): Promise<void> {
    if (boxes.length) await this.upsertBoxesChanged(boxes);
  }

  /** Upserts only the boxes that are new or whose YSK ids became known (a poll re-sends every box of a district). */
  async upsertBoxesChanged(boxes: BoxInfo[]): Promise<void> {
    const unique = [...new Map(boxes.map((b) => [b.key, b])).values()];
    const held = new Map<string, { yskBoxId: number | null; neighbourhood: number | null }>();
    for (let i = 0; i < unique.length; i += 1000) {
      const docs = await this.m.boxes.find({ _id: { $in: unique.slice(i, i + 1000).map((b) => b.key) } }, { yskBoxId: 1, neighbourhood: 1 }).lean<BoxDoc[]>();
      for (const d of docs) held.set(d._id, { yskBoxId: d.yskBoxId ?? null, neighbourhood: d.neighbourhood ?? null });
    }
    const needed = unique.filter((b) => {
      const h = held.get(b.key);
      return !h || (b.yskBoxId !== null && b.yskBoxId !== h.yskBoxId) || (b.neighbourhood !== null && b.neighbourhood !== h.neighbourhood);
    });
    if (needed.length) await this.c.bulk(this.m.boxes, needed.map(boxUpsert));
  }
}
