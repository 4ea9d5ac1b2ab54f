import { Inject, Injectable, Logger } from '@nestjs/common';
import { YURT_ICI, SANDIK_TURU, boxKey, unmappedVoteColumns, type BallotCode, type YskObservation } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { versionHash } from '../../infra/hash';
import { ReconcileService } from '../reconcile/reconcile.service';
import { STORE, type NewVersion, type VersionsRepository } from '../store/store.port';
import {
  DistrictWatch,
  fingerprintOf,
  readAggregate,
  refreshDistrict,
  type Aggregate,
  type BoxRange,
  type DistrictIO,
  type Fingerprint,
  type RefreshOptions,
} from './aggregate-watch';
import { FeedControls } from './feed-controls';
import { FeedDiscovery } from './feed-discovery.service';
import { FeedService } from './feed.service';
import { readBoxRows } from './feed-rows';
import { priorityOf, provinceLags, type DueDistrict, type ProvinceLag } from './poll-priority';
import { YskFetchError } from './ysk.errors';

/** Without aggregates (legacy cadence): after this many unchanged polls a district is only re-checked every SLOW_EVERY sweeps. */
const SLOW_EVERY = 4;
/** Aggregate calls of a province refused or unreadable in a row before its districts are polled the legacy way meanwhile. */
const AGGREGATE_FAILURES_BEFORE_FALLBACK = 3;

export interface DistrictJob {
  ballot: BallotCode;
  province: number;
  district: number;
  /** why it is due: its aggregate moved, a routine whole-list check, an operator's resweep, or no aggregate (legacy) */
  kind?: DueDistrict['kind'] | 'legacy';
}

export interface SweepJob {
  ballot: BallotCode;
  province: number;
}

/** A district the sweep found due, with its BullMQ priority. */
export interface DueJob {
  district: number;
  kind: NonNullable<DistrictJob['kind']>;
  priority: number;
}

export interface PollResult {
  requests: number;
  observations: number;
  stored: number;
  revised: number;
  unchanged: boolean;
  settled: boolean;
  /** its aggregate moved again while it was refreshed: queue it again at once */
  again: boolean;
  reason: string;
}

/**
 * The poll jobs and the ingest: the aggregate sweep of a province (what moved), the refresh of a
 * district (only the rows that explain the move), and ingesting what changed (content hash →
 * append-only versions → reconciliation). The watch state of every district is kept here; what
 * to poll comes from FeedDiscovery, the YSK link and the health state from FeedService, the
 * change detection itself from aggregate-watch.ts and poll-priority.ts.
 */
