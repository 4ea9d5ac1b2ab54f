import type Database from 'better-sqlite3';
import type { BoxInfo, District, Neighbourhood, Province } from '@gozcu/shared';
import type { GeographyRepository } from '../store.port';
import type { SqliteContext } from './context';
import type { SqliteVersions } from './versions.repo';

function prepare(d: Database.Database) {
  return {
    bumpBoxesRev: d.prepare(`INSERT INTO store_meta (key, value) VALUES ('boxes_rev', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1`),
  };
}

/** Provinces, districts, neighbourhoods and the registration of boxes. */
export class SqliteGeography implements GeographyRepository {
  private readonly stmt: ReturnType<typeof prepare>;

  constructor(
    private readonly c: SqliteContext,
    private readonly versions: SqliteVersions,
  ) {
    this.stmt = prepare(c.db);
  }

  private get db() {
    return this.c.db;
  }

  async upsertProvinces(provinces: Province[]): Promise<void> {
    const s = this.db.prepare(`INSERT INTO provinces (plate, name) VALUES (?, ?) ON CONFLICT(plate) DO UPDATE SET name = excluded.name`);
    this.db.transaction(() => provinces.forEach((p) => s.run(p.plate, p.name)))();
  }

  async upsertDistricts(districts: District[]): Promise<void> {
    const s = this.db.prepare(
      `INSERT INTO districts (ysk_id, province, name) VALUES (?, ?, ?)
       ON CONFLICT(ysk_id) DO UPDATE SET province = excluded.province, name = excluded.name`,
    );
    this.db.transaction(() => districts.forEach((d) => s.run(d.yskId, d.province, d.name)))();
  }

  async upsertNeighbourhoods(neighbourhoods: Neighbourhood[]): Promise<void> {
    const s = this.db.prepare(
      `INSERT INTO neighbourhoods (ysk_id, district, province, name, min_box, max_box) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(ysk_id) DO UPDATE SET district = excluded.district, province = excluded.province,
         name = excluded.name, min_box = excluded.min_box, max_box = excluded.max_box`,
    );
    this.db.transaction(() => neighbourhoods.forEach((n) => s.run(n.yskId, n.district, n.province, n.name, n.minBox, n.maxBox)))();
  }

  async provinces(): Promise<Province[]> {
    return this.db.prepare<[], Province>(`SELECT plate, name FROM provinces ORDER BY plate`).all();
  }

  async districts(province?: number): Promise<District[]> {
    const sql = `SELECT ysk_id AS yskId, province, name FROM districts ${province ? 'WHERE province = ?' : ''} ORDER BY province, name`;
    return this.db.prepare<unknown[], District>(sql).all(...(province ? [province] : []));
  }

  async neighbourhoods(district: number): Promise<Neighbourhood[]> {
    return this.db
      .prepare<[number], Neighbourhood>(
        `SELECT ysk_id AS yskId, district, province, name, min_box AS minBox, max_box AS maxBox
         FROM neighbourhoods WHERE district = ? ORDER BY name`,
      )
      .all(district);
  }

  async upsertBoxes(boxes: BoxInfo[]): Promise<void> {
    this.versions.foldIfPending(boxes.map((b) => b.key));
    this.db.transaction(() => {
      // a box already held as it is changes nothing (a feed's discovery registers its boxes again at every start)
      let changed = 0;
      for (const b of boxes) changed += this.versions.upsertBox(b);
      if (changed) this.stmt.bumpBoxesRev.run();
    })();
  }
}
