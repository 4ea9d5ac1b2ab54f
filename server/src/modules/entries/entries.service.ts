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
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { hexSha256, sheetHash } from '../../infra/hash';
import { ValidationFailed, issuesOf } from '../../infra/http';
import { auditEntry } from '../audit/audit.service';
import { ReconcileService } from '../reconcile/reconcile.service';
import {
  STORE,
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

/**
 * What the checks of entries read from the store, read before the checks run (so the checks of
 * an import's thousands of rows are plain synchronous code): each column map, district list and
 * neighbourhood list once, and which boxes are on the register in one read (a row by row read
 * is a statement per row).
 */
interface Known {
  /** the party and candidate names of a ballot's column map, or null when none is known */
  columnNames(election: string, ballot: BoxRef['ballot'], province: number): ReadonlySet<string> | null;
  /** the box is on the register of boxes (VersionsRepository.onRegister) */
  onRegister(key: string): boolean;
  neighbourhoods(district: number): Awaited<ReturnType<GeographyRepository['neighbourhoods']>>;
  districts(province: number): Awaited<ReturnType<GeographyRepository['districts']>>;
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
    const ref = this.refOf(body);
    const candidate = this.prepare({ ...body, ref }, source, await this.known([{ ref, key: boxKey(ref) }]), this.clock.iso());
    const action = source === 'confirmation' ? 'entry.confirm' : 'entry.create';
    const before = source === 'confirmation' ? (this.reconcile.state.summary(candidate.key)?.org ?? null) : null;
    const [outcome] = await this.store.appendEntriesAudited([candidate], (stored) =>
      stored.length ? auditEntry(actor, action, candidate.key, before, entryAudit(stored[0]), new Date(this.clock.now())) : null,
    );
    const duplicate = isDuplicate(outcome, candidate);
    if (!duplicate) this.reconcile.applyEntries([outcome.entry]);
    return { entry: outcome.entry, duplicate, box: this.reconcile.state.summary(candidate.key) };
  }

  /** The entry's box with the election this server follows (an entry for another election is refused). */
  private refOf(body: EntryBody): BoxRef {
    const ref: BoxRef = { ...body.ref, election: body.ref.election ?? this.config.YSK_ELECTION_ID };
    if (ref.election !== this.config.YSK_ELECTION_ID) {
      throw new ValidationFailed('invalid entry: ref.election', { 'ref.election': `this server follows election ${this.config.YSK_ELECTION_ID}` });
    }
    return ref;
  }

  /** Checks an entry (its `ref` from refOf) against the sheet rules and the register; answers what would be stored. */
  private prepare(body: EntryBody & { ref: BoxRef; observer: string }, source: Entry['source'], known: Known, createdAt: string): NewEntry {
    const { ref } = body;
    const warnings = this.check(ref, body.sheet, known);
    const key = boxKey(ref);
    const unknown = this.registerProblem(ref, key, known);
    if (unknown) throw new ValidationFailed(`invalid entry: ${unknown}`, { ref: unknown });
    return {
      box: { ...ref, key, yskBoxId: null, neighbourhood: null },
      key,
      sheet: body.sheet,
      hash: sheetHash(body.sheet),
      observer: body.observer,
      source,
      idempotencyKey: body.idempotencyKey,
      createdAt,
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
    const valid: { report: ImportRow; body: EntryBody & { ref: BoxRef; observer: string }; key: string }[] = [];
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
        idempotencyKey: r.idempotencyKey || `csv:${hexSha256(JSON.stringify(r)).slice(0, 40)}`,
      };
      const parsed = entryBody.safeParse(candidate);
      if (!parsed.success) {
        rows.push({ row, ok: false, issues: issuesOf(parsed.error) });
        continue;
      }
      const report: ImportRow = { row, ok: true };
      rows.push(report);
      try {
        const ref = this.refOf(parsed.data);
        valid.push({ report, body: { ...parsed.data, ref, observer }, key: boxKey(ref) });
      } catch (e) {
        if (e instanceof ValidationFailed) Object.assign(report, { ok: false, issues: e.issues });
        else throw e;
      }
    }
    const known = await this.known(valid.map((v) => ({ ref: v.body.ref, key: v.key })));
    const createdAt = this.clock.iso();
    const ready: { row: ImportRow; candidate: NewEntry }[] = [];
    for (const { report, body } of valid) {
      try {
        ready.push({ row: report, candidate: this.prepare(body, 'import', known, createdAt) });
      } catch (e) {
        if (e instanceof ValidationFailed) Object.assign(report, { ok: false, issues: e.issues });
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
  private check(ref: BoxRef, sheet: Sheet, known: Known): string[] {
    const { errors, warnings } = checkSheet(sheet);
    const issues: Record<string, string> = {};
    for (const e of errors) issues[e.field ? `sheet.${e.field}` : 'sheet'] = e.message;
    const names = known.columnNames(ref.election, ref.ballot, ref.province);
    if (names) {
      for (const name of Object.keys(sheet.votes)) {
        if (!names.has(name)) issues[`sheet.votes.${name}`] = `"${name}" is not on this ballot (${[...names].join(', ')})`;
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
  private registerProblem(ref: BoxRef, key: string, known: Known): string | null {
    if (known.onRegister(key)) return null;
    const ofProvince = this.reconcile.provinceOfDistrict(ref.district);
    if (ofProvince !== undefined && ofProvince !== ref.province) return `district ${ref.district} is not in province ${ref.province}`;
    const neighbourhoods = known.neighbourhoods(ref.district);
    if (neighbourhoods.length) {
      const listed = neighbourhoods.some((n) => n.minBox !== null && n.maxBox !== null && ref.boxNo >= n.minBox && ref.boxNo <= n.maxBox);
      return listed ? null : `box ${ref.boxNo} is not on the register of district ${ref.district}`;
    }
    const districts = known.districts(ref.province);
    if (districts.length && !districts.some((d) => d.yskId === ref.district)) return `province ${ref.province} has no district ${ref.district}`;
    return null;
  }

  /**
   * Reads what the checks of these entries' boxes need (see Known), all at once: the same answers
   * the store gives box by box.
   */
  private async known(boxes: ReadonlyArray<{ ref: BoxRef; key: string }>): Promise<Known> {
    /** One read per distinct `id` of these boxes' refs. */
    const readEach = async <T>(of: ReadonlyArray<{ ref: BoxRef }>, id: (r: BoxRef) => string, read: (r: BoxRef) => Promise<T>): Promise<Map<string, T>> => {
      const refs = new Map<string, BoxRef>();
      for (const b of of) if (!refs.has(id(b.ref))) refs.set(id(b.ref), b.ref);
      return new Map(await Promise.all([...refs].map(async ([k, r]) => [k, await read(r)] as const)));
    };
    const mapId = (r: Pick<BoxRef, 'election' | 'ballot' | 'province'>) => `${r.election}|${r.ballot}|${r.province}`;
    const [maps, registered] = await Promise.all([
      readEach(boxes, mapId, async (r) => {
        const map = await this.store.columnMap(r.election, r.ballot, r.province);
        return map ? new Set(map.columns.map((c) => c.name)) : null;
      }),
      this.store.onRegister([...new Set(boxes.map((b) => b.key))]),
    ]);
    // the register of districts and neighbourhoods is asked only of boxes not on the register of boxes (registerProblem)
    const unlisted = boxes.filter((b) => !registered.has(b.key));
    const [neighbourhoods, districts] = await Promise.all([
      readEach(
        unlisted,
        (r) => String(r.district),
        (r) => this.store.neighbourhoods(r.district),
      ),
      readEach(
        unlisted,
        (r) => String(r.province),
        (r) => this.store.districts(r.province),
      ),
    ]);
    return {
      columnNames: (election, ballot, province) => maps.get(mapId({ election, ballot, province })) ?? null,
      onRegister: (key) => registered.has(key),
      neighbourhoods: (district) => neighbourhoods.get(String(district)) ?? [],
      districts: (province) => districts.get(String(province)) ?? [],
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