@Injectable()
export class FeedPoller {
  private readonly logger = new Logger(FeedPoller.name);
  private readonly watches = new Map<string, DistrictWatch>();
  private readonly watchProvince = new Map<string, { ballot: BallotCode; province: number }>();
  private readonly sweeps = new Map<string, number>();
  private readonly aggregateFailures = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: VersionsRepository,
    private readonly reconcile: ReconcileService,
    private readonly bus: ChangeBus,
    private readonly controls: FeedControls,
    private readonly discovery: FeedDiscovery,
    private readonly feed: FeedService,
    private readonly clock: Clock,
  ) {}

  private get election(): string {
    return this.config.YSK_ELECTION_ID;
  }

  private get intervalMs(): number {
    return this.controls.current.pollIntervalMs;
  }

  private get totals(): FeedService['totals'] {
    return this.feed.totals;
  }

  /** Registers the boxes of a district (FeedDiscovery), and gives its watch the register when it was made before. */
  private async registerDistrict(job: DistrictJob): Promise<void> {
    if (this.discovery.isRegistered(job.ballot, job.district)) return;
    await this.discovery.registerDistrictBoxes(job);
    const w = this.watches.get(`${job.ballot}:${job.district}`);
    const register = this.discovery.registerOf(job.district);
    if (w && w.boxes.registerSize !== register.length) w.boxes.setRegister(register);
  }

  /** The watch state of (ballot, district), created on first use. */
  watch(ballot: BallotCode, province: number, district: number): DistrictWatch {
    const key = `${ballot}:${district}`;
    let w = this.watches.get(key);
    if (!w) {
      w = new DistrictWatch(this.discovery.registerOf(district), this.clock.wall());
      this.watches.set(key, w);
      this.watchProvince.set(key, { ballot, province });
    }
    return w;
  }

  /**
   * How precisely a refresh may fetch: more box-number ranges cost requests and save rows. The
   * ceiling FEED_MAX_RANGES is scaled by the spare share of the rate cap over the last minute, so
   * under the cap's pressure a refresh makes one request and, with room to spare, several.
   */
  private refreshOptions(): RefreshOptions {
    const now = this.clock.wall();
    const rps = this.feed.health.overallStats(now, '1m').count / 60;
    const spare = Math.max(0, 1 - rps / Math.max(0.001, this.controls.current.maxRps));
    const maxRanges = Math.max(1, Math.round(this.config.FEED_MAX_RANGES * spare));
    return { maxRanges, gap: this.config.FEED_RANGE_GAP, leaf: 8, maxProbes: 16 };
  }

  /**
   * One sweep of a province: its aggregates (`getSecimSonucList` with `ilId`, no `ilceId`: one
   * row per district) say which districts moved past what we hold; those are due, with the most
   * unseen change first. A quiet district is due for a whole-list check now and then. Without
   * aggregates (refused or unreadable three times in a row, or a district has no row) districts are
   * due the legacy way: every sweep while arriving, every fourth once quiet.
   */
  async sweep(job: SweepJob): Promise<DueJob[]> {
    if (this.controls.current.paused) return [];
    const key = `${job.ballot}:${job.province}`;
    const sweep = (this.sweeps.get(key) ?? 0) + 1;
    this.sweeps.set(key, sweep);
    const districts = await this.discovery.districtsOf(job.ballot, job.province);
    if (sweep % 10 === 1) await this.discovery.refreshColumns(job.ballot, job.province);
    // every box is registered before YSK publishes anything (observers enter their boxes, coverage
    // counts them): a district is only fetched once its aggregate moves, which may be hours later
    for (const d of districts) {
      if (this.discovery.isRegistered(job.ballot, d)) continue;
      await this.registerDistrict({ ballot: job.ballot, province: job.province, district: d }).catch((err: unknown) =>
        // its first refresh, or the next sweep, tries again; a YSK failure is recorded by the client
        this.logger.warn(`boxes of district ${d} not registered yet: ${(err as Error).message}`),
      );
    }
    this.totals.sweeps++;
    this.totals.districtsSwept += districts.length;
    const now = this.clock.wall();
    let rows: Map<number, Record<string, unknown>> | null = null;
    let notModified = false;
    try {
      this.totals.aggregateCalls++;
      const res = await this.feed.ysk((c) =>
        c.getSecimSonucList({
          secimId: this.election,
          secimTuru: job.ballot,
          ilId: job.province,
          sandikTuru: SANDIK_TURU.ordinary,
          yurtIciDisi: YURT_ICI,
        }),
      );
      this.aggregateFailures.set(key, 0);
      if (res.notModified) notModified = true;
      else {
        rows = new Map();
        for (const r of res.rows as unknown as Record<string, unknown>[]) {
          const d = r['ilce_ID'];
          if (typeof d === 'number' && (r['sandik_NO'] === null || r['sandik_NO'] === undefined)) rows.set(d, r);
        }
      }
      this.feed.markSuccess(job.province);
    } catch (err) {
      // a refusal or a shape we cannot read, again and again, means this feed has no usable
      // aggregates: poll the province without them meanwhile. Outages (5xx, timeouts, 429) only retry.
      const unusable = err instanceof YskFetchError && (err.kind === 'http_4xx' || err.kind === 'schema' || err.kind === 'parse');
      const failures = unusable ? (this.aggregateFailures.get(key) ?? 0) + 1 : 0;
      this.aggregateFailures.set(key, failures);
      if (!unusable || failures < AGGREGATE_FAILURES_BEFORE_FALLBACK) throw err;
      await this.feed.recordFailure(err, `sweep ${key} (aggregates unavailable ${failures} times in a row: districts polled without them)`);
    }
    const due: DueJob[] = [];
    let quietPicked = false;
    const quietMs = this.config.FEED_QUIET_CHECK_MS;
    for (const d of districts) {
      const w = this.watch(job.ballot, job.province, d);
      let agg: Aggregate | null = null;
      if (notModified && w.agg) agg = { ...w.agg, at: now };
      else if (rows?.has(d)) agg = readAggregate(rows.get(d)!, now);
      if (agg) {
        if (w.noteAggregate(agg) === 'due') {
          due.push({ district: d, kind: 'change', priority: priorityOf({ dueSince: w.dueSince!, unseen: w.unseen, kind: 'change' }, this.intervalMs) });
        } else if (!quietPicked && w.quietCheckDue(now, quietMs)) {
          quietPicked = true;
          due.push({ district: d, kind: 'quiet', priority: priorityOf({ dueSince: now, unseen: 0, kind: 'quiet' }, this.intervalMs) });
        }
        continue;
      }
      // no aggregate for this district: the legacy cadence, a whole list each time
      w.agg = null;
      const quiet = w.unchangedPolls >= 3;
      if (!quiet || sweep - (w.lastPolledSweep ?? 0) >= SLOW_EVERY) {
        w.dueSince ??= now;
        w.lastPolledSweep = sweep;
        due.push({ district: d, kind: 'legacy', priority: priorityOf({ dueSince: w.dueSince, unseen: 1, kind: 'change' }, this.intervalMs) });
      }
    }
    this.totals.districtsDue += due.length;
    return due;
  }

  /** The district as a due job again (its aggregate moved while it was being refreshed). */
  dueAgain(job: DistrictJob): DueJob | null {
    const w = this.watches.get(`${job.ballot}:${job.district}`);
    if (!w || w.dueSince === null) return null;
    return { district: job.district, kind: 'change', priority: priorityOf({ dueSince: w.dueSince, unseen: w.unseen, kind: 'change' }, this.intervalMs) };
  }

  /**
   * An operator's resweep: every district of the province is fetched whole again, first in line,
   * and its column map re-read. Answers the districts to queue (per ballot type watched).
   */
  async resweep(province: number, ballot: BallotCode | null): Promise<Array<{ ballot: BallotCode; jobs: DueJob[] }>> {
    const out: Array<{ ballot: BallotCode; jobs: DueJob[] }> = [];
    const now = this.clock.wall();
    for (const b of this.config.YSK_BALLOT_TYPES) {
      if (ballot !== null && b !== ballot) continue;
      const districts = this.discovery.knownDistricts(b, province) ?? (await this.discovery.discoverDistricts(b, province).catch(() => []));
      if (!districts.length) continue;
      this.discovery.forgetColumns(b, province);
      const jobs = districts.map((d) => {
        const w = this.watch(b, province, d);
        w.forceFull = true;
        w.dueSince ??= now;
        return { district: d, kind: 'resweep' as const, priority: priorityOf({ dueSince: now, unseen: 0, kind: 'resweep' }, this.intervalMs) };
      });
      out.push({ ballot: b, jobs });
    }
    return out;
  }

  /**
   * Brings one district up to its newest aggregate: the box-number ranges of boxes not seen yet,
   * or the few boxes a bisection with range aggregates points at, or the whole list (no
   * aggregate, a quiet check, a resweep, an aggregate that never matches). See aggregate-watch.ts.
   */
  async pollDistrict(job: DistrictJob): Promise<PollResult> {
    await this.registerDistrict(job);
    const w = this.watch(job.ballot, job.province, job.district);
    let requests = 0;
    let observations = 0;
    let stored = 0;
    let revised = 0;
    let unread = 0;
    const io: DistrictIO = {
      fetchBoxes: async (range) => {
        requests++;
        const got = await this.fetchBoxList(job, range);
        observations += got.observations;
        stored += got.stored;
        revised += got.revised;
        unread += got.unread;
        return got.rows;
      },
      unreadRows: () => unread,
      probe: (range) => {
        requests++;
        return this.probeAggregate(job, range);
      },
    };
    const full = job.kind === 'quiet' || job.kind === 'resweep' || job.kind === 'legacy';
    if (job.kind === 'legacy') w.agg = null;
    const out = await refreshDistrict(w, io, this.refreshOptions(), this.clock.wall(), full);
    this.totals.refreshes++;
    if (out.full) this.totals.wholeLists++;
    if (job.kind === 'quiet') this.totals.quietChecks++;
    if (out.settled) this.totals.settled++;
    w.unchangedPolls = stored ? 0 : w.unchangedPolls + 1;
    this.feed.markSuccess(job.province);
    return { requests, observations, stored, revised, unchanged: stored === 0, settled: out.settled, again: out.again, reason: out.reason };
  }

  /** One `getSecimSandikSonucList` call of a district (or a box-number range of it), ingested. */
  private async fetchBoxList(
    job: DistrictJob,
    range: BoxRange | null,
  ): Promise<{ rows: Array<{ boxNo: number; fp: Fingerprint }>; observations: number; stored: number; revised: number; unread: number }> {
    // the parameters left out are sent empty, in YSK's order (buildQuery)
    const params = {
      secimId: this.election,
      secimTuru: job.ballot,
      ilId: job.province,
      ilceId: job.district,
      sandikTuru: SANDIK_TURU.ordinary,
      sandikNoIlk: range ? range[0] : '',
      sandikNoSon: range ? range[1] : '',
      yurtIciDisi: YURT_ICI,
    };
    const ctx = { election: this.election, ballot: job.ballot };
    let columns = await this.discovery.columnsOf(job.ballot, job.province);
    this.totals.boxListCalls++;
    const res = await this.feed.ysk((c) => c.getSecimSandikSonucList(params));
    if (res.notModified) return { rows: [], observations: 0, stored: 0, revised: 0, unread: 0 };
    // votes in a column the cached map does not know: re-fetch the map rather than lose a party
    if (res.rows.some((row) => unmappedVoteColumns(row, columns).length > 0)) columns = await this.discovery.refreshColumns(job.ballot, job.province);
    let observations: YskObservation[];
    try {
      observations = await readBoxRows(
        res.rows,
        columns,
        { ...ctx, fetchedAt: res.fetchedAt, kind: 'domestic' },
        `district ${job.district}`,
        this.feed.rowProblems,
      );
    } catch (e) {
      if (e instanceof YskFetchError) this.feed.yskClient().forget('getSecimSandikSonucList', params);
      throw e;
    }
    const result = await this.ingest(observations);
    // test data (versiyon 0) is an incident, not data, and says nothing about YSK's real figures:
    // this answer cannot settle the district, so the job retries (after its real rows are stored)
    if (observations.some((o) => o.yskVersion === 0)) throw new Error(`district ${job.district}: YSK served test data (versiyon 0); retrying`);
    // what the watcher holds: the rows stored. A row readBoxRows rejected (an incident) is not
    // held, so the district's sums do not match its aggregate and it is fetched whole again.
    const read = new Set(observations.map((o) => o.ref.boxNo));
    const rows: Array<{ boxNo: number; fp: Fingerprint }> = [];
    // rows YSK sent that we could not read: rejected by the schema, or box rows not normalised
    let unread = res.rejected.length;
    for (const row of res.rows as unknown as Record<string, unknown>[]) {
      const no = row['sandik_NO'];
      if (no === null || no === undefined) continue;
      const n = typeof no === 'number' ? no : Number(no);
      if (Number.isInteger(n) && read.has(n)) rows.push({ boxNo: n, fp: fingerprintOf(row) });
      else unread++;
    }
    // an answer with rows we could not read is not one to be told "unchanged" about: the next
    // call gets it whole again, so its unread rows are counted again until YSK sends them right
    if (unread > 0) this.feed.yskClient().forget('getSecimSandikSonucList', params);
    return { rows, observations: observations.length, ...result, unread };
  }

  /** The aggregate of a box-number range of a district (one small row). */
  private async probeAggregate(job: DistrictJob, range: BoxRange): Promise<Aggregate | null> {
    this.totals.probeCalls++;
    const res = await this.feed.ysk((c) =>
      c.getSecimSonucList(
        {
          secimId: this.election,
          secimTuru: job.ballot,
          ilId: job.province,
          ilceId: job.district,
          sandikTuru: SANDIK_TURU.ordinary,
          sandikNoIlk: range[0],
          sandikNoSon: range[1],
          yurtIciDisi: YURT_ICI,
        },
        { conditional: false },
      ),
    );
    if (res.notModified || res.rows.length !== 1) return null;
    return readAggregate(res.rows[0] as unknown as Record<string, unknown>, this.clock.wall());
  }

  /**
   * Stores new versions (idempotent on content hash) and reconciles them. Test data served
   * before the real data (versiyon 0) and regressions to an older version are incidents, not data.
   */
  async ingest(observations: YskObservation[]): Promise<{ stored: number; revised: number }> {
    const real = observations.filter((o) => o.yskVersion !== 0);
    if (real.length < observations.length) {
      await this.feed.incident(
        'test_data',
        'getSecimSandikSonucList',
        `${observations.length - real.length} rows with versiyon 0 (test data) ignored`,
        {
          keys: observations
            .filter((o) => o.yskVersion === 0)
            .slice(0, 20)
            .map((o) => boxKey(o.ref)),
        },
        null,
        true,
      );
    }
    if (!real.length) return { stored: 0, revised: 0 };
    const versions: NewVersion[] = real.map((o) => {
      const key = boxKey(o.ref);
      return {
        box: { ...o.ref, key, yskBoxId: o.yskBoxId, neighbourhood: o.neighbourhood, kind: o.kind },
        key,
        hash: versionHash(o),
        sheet: o.sheet,
        yskVersion: o.yskVersion,
        yskChangedAt: o.yskChangedAt,
        changeReason: o.changeReason,
        fetchedAt: o.fetchedAt,
      };
    });
    const outcomes = await this.store.appendVersions(versions);
    const stale = outcomes.filter((o) => o.kind === 'stale');
    if (stale.length) {
      await this.feed.incident(
        'regression',
        'getSecimSandikSonucList',
        `${stale.length} boxes served an older version than the one stored`,
        { keys: stale.slice(0, 20).map((o) => o.key) },
        null,
        true,
      );
    }
    const stored = outcomes.filter((o) => o.kind === 'first' || o.kind === 'revised');
    const revised = stored.filter((o) => o.kind === 'revised').length;
    this.bus.emit('versions.stored', { first: stored.length - revised, revised });
    this.totals.versions += stored.length;
    this.totals.changes += stored.length;
    this.reconcile.applyYsk(outcomes, new Map(versions.map((v) => [v.key, v.box.kind!])));
    return { stored: stored.length, revised };
  }

  /** Per (ballot type, province): now − when its oldest district was last known current. */
  lags(now = this.clock.wall()): Array<ProvinceLag & { ballot: BallotCode }> {
    const byBallot = new Map<BallotCode, Array<{ province: number; lastVerifiedAt: number; dueSince: number | null }>>();
    for (const [key, w] of this.watches) {
      const where = this.watchProvince.get(key)!;
      const list = byBallot.get(where.ballot) ?? [];
      list.push({ province: where.province, lastVerifiedAt: w.lastVerifiedAt, dueSince: w.dueSince });
      byBallot.set(where.ballot, list);
    }
    return [...byBallot].flatMap(([ballot, list]) => provinceLags(list, now).map((l) => ({ ...l, ballot })));
  }
}
