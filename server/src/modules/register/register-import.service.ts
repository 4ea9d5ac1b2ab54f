import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { parse } from 'csv-parse';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { tcKimlikProblem, TC_KIMLIK_MESSAGES, type Principal, type RegisterImportReport } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { AuditService } from '../audit/audit.service';
import { VoterRegisterService } from '../citizen/voter-register.service';
import { VOTER_KEY } from '../citizen/voter-secret';
import { STORE, type VoterRecord, type VotersRepository } from '../store/store.port';
import { RegisterChecksService } from './register-checks.service';
import { RegisterKeys, normaliseText } from './register-keys';
import { REGISTER_STORE, type RegisterAddressRow, type RegisterBoxRow, type RegisterStore, type RegisterVoterRow } from './register.port';

/** The columns of a box voter list (Turkish names too); `name` or `first_name` + `last_name`. */
const COLUMNS: Record<string, string[]> = {
  tc: ['tc', 'tckn', 'tc_kimlik_no', 'tckimlikno', 'national_id'],
  province: ['province', 'il', 'plate'],
  district: ['district', 'ilce', 'ilçe'],
  box: ['box', 'boxno', 'box_no', 'sandik', 'sandık', 'sandik_no', 'sandık_no'],
  name: ['name', 'ad_soyad', 'adsoyad', 'full_name'],
  first_name: ['first_name', 'ad', 'adi', 'adı'],
  last_name: ['last_name', 'soyad', 'soyadi', 'soyadı'],
  birth_year: ['birth_year', 'dogum_yili', 'doğum_yılı', 'birthyear'],
  address: ['address', 'adres'],
  neighbourhood: ['neighbourhood', 'mahalle', 'muhtarlik', 'muhtarlık'],
  school: ['school', 'okul', 'sandik_alani', 'sandık_alanı'],
};
const ALIAS = new Map(Object.entries(COLUMNS).flatMap(([k, names]) => names.map((n) => [n, k] as const)));
const canonical = (h: string) => ALIAS.get(h.trim().toLocaleLowerCase('tr').replace(/\s+/g, '_')) ?? h.trim();
const REJECTS_LISTED = 1000;
const REQUIRED = ['tc', 'province', 'district', 'box', 'birth_year', 'address'];
const HEADER_HINT = 'tc,name,birth_year,address,province,district,box,neighbourhood,school';
const MAX_FIELD = 500;

export type RawRow = Record<string, unknown>;

const int = (v: unknown, min: number, max: number): number | null => {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
};
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/**
 * Imports box voter lists, streamed: rows are parsed as they arrive and written in batches of
 * REGISTER_IMPORT_BATCH (one transaction each), so memory stays bounded whatever the size. Kept:
 * the TC Kimlik No's and the normalised name's keyed hashes, the birth year, a keyed address key
 * (and each address's text once, with no person attached), the box, its neighbourhood and school.
 * The TC look-up's register (Store.putVoters) is fed from the same rows.
 */
