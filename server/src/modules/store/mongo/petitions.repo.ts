import type { AuditOf, Changed, PetitionFilter, PetitionPatch, PetitionRecord, PetitionsRepository } from '../store.port';
import type { MongoAudit } from './audit.repo';
import type { MongoContext } from './context';
import { upsertRetrying, withId } from './docs';
import type { MongoSettings } from './settings.repo';

/** Petitions to the district election board. */
export class MongoPetitions implements PetitionsRepository {
  constructor(
    private readonly c: MongoContext,
    private readonly log: MongoAudit,
    private readonly settings: MongoSettings,
  ) {}

  private get m() {
    return this.c.m;
  }

  async createPetition(p: PetitionRecord): Promise<PetitionRecord> {
    const { id, ...rest } = p;
    await this.m.petitions.insertMany([{ _id: id, ...rest }]);
    return { ...p };
  }

  private toPetition(d: (Omit<PetitionRecord, 'id'> & { _id: string }) | null): PetitionRecord | null {
    if (!d) return null;
    const p = withId<PetitionRecord>(d);
    return { ...p, complaintId: p.complaintId ?? null, filedAt: p.filedAt ?? null, filedBy: p.filedBy ?? null, reference: p.reference ?? null };
  }

  async petition(id: string): Promise<PetitionRecord | null> {
    return this.toPetition(await this.m.petitions.findById(id).lean());
  }

  async updatePetition(id: string, expected: PetitionRecord['status'], patch: PetitionPatch): Promise<PetitionRecord | null> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    return this.toPetition(await this.m.petitions.findOneAndUpdate({ _id: id, status: expected }, { $set: set }, { returnDocument: 'after' }).lean());
  }

  async petitions(filter: PetitionFilter, limit = 1000): Promise<PetitionRecord[]> {
    const q: Record<string, unknown> = {};
    if (filter.province !== undefined) q.province = filter.province;
    if (filter.district !== undefined) q.district = filter.district;
    if (filter.key !== undefined) q.key = filter.key;
    if (filter.complaintId !== undefined) q.complaintId = filter.complaintId;
    if (filter.statuses !== undefined) q.status = { $in: filter.statuses };
    const docs = await this.m.petitions.find(q).sort({ deadline: 1, createdAt: 1, _id: 1 }).limit(limit).lean();
    return docs.map((d) => this.toPetition(d as never)!);
  }

  async createPetitionAudited(petition: PetitionRecord, audit: AuditOf<PetitionRecord>): Promise<PetitionRecord> {
    const record = audit({ ...petition });
    if (record) await this.log.writeRecord(record);
    const { id, ...rest } = petition;
    await upsertRetrying(() => this.m.petitions.updateOne({ _id: id }, { $setOnInsert: rest }, { upsert: true }));
    return { ...petition };
  }

  async updatePetitionAudited(
    id: string,
    expected: PetitionRecord['status'],
    patch: PetitionPatch,
    audit: AuditOf<Changed<PetitionRecord>>,
    also: { setting?: { key: string; value: unknown } } = {},
  ): Promise<PetitionRecord | null> {
    const before = await this.petition(id);
    if (!before || before.status !== expected) return null;
    const after: PetitionRecord = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    const record = audit({ before, after });
    const rid = record ? await this.log.writeRecord(record) : null;
    const done = await this.updatePetition(id, expected, patch);
    if (!done) {
      if (rid) await this.log.voidRecord(rid, record!, `the petition was no longer ${expected}`);
      return null;
    }
    if (also.setting) await this.settings.putSetting(also.setting.key, also.setting.value);
    return done;
  }

  async moveDraftDeadlinesAudited(
    setting: { key: string; value: unknown },
    drafts: { province: number; district: number; deadline: string; updatedAt: string },
    audit: AuditOf<{ before: unknown; moved: string[] }>,
  ): Promise<string[]> {
    const before = await this.settings.setting(setting.key);
    const ids = (await this.petitions({ province: drafts.province, district: drafts.district, statuses: ['draft'] }, 100_000)).map((p) => p.id);
    const record = audit({ before, moved: ids });
    const rid = record ? await this.log.writeRecord(record) : null;
    await this.settings.putSetting(setting.key, setting.value);
    const moved: string[] = [];
    for (const id of ids) if (await this.updatePetition(id, 'draft', { deadline: drafts.deadline, updatedAt: drafts.updatedAt })) moved.push(id);
    if (rid && moved.length < ids.length)
      await this.log.voidRecord(rid, record!, 'drafts filed meanwhile keep their deadline', { notMoved: ids.filter((i) => !moved.includes(i)) });
    return moved;
  }
}
