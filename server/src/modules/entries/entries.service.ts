import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  boxKey,
  checkSheet,
  type BoxRef,
  type EntriesImportResult,
  type Entry,
  type EntryResult,
  type ImportRow,
  type Principal,
  type Sheet,
} from '@gozcu/shared';
import { readCsv, type CsvTable } from '../../infra/csv';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { sheetHash } from '../../infra/hash';
import { ValidationFailed, issuesOf } from '../../infra/http';
import { auditEntry } from '../audit/audit.service';
import { ReconcileService } from '../reconcile/reconcile.service';
import {
  STORE,
  type BoxWithLatest,
  type ColumnMap,
  type EntryOutcome,
  type NewEntry,
  type EntriesRepository,
  type FeedRepository,
  type GeographyRepository,
  type VersionsRepository,
} from '../store/store.port';
import { entryBody, type ConfirmBody, type EntryBody } from './entries.dto';
import { Clock } from '../../infra/clock';

const HEADER_FIELDS = ['election', 'ballot', 'province', 'district', 'boxNo', 'rumuz', 'observer', 'idempotencyKey'] as const;
const SHEET_FIELDS = ['registered', 'voted', 'validUncontested', 'validAfterObjection', 'valid', 'invalid'] as const;

/** An import's rows in one district from which that district's boxes are read in pages, not row by row. */
const PREFETCH_MIN_ROWS = 32;
/** Boxes read for a district's prefetch at most per row of the import there (a big district, few rows: row by row). */
const PREFETCH_MAX_PER_ROW = 8;

/**
 * What the checks of one entry read from the store: straight through for a single entry; for
 * an import, each column map, district list and neighbourhood list read once, and the boxes of
 * a district with many rows read in pages once (a row by row read is a statement per row).
 */
interface Lookups {
  columnMap(election: string, ballot: BoxRef['ballot'], province: number): Promise<ColumnMap | null>;
  box(ref: BoxRef, key: string): Promise<BoxWithLatest | null>;
  neighbourhoods(district: number): ReturnType<GeographyRepository['neighbourhoods']>;
  districts(province: number): ReturnType<GeographyRepository['districts']>;
}