@Injectable()
export class RegisterImportService {
  private readonly logger = new Logger('RegisterImport');
  private readonly keys: RegisterKeys;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGISTER_STORE) private readonly register: RegisterStore,
    @Inject(STORE) private readonly store: VotersRepository,
    @Inject(VOTER_KEY) key: Buffer,
    private readonly voters: VoterRegisterService,
    private readonly checks: RegisterChecksService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {
    this.keys = new RegisterKeys(key);
  }

  /** An upload: `text/csv` (header line) or `application/x-ndjson` (one object a line). */
  async importStream(input: Readable, contentType: string | undefined, actor: Principal | null): Promise<RegisterImportReport> {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return this.importRows(ndjsonRows(input), actor);
    if (type === 'text/csv' || type === 'application/csv') {
      const parser = input.pipe(
        parse({
          columns: (header: string[]) => header.map(canonical),
          skip_empty_lines: true,
          trim: true,
          bom: true,
          relax_column_count: true,
          max_record_size: 10_000,
        }),
      );
      input.on('error', (e) => parser.destroy(e));
      return this.importRows(parser as AsyncIterable<RawRow>, actor);
    }
    throw new BadRequestException('send the register as text/csv (with a header line) or application/x-ndjson');
  }

  /** Rows from any source (the upload, the synthetic generator); audited; the checks run after. */
  async importRows(rows: AsyncIterable<RawRow> | Iterable<RawRow>, actor: Principal | null, opts: { detect?: boolean } = {}): Promise<RegisterImportReport> {
    const started = this.clock.wall();
    const startedAt = this.clock.iso();
    // the import is registered with its first stored batch: an upload with no good rows leaves nothing behind
    let importId = 0;
    const begin = async () => (importId ||= await this.register.beginImport(startedAt, actor?.username ?? null));
    const batchSize = this.config.REGISTER_IMPORT_BATCH;
    const rejected: RegisterImportReport['rejected'] = [];
    let rejectedCount = 0;
    let n = 0;
    let checkedColumns = false;
    let stored = 0;
    const provinces = new Set<number>();
    const seenBoxes = new Set<string>();
    const at = new Date(started).toISOString();
    let batch: RegisterVoterRow[] = [];
    let boxes: RegisterBoxRow[] = [];
    let addresses: RegisterAddressRow[] = [];
    let stagedRows = 0;
    // a household's rows come one after the other: its address is normalised and keyed once
    let lastAddress = '\0'; // no address
    let lastAddressAt = '';
    let lastAddressKey = '';
    const flush = async () => {
      if (!batch.length) return;
      await begin();
      if (boxes.length) await this.register.putBoxes(boxes);
      await this.register.stageVoters(batch, addresses, importId);
      stagedRows += batch.length;
      batch = [];
      boxes = [];
      addresses = [];
    };
    // the staged rows are merged in key order, and the TC look-up's register fed from them, sorted
    // (every staged row is written: stored counts repeats of a voter, as each upsert did)
    const merge = async () => {
      if (!importId) return;
      stored = stagedRows;
      for await (const page of this.register.mergeStaged(importId)) {
        await this.store.putVoters(
          page.map((v): VoterRecord => ({ hash: v.hash, province: v.province, district: v.district, boxNo: v.boxNo, importedAt: at })),
        );
      }
    };
    const reject = (row: number, issue: string) => {
      rejectedCount++;
      if (rejected.length < REJECTS_LISTED) rejected.push({ row, issue });
    };
    try {
      for await (const raw of rows as AsyncIterable<RawRow>) {
        n++;
        const row = n + 1; // the header is line 1 of a CSV
        if (!raw || typeof raw !== 'object') {
          reject(row, 'not an object');
          continue;
        }
        if (!checkedColumns) {
          const missing = REQUIRED.filter((c) => !(c in raw));
          if (!('name' in raw) && !('first_name' in raw && 'last_name' in raw)) missing.push('name (or first_name and last_name)');
          if (missing.length) throw new BadRequestException(`the upload lacks the columns ${missing.join(', ')} (header: ${HEADER_HINT})`);
          checkedColumns = true;
        }
        const tc = text(raw.tc);
        const problem = tcKimlikProblem(tc);
        const province = int(raw.province, 1, 81);
        const district = int(raw.district, 1, 1e9);
        const boxNo = int(raw.box, 1, 1e9);
        const name = normaliseText(text(raw.name) || [text(raw.first_name), text(raw.last_name)].filter(Boolean).join(' '));
        const birthYear = int(raw.birth_year, 1800, 2200);
        const address = text(raw.address);
        if (problem) reject(row, TC_KIMLIK_MESSAGES[problem].en);
        else if (province === null) reject(row, 'province must be a plate code 1–81');
        else if (district === null) reject(row, 'district must be a positive whole number (YSK district id)');
        else if (boxNo === null) reject(row, 'box must be a positive whole number');
        else if (!name) reject(row, 'name (or first_name and last_name) is missing');
        else if (birthYear === null) reject(row, 'birth_year must be a year, e.g. 1980');
        else if (address.length > MAX_FIELD || (address !== lastAddress && !normaliseText(address)))
          reject(row, `address is missing or longer than ${MAX_FIELD} characters`);
        else {
          const hash = this.voters.hash(tc);
          const where = `${province}:${district}`;
          if (address !== lastAddress || where !== lastAddressAt) {
            lastAddress = address;
            lastAddressAt = where;
            lastAddressKey = this.keys.addressKeyOf(province, district, normaliseText(address));
            addresses.push({ addressKey: lastAddressKey, province, district, text: address.replace(/\s+/g, ' ') });
          }
          const addressKey = lastAddressKey;
          batch.push({ hash, province, district, boxNo, nameKey: this.keys.nameKeyOf(name), birthYear, addressKey });
          provinces.add(province);
          const boxId = `${province}:${district}:${boxNo}`;
          if (!seenBoxes.has(boxId)) {
            seenBoxes.add(boxId);
            boxes.push({
              province,
              district,
              boxNo,
              neighbourhood: text(raw.neighbourhood).slice(0, MAX_FIELD) || null,
              school: text(raw.school).slice(0, MAX_FIELD) || null,
            });
          }
          if (batch.length >= batchSize) await flush();
        }
      }
    } catch (e) {
      if (e instanceof BadRequestException && !stagedRows) throw e;
      // the rows before the fault are kept
      await flush().catch(() => undefined);
      await merge();
      if (e instanceof BadRequestException) throw e;
      const where = (e as { lines?: number }).lines;
      // csv-parse quotes the offending line in some messages: keep only its position
      throw new BadRequestException(
        `cannot read the register upload${where ? ` (near line ${where})` : ''}; the rows before it (${stored} stored) were kept${importId ? `, import ${importId}` : ''}`,
      );
    }
    await flush();
    await merge();
    if (n === 0) throw new BadRequestException('the upload has no rows (a CSV needs a header line and at least one row)');
    if (!importId) throw new BadRequestException(`no row could be imported (${rejectedCount} rejected; first: row ${rejected[0]?.row}: ${rejected[0]?.issue})`);
    const list = [...provinces].sort((a, b) => a - b);
    const finishedAt = this.clock.iso();
    await this.register.finishImport(importId, { finishedAt, rows: n, stored, rejected: rejectedCount, provinces: list });
    const anomalies = opts.detect === false ? 0 : await this.checks.detect(list, importId);
    const report: RegisterImportReport = { importId, rows: n, stored, rejected, rejectedCount, provinces: list, anomalies, ms: this.clock.wall() - started };
    await this.audit.record(actor, 'register.import', `register-import:${importId}`, null, {
      rows: n,
      stored,
      rejected: rejectedCount,
      provinces: list,
      anomalies,
    });
    this.logger.log(`register import ${importId}: ${n} rows, ${stored} stored, ${rejectedCount} rejected, ${anomalies} anomalies, ${report.ms} ms`);
    return report;
  }
}

/** One JSON object a line, streamed; a line that is not JSON becomes a rejected row. */
async function* ndjsonRows(input: Readable): AsyncGenerator<RawRow> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      yield v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as RawRow).map(([k, x]) => [canonical(k), x]))
        : (null as unknown as RawRow);
    } catch {
      yield null as unknown as RawRow;
    }
  }
}
