import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntry, Principal } from '@gozcu/shared';
import { STORE, type AuditFilter, type NewAuditEntry, type AuditRepository } from '../store/store.port';

/** An audit record, to write with its change (the store's `…Audited` methods) or alone (`record`). */
export function auditEntry(
  actor: Pick<Principal, 'userId' | 'username' | 'role'> | null,
  action: string,
  target: string,
  before: unknown,
  after: unknown,
  at = new Date(),
): NewAuditEntry {
  return {
    at: at.toISOString(),
    actor: actor ? { id: actor.userId, username: actor.username, role: actor.role } : null,
    action,
    target,
    before: before ?? null,
    after: after ?? null,
  };
}

/** The append-only log of every change a person makes: who, when, what, before and after. */
@Injectable()
export class AuditService {
  constructor(@Inject(STORE) private readonly store: AuditRepository) {}

  record(
    actor: Pick<Principal, 'userId' | 'username' | 'role'> | null,
    action: string,
    target: string,
    before: unknown,
    after: unknown,
    at = new Date(),
  ): Promise<AuditEntry> {
    return this.store.appendAudit(auditEntry(actor, action, target, before, after, at));
  }

  async list(filter: AuditFilter, page: { before?: string; limit?: number }): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const limit = page.limit ?? 100;
    const items = await this.store.audit(filter, { before: page.before, limit: limit + 1 });
    const more = items.length > limit;
    const shown = items.slice(0, limit);
    return { items: shown, nextCursor: more ? shown[shown.length - 1].id : null };
  }
}