@Injectable()
export class EntriesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: EntriesRepository & FeedRepository & GeographyRepository & VersionsRepository,
    private readonly reconcile: ReconcileService,
    private readonly clock: Clock,
  ) {}

  /**
   * Validates, stores (idempotently) and reconciles one observer entry; the entry and its audit
   * record (`entry.create`, or `entry.confirm` for a confirmation) are one transaction.
   */
  async submit(body: EntryBody & { observer: string }, source: Entry['source'] = 'observer', actor: Principal | null = null): Promise<EntryResult> {
    const candidate = await this.prepare(body, source, this.direct());
    const action = source === 'confirmation' ? 'entry.confirm' : 'entry.create';
    const before = source === 'confirmation' ? (this.reconcile.state.summary(candidate.key)?.org ?? null) : null;
    const [outcome] = await this.store.appendEntriesAudited([candidate], (stored) =>
      stored.length ? auditEntry(actor, action, candidate.key, before, entryAudit(stored[0]), new Date(this.clock.now())) : null,
    );
    const duplicate = isDuplicate(outcome, candidate);
    if (!duplicate) this.reconcile.applyEntries([outcome.entry]);
    return { entry: outcome.entry, duplicate, box: this.reconcile.state.summary(candidate.key) };
  }

  /** Checks an entry against the sheet rules and the register; answers what would be stored. */
  private async prepare(body: EntryBody & { observer: string }, source: Entry['source'], lookups: Lookups): Promise<NewEntry> {
    const ref: BoxRef = { ...body.ref, election: body.ref.election ?? this.config.YSK_ELECTION_ID };
    if (ref.election !== this.config.YSK_ELECTION_ID) {
      throw new ValidationFailed('invalid entry: ref.election', { 'ref.election': `this server follows election ${this.config.YSK_ELECTION_ID}` });
    }
    const warnings = await this.check(ref, body.sheet, lookups);
    const key = boxKey(ref);
    const unknown = await this.registerProblem(ref, key, lookups);
    if (unknown) throw new ValidationFailed(`invalid entry: ${unknown}`, { ref: unknown });
    return {
      box: { ...ref, key, yskBoxId: null, neighbourhood: null },
      key,
      sheet: body.sheet,
      hash: sheetHash(body.sheet),
      observer: body.observer,
      source,
      idempotencyKey: body.idempotencyKey,
      createdAt: this.clock.iso(),
      warnings,
    };
  }

  /** A district data officer confirms one of a box's entries: it is in force and resolves conflicts. */
  async confirm(key: string, body: ConfirmBody & { by: string }, actor: Principal | null = null): Promise<EntryResult> {
    const entries = await this.store.entries(key);
    const chosen = entries.find((e) => e.id === body.entryId);
    if (!chosen) throw new NotFoundException(`box ${key} has no entry ${body.entryId}`);
    const ref = this.reconcileRef(key);
    return this.submit({ ref, sheet: chosen.sheet, observer: body.by, idempotencyKey: `confirm:${chosen.id}:${body.by}`.slice(0, 128) }, 'confirmation', actor);
  }

  /**
   * Imports many entries from CSV: one row per box, party columns by name; a report per row. The
   * importer is the observer of every row. Every good row is stored in one transaction with the
   * import's audit record: a failed or killed import stores nothing, never rows without a record.
   */
  async importCsv(csv: CsvTable, observer: string, actor: Principal | null = null): Promise<EntriesImportResult> {
    const records = readCsv(csv, ['ballot', 'province', 'district', 'boxNo', ...SHEET_FIELDS]);
    const header = Object.keys(records[0]);
    const parties = header.filter((h) => !(HEADER_FIELDS as readonly string[]).includes(h) && !(SHEET_FIELDS as readonly string[]).includes(h));
    const rows: ImportRow[] = [];
    const ready: { row: ImportRow; candidate: NewEntry }[] = [];
    const lookups = this.importLookups(records);
    for (const [i, r] of records.entries()) {
      const row = i + 2; // 1-based, after the header line
      const candidate = {
        ref: { election: r.election || undefined, ballot: r.ballot, province: r.province, district: r.district, boxNo: r.boxNo, rumuz: r.rumuz || undefined },
        sheet: {
          ...Object.fromEntries(SHEET_FIELDS.map((f) => [f, toCount(r[f])])),
          votes: Object.fromEntries(parties.filter((p) => r[p] !== '').map((p) => [p, toCount(r[p])])),
        },
        observer,
        // without a key, the row's own content is its key: importing the same file twice stores nothing twice
        idempotencyKey: r.idempotencyKey || `csv:${createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 40)}`,
      };
      const parsed = entryBody.safeParse(candidate);
      if (!parsed.success) {
        rows.push({ row, ok: false, issues: issuesOf(parsed.error) });
        continue;
      }
      try {
        const report: ImportRow = { row, ok: true };
        ready.push({ row: report, candidate: await this.prepare({ ...parsed.data, observer }, 'import', lookups) });
        rows.push(report);
      } catch (e) {
        if (e instanceof ValidationFailed) rows.push({ row, ok: false, issues: e.issues });
        else throw e;
      }
    }
    const outcomes = ready.length
      ? await this.store.appendEntriesAudited(
          ready.map((r) => r.candidate),
          (stored) =>
            stored.length
              ? auditEntry(actor, 'entry.import', 'entries', null, { stored: stored.length, keys: stored.map((e) => e.key) }, new Date(this.clock.now()))
              : null,
        )
      : [];
    const stored: Entry[] = [];
    for (const [i, { row, candidate }] of ready.entries()) {
      const { entry } = outcomes[i];
      try {
        const duplicate = isDuplicate(outcomes[i], candidate);
        if (!duplicate) stored.push(entry);
        Object.assign(row, { key: entry.key, duplicate, warnings: entry.warnings });
      } catch (e) {
        if (e instanceof ConflictException) Object.assign(row, { ok: false, issues: { row: e.message } });
        else throw e;
      }
    }
    this.reconcile.applyEntries(stored);
    return {
      rows,
      stored: rows.filter((r) => r.ok && !r.duplicate).length,
      duplicates: rows.filter((r) => r.duplicate).length,
      rejected: rows.filter((r) => !r.ok).length,
    };
  }

  /** Sheet checks (errors reject, warnings are kept) and party names against the ballot's column map. */
  private async check(ref: BoxRef, sheet: Sheet, lookups: Lookups): Promise<string[]> {
    const { errors, warnings } = checkSheet(sheet);
    const issues: Record<string, string> = {};
    for (const e of errors) issues[e.field ? `sheet.${e.field}` : 'sheet'] = e.message;
    const map = await lookups.columnMap(ref.election, ref.ballot, ref.province);
    if (map) {
      const known = new Set(map.columns.map((c) => c.name));
      for (const name of Object.keys(sheet.votes)) {
        if (!known.has(name)) issues[`sheet.votes.${name}`] = `"${name}" is not on this ballot (${[...known].join(', ')})`;
      }
    }
    if (Object.keys(issues).length) throw new ValidationFailed(`invalid sheet: ${Object.keys(issues).join(', ')}`, issues);
    return warnings.map((w) => w.code);
  }

  /**
   * An entry is for a box on the register of boxes (registered by discovery or published by YSK):
   * a box the register of its district does not list, a district its province does not have, or
   * a district of another province is refused. Only where nothing of the province is known yet
   * (no discovery, no YSK data) is there nothing to check against.
   */
  private async registerProblem(ref: BoxRef, key: string, lookups: Lookups): Promise<string | null> {
    const held = await lookups.box(ref, key);
    if (held && (held.latest || held.box.neighbourhood !== null || held.box.yskBoxId !== null)) return null;
    const ofProvince = this.reconcile.provinceOfDistrict(ref.district);
    if (ofProvince !== undefined && ofProvince !== ref.province) return `district ${ref.district} is not in province ${ref.province}`;
    const neighbourhoods = await lookups.neighbourhoods(ref.district);
    if (neighbourhoods.length) {
      const listed = neighbourhoods.some((n) => n.minBox !== null && n.maxBox !== null && ref.boxNo >= n.minBox && ref.boxNo <= n.maxBox);
      return listed ? null : `box ${ref.boxNo} is not on the register of district ${ref.district}`;
    }
    const districts = await lookups.districts(ref.province);
    if (districts.length && !districts.some((d) => d.yskId === ref.district)) return `province ${ref.province} has no district ${ref.district}`;
    return null;
  }

  /** The store as it is, read per entry. */
  private direct(): Lookups {
    return {
      columnMap: (election, ballot, province) => this.store.columnMap(election, ballot, province),
      box: (_ref, key) => this.store.box(key),
      neighbourhoods: (district) => this.store.neighbourhoods(district),
      districts: (province) => this.store.districts(province),
    };
  }

  /**
   * An import's reads (see Lookups): the same answers the store gives row by row, read once at
   * the import's start. `records` are the CSV's rows, to count the rows of each district.
   */
  private importLookups(records: ReadonlyArray<Record<string, string>>): Lookups {
    const once = <T>(cache: Map<string, Promise<T>>, id: string, read: () => Promise<T>): Promise<T> => {
      let p = cache.get(id);
      if (!p) cache.set(id, (p = read()));
      return p;
    };
    const maps = new Map<string, Promise<ColumnMap | null>>();
    const neighbourhoods = new Map<string, ReturnType<GeographyRepository['neighbourhoods']>>();
    const districts = new Map<string, ReturnType<GeographyRepository['districts']>>();
    const rowsIn = new Map<string, number>();
    for (const r of records) rowsIn.set(r.district ?? '', (rowsIn.get(r.district ?? '') ?? 0) + 1);
    // the boxes held of (election, ballot, province, district) by key, or null when that district is read row by row
    const held = new Map<string, Promise<Map<string, BoxWithLatest> | null>>();
    const prefetch = async (ref: BoxRef): Promise<Map<string, BoxWithLatest> | null> => {
      const rows = rowsIn.get(String(ref.district)) ?? 0;
      if (rows < PREFETCH_MIN_ROWS) return null;
      const out = new Map<string, BoxWithLatest>();
      // the province too: the store's index of a scope is (province, district, key), a district alone is a walk of every box
      const filter = { election: ref.election, ballot: ref.ballot, province: ref.province, district: ref.district };
      const limit = 1000;
      for (let after: string | undefined; ;) {
        const page = await this.store.boxes(filter, { after, limit });
        for (const b of page) out.set(b.box.key, b);
        if (page.length < limit) return out;
        if (out.size > rows * PREFETCH_MAX_PER_ROW) return null;
        after = page[page.length - 1]!.box.key;
      }
    };
    return {
      columnMap: (election, ballot, province) => once(maps, `${election}|${ballot}|${province}`, () => this.store.columnMap(election, ballot, province)),
      box: async (ref, key) => {
        const boxes = await once(held, `${ref.election}|${ref.ballot}|${ref.province}|${ref.district}`, () => prefetch(ref));
        return boxes ? (boxes.get(key) ?? null) : this.store.box(key);
      },
      neighbourhoods: (district) => once(neighbourhoods, String(district), () => this.store.neighbourhoods(district)),
      districts: (province) => once(districts, String(province), () => this.store.districts(province)),
    };
  }

  private reconcileRef(key: string) {
    const [election, ballot, province, district, boxNo, rumuz, ...rest] = key.split(':');
    const parsed = entryBody.shape.ref.safeParse({ election, ballot, province, district, boxNo, rumuz });
    if (rest.length) throw new NotFoundException(`no box ${key}`);
    if (!parsed.success) throw new NotFoundException(`no box ${key}`);
    return parsed.data;
  }
}

/**
 * After the store answered: a retry of the same entry is a duplicate (true), a new entry is
 * stored (false), another entry under a used idempotency key is a conflict (409).
 */
function isDuplicate(outcome: EntryOutcome, candidate: NewEntry): boolean {
  if (outcome.kind !== 'duplicate') return false;
  if (outcome.entry.key !== candidate.key || outcome.entry.hash !== candidate.hash) {
    throw new ConflictException(`idempotency key ${candidate.idempotencyKey} was already used for a different entry`);
  }
  return true;
}

function toCount(v: string | undefined): number | string | undefined {
  if (v === undefined || v === '') return undefined;
  return /^-?\d+$/.test(v) ? Number(v) : v;
}

/** What the audit log keeps of an entry. */
function entryAudit(e: Entry) {
  return { entryId: e.id, source: e.source, hash: e.hash, sheet: e.sheet, warnings: e.warnings };
}
