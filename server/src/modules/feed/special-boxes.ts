import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ABROAD_PROVINCE,
  ABROAD_PROVINCE_NAME,
  boxBounds,
  boxKey,
  boxKindOf,
  normaliseResultRows,
  normaliseRumuz,
  placement,
  SANDIK_TURU_OF,
  SPECIAL_KIND_BALLOTS,
  unmappedVoteColumns,
  YURT_ICI_DISI_OF,
  type BallotCode,
  type BoxInfo,
  type BoxKind,
  type BoxRef,
  type Column,
  type District,
  type Neighbourhood,
  type RejectedResultRow,
  type YskMuhtarlikRow,
  type YskObservation,
  type YskResultRow,
} from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ReconcileService } from '../reconcile/reconcile.service';
import { STORE, type Store } from '../store/store.port';
import { FeedDiscovery } from './feed-discovery.service';
import { FeedPoller, type PollResult } from './feed-poller.service';
import { FeedService } from './feed.service';
import { YskFetchError } from './ysk.errors';

export type SpecialKind = Exclude<BoxKind, 'domestic'>;

/** One poll of the boxes of one kind (prison, customs, abroad) of one ballot type, nationwide. */
export interface SpecialJob {
  ballot: BallotCode;
  kind: SpecialKind;
}

/** The column map of customs and abroad boxes is the national one (`yurtIciDisi` 2, no `ilId`). */
const ABROAD_MAP = 'abroad';
/** Re-fetch a column map every this many polls (a cached map has been seen to miss a party). */
const MAP_EVERY = 10;

/**
 * Prison, customs and abroad boxes: registered from `getMuhtarlikList` asked with the kind's
 * `sandikTuru`/`yurtIciDisi` (the units with their box-number bounds and `sandik_RUMUZ`), then
 * polled with one nationwide `getSecimSandikSonucList` per kind and ballot type, ingested through
 * the same path as domestic boxes. Only general elections have them (SPECIAL_KIND_BALLOTS).
 *
 * How the real server lists these units is not documented (YSK-API.md gives the selectors, not
 * the lists); a call answered `[]` registers and polls nothing and costs one request per poll.
 */
