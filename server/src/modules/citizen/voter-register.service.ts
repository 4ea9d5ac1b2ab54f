import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { createHmac } from 'node:crypto';
import { tcKimlikProblem, TC_KIMLIK_MESSAGES, type Principal, type VoterImportReport } from '@gozcu/shared';
import { AuditService, auditEntry } from '../audit/audit.service';
import { STORE, type VoterRecord, type VotersRepository } from '../store/store.port';
import { VOTER_KEY } from './voter-secret';

const COLUMNS: Record<'tc' | 'province' | 'district' | 'box', string[]> = {
  tc: ['tc', 'tckn', 'tc_kimlik_no', 'tckimlikno', 'id', 'national_id'],
  province: ['province', 'il', 'plate'],
  district: ['district', 'ilce', 'ilçe'],
  box: ['box', 'boxno', 'box_no', 'sandik', 'sandık', 'sandik_no'],
};
const positive = (v: string | undefined, max = Number.MAX_SAFE_INTEGER) => (v && /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= max ? Number(v) : null);

/**
 * The voter-register extract (TC Kimlik No → box). A number is kept only as HMAC-SHA256 under a
 * server key: never in clear in the store, in logs, in errors or in the audit log.
 */
@Injectable()
export class VoterRegisterService {
  constructor(
    @Inject(STORE) private readonly store: VotersRepository,
    @Inject(VOTER_KEY) private readonly key: Buffer,
    /** not written to here any more (the import's record goes with its lines); kept so the register module's callers construct it as before */
    readonly audit?: AuditService,
  ) {}

  hash(tc: string): string {
    return createHmac('sha256', this.key).update(tc.trim()).digest('hex');
  }

  /** CSV with a header naming `tc`, `province`, `district`, `box` (Turkish names too); a report per bad row without its number. */
  async importCsv(csv: string, actor: Principal): Promise<VoterImportReport> {
    let records: string[][];
    try {
      records = parse(csv, { skip_empty_lines: true, trim: true, bom: true, relax_column_count: true });
    } catch (e) {
      // csv-parse quotes the offending line in some messages: keep only its position
      const where = (e as { lines?: number }).lines;
      throw new BadRequestException(`cannot read the CSV${where ? ` (near line ${where})` : ''}`);
    }
    if (records.length < 2) throw new BadRequestException('the CSV needs a header line and at least one row');
    const header = records[0].map((h) => h.toLocaleLowerCase('tr').replace(/\s+/g, '_'));
    const at = Object.fromEntries(Object.entries(COLUMNS).map(([k, names]) => [k, header.findIndex((h) => names.includes(h))])) as Record<
      keyof typeof COLUMNS,
      number
    >;
    const missing = Object.entries(at)
      .filter(([, i]) => i < 0)
      .map(([k]) => k);
    if (missing.length) throw new BadRequestException(`the CSV lacks the columns ${missing.join(', ')} (header: tc,province,district,box)`);
    const importedAt = new Date().toISOString();
    const rejected: VoterImportReport['rejected'] = [];
    const good: VoterRecord[] = [];
    for (let i = 1; i < records.length; i++) {
      const r = records[i];
      const row = i + 1;
      const problem = tcKimlikProblem(r[at.tc] ?? '');
      const province = positive(r[at.province], 81);
      const district = positive(r[at.district]);
      const boxNo = positive(r[at.box]);
      if (problem) rejected.push({ row, issue: TC_KIMLIK_MESSAGES[problem].en });
      else if (province === null) rejected.push({ row, issue: 'province must be a plate code 1–81' });
      else if (district === null) rejected.push({ row, issue: 'district must be a positive whole number (YSK district id)' });
      else if (boxNo === null) rejected.push({ row, issue: 'box must be a positive whole number' });
      else good.push({ hash: this.hash(r[at.tc]), province, district, boxNo, importedAt });
    }
    // every good line and the import's audit record in one transaction (issue 13, finding 15): a failed or killed import stores no line without its record
    const rows = records.length - 1;
    const stored = await this.store.putVotersAudited(good, (n) =>
      auditEntry(actor, 'voters.import', 'voters', null, { rows, stored: n, rejected: rejected.length }),
    );
    return { rows, stored, rejected };
  }

  resolve(tc: string): Promise<VoterRecord | null> {
    return this.store.voterByHash(this.hash(tc));
  }
}
