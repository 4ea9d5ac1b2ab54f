import type { AuditOf, Changed, SettingsRepository } from '../store.port';
import type { MongoAudit } from './audit.repo';
import type { MongoContext } from './context';
import { upsertRetrying } from './docs';

/** Small JSON settings changed at run time. */
export class MongoSettings implements SettingsRepository {
  constructor(
    private readonly c: MongoContext,
    private readonly log: MongoAudit,
  ) {}

  private get m() {
    return this.c.m;
  }

  async setting<T = unknown>(key: string): Promise<T | null> {
    const doc = await this.m.settings.findById(key).lean<{ value: T }>();
    return doc ? doc.value : null;
  }

  async putSetting(key: string, value: unknown): Promise<void> {
    await upsertRetrying(() => this.m.settings.updateOne({ _id: key }, { $set: { value } }, { upsert: true }));
  }

  async putSettingAudited(key: string, value: unknown, audit: AuditOf<Changed<unknown>>): Promise<void> {
    const before = await this.setting(key);
    const record = audit({ before, after: value });
    if (record) await this.log.writeRecord(record);
    await this.putSetting(key, value);
  }
}
