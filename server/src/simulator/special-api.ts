import { ABROAD_PROVINCE, type BallotCode, type YskEndpoint } from '@gozcu/shared';
import type { SimEngine } from './engine';
import { unitListRow, unitsOfCall } from './special';

const int = (s: string | undefined): number | undefined => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined);

/**
 * The YSK calls asked with the selectors of prison (`sandikTuru` 2), customs (1, `yurtIciDisi`
 * 2) and abroad boxes (3, `yurtIciDisi` 2): their units with box bounds (`getMuhtarlikList`),
 * the column map (the province's for prisons, the national abroad one otherwise), their box
 * rows and aggregates. A combination that selects nothing answers `[]`, as YSK does.
 */
export function specialBody(
  engine: SimEngine,
  endpoint: YskEndpoint,
  p: Record<string, string>,
  ballot: BallotCode,
  now: number,
  testData: boolean,
  lists: number,
): { rows: unknown[]; lastModified: number } {
  const world = engine.world;
  const units = unitsOfCall(engine.specialUnits, p).filter((u) => u.ballots.includes(ballot));
  const none = { rows: [], lastModified: lists };
  switch (endpoint) {
    case 'getIlList': {
      const plates = [...new Set(units.filter((u) => u.plate !== null).map((u) => u.plate!))].sort((a, b) => a - b);
      return {
        rows: plates.map((plate) => ({
          il_ID: plate,
          il_ADI: world.provinces.find((x) => x.plate === plate)?.name ?? null,
          secim_CEVRESI_ID: plate,
          secim_DETAY_ID: null,
          secilecek_ADAY_SAYISI: null,
          yerlesim_YERI_TURU: null,
          id: plate,
        })),
        lastModified: lists,
      };
    }
    case 'getIlceList':
      return {
        rows: units
          .filter((u) => u.ilceId !== null)
          .map((u) => ({
            ilce_ID: u.ilceId,
            ilce_ADI: world.district(u.ilceId!)?.name ?? null,
            il_ID: u.plate,
            il_ADI: null,
            belde_ID: null,
            birim_ID: u.ilceId,
            secim_CEVRESI_ID: u.plate,
            secim_DETAY_ID: null,
          })),
        lastModified: lists,
      };
    case 'getMuhtarlikList':
      return { rows: units.map(unitListRow), lastModified: lists };
    case 'getSandikSecimSonucBaslikList': {
      if (p['yurtIciDisi'] === '2') return { rows: world.columnMap(ballot, ABROAD_PROVINCE, true), lastModified: lists };
      const plate = int(p['ilId']);
      return plate === undefined ? none : { rows: world.columnMap(ballot, plate, p['bagimsiz'] !== '0'), lastModified: lists };
    }
    case 'getSecimSandikSonucList': {
      if (p['sorguTuru'] !== '') return none;
      const rows = engine.specialRows(units, ballot, now, testData);
      let lastModified = lists;
      for (const r of rows) {
        const t = typeof r['son_ISLEM_TARIHI'] === 'string' ? Date.parse((r['son_ISLEM_TARIHI'] as string).replace('+0000', 'Z')) : NaN;
        if (t > lastModified) lastModified = t;
      }
      return { rows, lastModified };
    }
    case 'getSecimSonucList': {
      let total = 0;
      let opened = 0;
      let registered = 0;
      const sums: Record<string, number> = { oy_KULLANAN_SECMEN_SAYISI: 0, gecerli_OY_TOPLAMI: 0, gecersiz_OY_TOPLAMI: 0 };
      for (const u of units) {
        for (let k = 0; k < u.sim.boxNos.length; k++) {
          total++;
          const seen = engine.visible(u.sim, k, ballot, now);
          const last = seen[seen.length - 1];
          if (!last) continue;
          opened++;
          registered += last.sheet.registered;
          sums['oy_KULLANAN_SECMEN_SAYISI']! += last.sheet.voted;
          sums['gecerli_OY_TOPLAMI']! += last.sheet.valid;
          sums['gecersiz_OY_TOPLAMI']! += last.sheet.invalid;
          for (const [c, n] of Object.entries(last.sheet.votes)) sums[c] = (sums[c] ?? 0) + n;
        }
      }
      if (total === 0) return none;
      return {
        rows: [
          {
            secim_ID: world.electionId,
            secim_TURU: ballot,
            il_ID: null,
            ilce_ID: null,
            sandik_NO: null,
            toplam_SANDIK_SAYISI: total,
            acilan_SANDIK_SAYISI: opened,
            acilan_SECMEN_SAYISI: registered,
            secmen_SAYISI: registered,
            ...sums,
          },
        ],
        lastModified: now,
      };
    }
  }
}