@Injectable()
export class SpecialBoxesService {
  private readonly logger = new Logger(SpecialBoxesService.name);
  private readonly registered = new Set<string>();
  private readonly columns = new Map<string, Column[]>();
  private readonly polls = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: Store,
    private readonly reconcile: ReconcileService,
    private readonly feed: FeedService,
    private readonly discovery: FeedDiscovery,
    private readonly poller: FeedPoller,
  ) {}

  /** The polls to schedule: each configured kind for each watched ballot type that has such boxes. */
  jobs(): SpecialJob[] {
    if (!this.feed.client) return [];
    const ballots = this.config.YSK_BALLOT_TYPES.filter((b) => SPECIAL_KIND_BALLOTS.includes(b));
    return ballots.flatMap((ballot) => this.config.YSK_BOX_KINDS.map((kind) => ({ ballot, kind })));
  }

  private get election(): string {
    return this.config.YSK_ELECTION_ID;
  }

  private selectors(kind: SpecialKind) {
    return { sandikTuru: SANDIK_TURU_OF[kind], yurtIciDisi: YURT_ICI_DISI_OF[kind] };
  }

  /** YSK_PROVINCES (empty = all); abroad counts as province 99. */
  private watched(province: number): boolean {
    const wanted = this.config.YSK_PROVINCES;
    return wanted.length === 0 || wanted.includes(province);
  }

  /** Registers every box of the kind's units once (so coverage counts them before YSK publishes). */
  async register(job: SpecialJob): Promise<number> {
    const key = `${job.ballot}:${job.kind}`;
    if (this.registered.has(key)) return 0;
    const res = await this.feed.ysk((c) =>
      c.getMuhtarlikList(
        { secimId: this.election, secimTuru: job.ballot, ilceId: '', beldeId: '', birimId: '', secimCevresiId: '', ...this.selectors(job.kind) },
        { conditional: false },
      ),
    );
    const rows = res.notModified ? [] : res.rows;
    const boxes: BoxInfo[] = [];
    const districts = new Map<number, District>();
    const hoods: Neighbourhood[] = [];
    for (const r of rows) {
      const kind = boxKindOf(r, job.kind);
      const place = kind === job.kind ? placement(r, kind) : null;
      const bounds = boxBounds(r.min_SANDIK_NO, r.max_SANDIK_NO);
      const rumuz = normaliseRumuz(r.sandik_RUMUZ);
      if (!place || !bounds || bounds.max - bounds.min > 5000 || rumuz === undefined) {
        this.logger.warn(
          `${job.kind} unit ${r.muhtarlik_ID} (${r.muhtarlik_ADI}) cannot be registered: ${JSON.stringify({ place, bounds, rumuz: r.sandik_RUMUZ })}`,
        );
        continue;
      }
      if (!this.watched(place.province)) continue;
      if (kind !== 'prison') districts.set(place.district, { yskId: place.district, province: place.province, name: unitName(r, job.kind) });
      hoods.push({
        yskId: r.muhtarlik_ID,
        district: place.district,
        province: place.province,
        name: r.muhtarlik_ADI ?? unitName(r, job.kind),
        minBox: bounds.min,
        maxBox: bounds.max,
      });
      for (let boxNo = bounds.min; boxNo <= bounds.max; boxNo++) {
        const ref: BoxRef = { election: this.election, ballot: job.ballot, province: place.province, district: place.district, boxNo };
        if (rumuz) ref.rumuz = rumuz;
        boxes.push({ ...ref, key: boxKey(ref), yskBoxId: null, neighbourhood: r.muhtarlik_ID, kind });
      }
    }
    if (job.kind === 'abroad' && boxes.length) await this.store.upsertProvinces([{ plate: ABROAD_PROVINCE, name: titleTr(ABROAD_PROVINCE_NAME) }]);
    if (districts.size) await this.store.upsertDistricts([...districts.values()]);
    if (hoods.length) await this.store.upsertNeighbourhoods(hoods);
    await this.reconcile.registerBoxes(boxes);
    this.registered.add(key);
    if (boxes.length) this.logger.log(`${job.kind} boxes of ballot ${job.ballot}: ${boxes.length} registered in ${hoods.length} units`);
    return boxes.length;
  }

  /** The column map a row of this kind is read with: its province's (prison), the national abroad one (customs, abroad). */
  private async columnsFor(job: SpecialJob, province: number | null, refresh: boolean): Promise<Column[]> {
    if (job.kind === 'prison') {
      if (province === null) return [];
      return refresh ? this.discovery.refreshColumns(job.ballot, province) : this.discovery.columnsOf(job.ballot, province);
    }
    const key = `${job.ballot}:${ABROAD_MAP}`;
    const cached = this.columns.get(key);
    if (cached && !refresh) return cached;
    const columns = await this.feed.ysk((c) =>
      c.getColumnMap({ secimId: this.election, secimCevresiId: '', ilId: '', bagimsiz: '', secimTuru: job.ballot, yurtIciDisi: YURT_ICI_DISI_OF[job.kind] }),
    );
    this.columns.set(key, columns);
    await this.store.putColumnMap({ election: this.election, ballot: job.ballot, province: ABROAD_PROVINCE, columns, fetchedAt: new Date().toISOString() });
    return columns;
  }

  /** One poll of a kind's boxes nationwide; what changed is ingested like any box. */
  async poll(job: SpecialJob): Promise<PollResult> {
    await this.register(job);
    const pollKey = `${job.ballot}:${job.kind}`;
    const n = (this.polls.get(pollKey) ?? 0) + 1;
    this.polls.set(pollKey, n);
    // the parameters left out are sent empty, in YSK's order (buildQuery)
    const params = {
      secimId: this.election,
      secimTuru: job.ballot,
      ...this.selectors(job.kind),
    };
    let requests = 1;
    const res = await this.feed.ysk((c) => c.getSecimSandikSonucList(params));
    if (res.notModified) return { requests, observations: 0, stored: 0, revised: 0, unchanged: true, settled: true, again: false, reason: 'not modified' };
    // rows grouped by the column map they are read with
    const groups = new Map<number | null, YskResultRow[]>();
    for (const row of res.rows) {
      const province = job.kind === 'prison' ? (row.il_ID ?? null) : ABROAD_PROVINCE;
      const list = groups.get(province) ?? [];
      list.push(row);
      groups.set(province, list);
    }
    const observations: YskObservation[] = [];
    const rejected: RejectedResultRow[] = [];
    const notes: string[] = [];
    for (const [province, rows] of groups) {
      let columns = await this.columnsFor(job, job.kind === 'prison' ? province : null, n % MAP_EVERY === 1 && n > 1);
      if (rows.some((row) => unmappedVoteColumns(row, columns).length > 0)) {
        columns = await this.columnsFor(job, job.kind === 'prison' ? province : null, true);
        requests++;
      }
      const out = normaliseResultRows(rows, columns, { election: this.election, ballot: job.ballot, fetchedAt: res.fetchedAt, kind: job.kind });
      observations.push(...out.observations);
      rejected.push(...out.rejected);
      notes.push(...out.notes);
    }
    const scope = `${job.kind} boxes of ballot ${job.ballot}`;
    if (observations.length === 0 && rejected.length > 0) {
      this.feed.client!.forget('getSecimSandikSonucList', params);
      const issues = [...new Set(rejected.map((r) => r.message))].slice(0, 20);
      throw new YskFetchError('schema', 'getSecimSandikSonucList', `${scope}: no box row can be read: ${issues[0]}`, {
        url: '',
        status: 200,
        retryAfterMs: null,
        body: JSON.stringify(res.rows).slice(0, 64 * 1024),
        latencyMs: 0,
        issues,
      });
    }
    await this.feed.rowProblems.boxRows(scope, rejected, notes);
    const watched = observations.filter((o) => this.watched(o.ref.province));
    const result = await this.poller.ingest(watched);
    return {
      requests,
      observations: watched.length,
      ...result,
      unchanged: result.stored === 0,
      settled: true,
      again: false,
      reason: 'whole nationwide list fetched',
    };
  }
}

/** A customs gate's or mission's name, for its pseudo-district. */
function unitName(r: YskMuhtarlikRow, kind: SpecialKind): string {
  const raw = r as Record<string, unknown>;
  const pick = (field: string) => (typeof raw[field] === 'string' && (raw[field] as string).trim()) || null;
  const name = kind === 'customs' ? pick('gumruk_ADI') : kind === 'abroad' ? (pick('dis_TEMSILCILIK_ADI') ?? pick('ulke_ADI')) : pick('cezaevi_ADI');
  return name ?? r.muhtarlik_ADI ?? `${kind} ${r.muhtarlik_ID}`;
}

function titleTr(s: string): string {
  return s
    .toLocaleLowerCase('tr-TR')
    .split(' ')
    .map((w) => w.charAt(0).toLocaleUpperCase('tr-TR') + w.slice(1))
    .join(' ');
}
