import type { AuditOf, Changed, SettingsRepository } from '../store.port';
import type { SqliteAudit } from './audit.repo';
import type { SqliteContext } from './context';

/** Small JSON settings changed at run time. */
export class SqliteSettings implements SettingsRepository {
  constructor(
    private readonly c: SqliteContext,
    private readonly log: SqliteAudit,
  ) {}

  private get db() {
    return this.c.db;
  }

  async setting<T = unknown>(key: string): Promise<T | null> {
    return this.settingSync<T>(key);
  }

  settingSync<T = unknown>(key: string): T | null {
    const row = this.db.prepare<[string], { value: string }>(`SELECT value FROM settings WHERE key = ?`).get(key);
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async putSetting(key: string, value: unknown): Promise<void> {
    this.putSettingSync(key, value);
  }

  putSettingSync(key: string, value: unknown): void {
    this.db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(key, JSON.stringify(value));
  }

  async putSettingAudited(key: string, value: unknown, audit: AuditOf<Changed<unknown>>): Promise<void> {
    this.log.audited(() => {
      const before = this.settingSync(key);
      this.putSettingSync(key, value);
      return { result: true, done: { before, after: value } };
    }, audit);
  }
}
