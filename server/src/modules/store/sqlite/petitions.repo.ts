import type { AuditOf, Changed, PetitionFilter, PetitionPatch, PetitionRecord, PetitionsRepository } from '../store.port';
import type { SqliteAudit } from './audit.repo';
import type { SqliteContext } from './context';
import { conditions, toPetition, type PetitionRow } from './rows';
import type { SqliteSettings } from './settings.repo';

/** Petitions to the district election board. */
export class SqlitePetitions implements PetitionsRepository {
  constructor(
    private readonly c: SqliteContext,
    private readonly log: SqliteAudit,
    private readonly settings: SqliteSettings,
  ) {}

  private get db() {
    return this.c.db;
  }

  async createPetition(p: PetitionRecord): Promise<PetitionRecord> {
    return this.createPetitionSync(p);
  }

  private createPetitionSync(p: PetitionRecord): PetitionRecord {
    this.db
      .prepare(
        `INSERT INTO petitions (id, status, election, key, province, district, box_no, ballot, complaint_id, text, deadline, created_at, created_by, updated_at, filed_at, filed_by, reference)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.id,
        p.status,
        p.election,
        p.key,
        p.province,
        p.district,
        p.boxNo,
        p.ballot,
        p.complaintId,
        JSON.stringify(p.text),
        p.deadline,
        p.createdAt,
        p.createdBy,
        p.updatedAt,
        p.filedAt,
        p.filedBy,
        p.reference,
      );
    return { ...p };
  }

  async petition(id: string): Promise<PetitionRecord | null> {
    const row = this.db.prepare<[string], PetitionRow>(`SELECT * FROM petitions WHERE id = ?`).get(id);
    return row ? toPetition(row) : null;
  }

  async updatePetition(id: string, expected: PetitionRecord['status'], patch: PetitionPatch): Promise<PetitionRecord | null> {
    return this.updatePetitionSync(id, expected, patch)?.after ?? null;
  }

  private updatePetitionSync(id: string, expected: PetitionRecord['status'], patch: PetitionPatch): { before: PetitionRecord; after: PetitionRecord } | null {
    return this.db.transaction((): { before: PetitionRecord; after: PetitionRecord } | null => {
      const row = this.db.prepare<[string, string], PetitionRow>(`SELECT * FROM petitions WHERE id = ? AND status = ?`).get(id, expected);
      if (!row) return null;
      const before = toPetition(row);
      const next: PetitionRecord = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
      this.db
        .prepare(`UPDATE petitions SET status = ?, text = ?, deadline = ?, updated_at = ?, filed_at = ?, filed_by = ?, reference = ? WHERE id = ?`)
        .run(next.status, JSON.stringify(next.text), next.deadline, next.updatedAt, next.filedAt, next.filedBy, next.reference, id);
      return { before, after: next };
    })();
  }

  async petitions(filter: PetitionFilter, limit = 1000): Promise<PetitionRecord[]> {
    const { parts, params, add } = conditions();
    if (filter.province !== undefined) add('province = ?', filter.province);
    if (filter.district !== undefined) add('district = ?', filter.district);
    if (filter.key !== undefined) add('key = ?', filter.key);
    if (filter.complaintId !== undefined) add('complaint_id = ?', filter.complaintId);
    if (filter.statuses !== undefined) {
      if (filter.statuses.length) add(`status IN (${filter.statuses.map(() => '?').join(', ')})`, ...filter.statuses);
      else add('0');
    }
    return this.db
      .prepare<unknown[], PetitionRow>(`SELECT * FROM petitions WHERE ${parts.length ? parts.join(' AND ') : '1'} ORDER BY deadline, created_at, id LIMIT ?`)
      .all(...params, limit)
      .map(toPetition);
  }

  async createPetitionAudited(petition: PetitionRecord, audit: AuditOf<PetitionRecord>): Promise<PetitionRecord> {
    return this.log.audited(() => {
      const created = this.createPetitionSync(petition);
      return { result: created, done: created };
    }, audit)!;
  }

  async updatePetitionAudited(
    id: string,
    expected: PetitionRecord['status'],
    patch: PetitionPatch,
    audit: AuditOf<Changed<PetitionRecord>>,
    also: { setting?: { key: string; value: unknown } } = {},
  ): Promise<PetitionRecord | null> {
    return this.log.audited(() => {
      const changed = this.updatePetitionSync(id, expected, patch);
      if (!changed) return null;
      if (also.setting) this.settings.putSettingSync(also.setting.key, also.setting.value);
      return { result: changed.after, done: changed };
    }, audit);
  }

  async moveDraftDeadlinesAudited(
    setting: { key: string; value: unknown },
    drafts: { province: number; district: number; deadline: string; updatedAt: string },
    audit: AuditOf<{ before: unknown; moved: string[] }>,
  ): Promise<string[]> {
    return this.log.audited(() => {
      const before = this.settings.settingSync(setting.key);
      this.settings.putSettingSync(setting.key, setting.value);
      const ids = this.db
        .prepare<[number, number], { id: string }>(
          `SELECT id FROM petitions WHERE province = ? AND district = ? AND status = 'draft' ORDER BY deadline, created_at, id`,
        )
        .all(drafts.province, drafts.district)
        .map((r) => r.id);
      const moved = ids.filter((id) => this.updatePetitionSync(id, 'draft', { deadline: drafts.deadline, updatedAt: drafts.updatedAt }));
      return { result: moved, done: { before, moved } };
    }, audit)!;
  }
}
