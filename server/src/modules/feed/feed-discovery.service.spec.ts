import { parseColumnMap, type BoxInfo, type Neighbourhood, type YskIlceRow, type YskMuhtarlikRow } from '@gozcu/shared';
import type { Clock } from '../../infra/clock';
import type { AppConfig } from '../../infra/config';
import { strictFake } from '../../infra/strict-fake';
import type { ReconcileService } from '../reconcile/reconcile.service';
import type { ReferenceService, YskDistrict } from '../reference/reference.service';
import type { ColumnMap, FeedRepository, GeographyRepository } from '../store/store.port';
import { FeedDiscovery } from './feed-discovery.service';
import type { FeedService } from './feed.service';
import type { YskClient, YskResponse } from './ysk.client';

const T = Date.parse('2024-03-31T19:00:00.000Z');
const ELECTION = '2024yerel';

function answer<Row>(rows: Row[]): YskResponse<Row> {
  return { notModified: false, rows, rejected: [], notes: [], fetchedAt: new Date(T).toISOString(), bytes: 10 };
}

function setup(provinces: number[] = []) {
  const calls = { ysk: [] as string[], learned: [] as YskDistrict[], hoods: [] as Neighbourhood[], boxes: [] as BoxInfo[], maps: [] as ColumnMap[] };
  const client = strictFake<YskClient>('YskClient', {
    getIlList: async () => {
      calls.ysk.push('getIlList');
      return answer([{ il_ID: 69 }, { il_ID: 6 }, { il_ID: 6 }, { il_ID: 99 }] as never[]);
    },
    getIlceList: async () => {
      calls.ysk.push('getIlceList');
      return answer([
        { il_ID: 69, ilce_ID: 681, ilce_ADI: 'DEMİRÖZÜ' },
        { il_ID: 69, ilce_ID: 682, ilce_ADI: 'AYDINTEPE' },
        { il_ID: 70, ilce_ID: 700, ilce_ADI: 'ELSEWHERE' },
      ] as YskIlceRow[]);
    },
    getMuhtarlikList: async () => {
      calls.ysk.push('getMuhtarlikList');
      return answer([
        { ilce_ID: 681, muhtarlik_ID: 1, muhtarlik_ADI: 'A MAH.', min_SANDIK_NO: 1001, max_SANDIK_NO: 1003 },
        { ilce_ID: 681, muhtarlik_ID: 2, muhtarlik_ADI: 'B MAH.', min_SANDIK_NO: 1004, max_SANDIK_NO: 1004 },
      ] as YskMuhtarlikRow[]);
    },
    getColumnMap: async () => {
      calls.ysk.push('getColumnMap');
      return parseColumnMap([{ sira_NO: 1, ad: 'CHP', column_NAME: 'parti21_ALDIGI_OY' }]);
    },
  });
  const feed = strictFake<FeedService>('FeedService', { ysk: (call) => call(client) });
  const store = strictFake<FeedRepository & GeographyRepository>('store', {
    upsertNeighbourhoods: async (list) => void calls.hoods.push(...list),
    putColumnMap: async (map) => {
      calls.maps.push(map);
      return true;
    },
  });
  const reference = strictFake<ReferenceService>('ReferenceService', {
    learnDistricts: async (_plate, rows) => {
      calls.learned.push(...rows);
      return [];
    },
  });
  const reconcile = strictFake<ReconcileService>('ReconcileService', { registerBoxes: async (boxes) => void calls.boxes.push(...boxes) });
  const config = strictFake<AppConfig>('AppConfig', { YSK_ELECTION_ID: ELECTION, YSK_PROVINCES: provinces });
  const clock = strictFake<Clock>('Clock', { wall: () => T });
  return { discovery: new FeedDiscovery(config, store, reconcile, reference, feed, clock), calls };
}

describe('FeedDiscovery (strict fakes: YSK client, repositories, a fixed clock)', () => {
  it('lists the provinces YSK lists (1–81, once each, in order), or only those of YSK_PROVINCES', async () => {
    expect(await setup().discovery.discoverProvinces(2)).toEqual([6, 69]);
    expect(await setup([69]).discovery.discoverProvinces(2)).toEqual([69]);
  });

  it("learns a province's districts once, linked to the catalog", async () => {
    const { discovery, calls } = setup();
    expect(discovery.knownDistricts(2, 69)).toBeUndefined();
    expect(await discovery.districtsOf(2, 69)).toEqual([681, 682]);
    expect(calls.learned).toEqual([
      { yskId: 681, name: 'DEMİRÖZÜ' },
      { yskId: 682, name: 'AYDINTEPE' },
    ]);
    expect(await discovery.districtsOf(2, 69)).toEqual([681, 682]);
    expect(calls.ysk).toEqual(['getIlceList']);
  });

  it("registers every box of a district's neighbourhoods once, before YSK publishes any", async () => {
    const { discovery, calls } = setup();
    expect(await discovery.registerDistrictBoxes({ ballot: 2, province: 69, district: 681 })).toBe(4);
    expect(calls.hoods.map((h) => [h.yskId, h.minBox, h.maxBox])).toEqual([
      [1, 1001, 1003],
      [2, 1004, 1004],
    ]);
    expect(calls.boxes.map((b) => [b.boxNo, b.neighbourhood, b.kind])).toEqual([
      [1001, 1, 'domestic'],
      [1002, 1, 'domestic'],
      [1003, 1, 'domestic'],
      [1004, 2, 'domestic'],
    ]);
    expect(discovery.isRegistered(2, 681)).toBe(true);
    expect(discovery.registerOf(681)).toEqual([1001, 1002, 1003, 1004]);
    expect(await discovery.registerDistrictBoxes({ ballot: 2, province: 69, district: 681 })).toBe(0);
    expect(calls.ysk).toEqual(['getMuhtarlikList']);
  });

  it("keeps a (ballot, province)'s column map, stored with the clock's time, until told to forget it", async () => {
    const { discovery, calls } = setup();
    await discovery.columnsOf(2, 69);
    await discovery.columnsOf(2, 69);
    expect(calls.maps).toEqual([expect.objectContaining({ election: ELECTION, ballot: 2, province: 69, fetchedAt: '2024-03-31T19:00:00.000Z' })]);
    discovery.forgetColumns(2, 69);
    await discovery.columnsOf(2, 69);
    expect(calls.ysk).toEqual(['getColumnMap', 'getColumnMap']);
  });
});
