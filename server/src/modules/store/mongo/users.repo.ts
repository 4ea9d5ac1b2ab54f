import type { AuditOf, Changed, RefreshTokenRecord, UserFilter, UserPatch, UserRecord, UsersRepository } from '../store.port';
import type { MongoAudit } from './audit.repo';
import type { MongoContext } from './context';
import { toUser, type UserDoc } from './docs';

/** Users and their refresh tokens. */
export class MongoUsers implements UsersRepository {
  constructor(
    private readonly c: MongoContext,
    private readonly log: MongoAudit,
  ) {}

  private get m() {
    return this.c.m;
  }

  async createUser(u: UserRecord): Promise<UserRecord | null> {
    const { id, ...rest } = u;
    try {
      await this.m.users.insertMany([{ _id: id, ...rest }]);
      return { ...u };
    } catch (e) {
      if ((e as { code?: number }).code === 11000) return null;
      throw e;
    }
  }

  async userById(id: string): Promise<UserRecord | null> {
    const doc = await this.m.users.findById(id).lean<UserDoc>();
    return doc ? toUser(doc) : null;
  }

  async userByName(username: string): Promise<UserRecord | null> {
    const doc = await this.m.users.findOne({ username }).lean<UserDoc>();
    return doc ? toUser(doc) : null;
  }

  async users(filter: UserFilter, page: { after?: string; limit?: number } = {}): Promise<UserRecord[]> {
    const query: Record<string, unknown> = {};
    if (filter.role !== undefined) query.role = filter.role;
    if (filter.province !== undefined) query['scope.province'] = filter.province;
    if (filter.district !== undefined) query['scope.district'] = filter.district;
    if (page.after !== undefined) query.username = { $gt: page.after };
    const docs = await this.m.users
      .find(query)
      .sort({ username: 1 })
      .limit(page.limit ?? 1000)
      .lean<UserDoc[]>();
    return docs.map(toUser);
  }

  async updateUser(id: string, patch: UserPatch): Promise<UserRecord | null> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const doc = await this.m.users.findOneAndUpdate({ _id: id }, Object.keys(set).length ? { $set: set } : {}, { returnDocument: 'after' }).lean<UserDoc>();
    return doc ? toUser(doc) : null;
  }

  async countFailedLogin(id: string): Promise<number> {
    const doc = await this.m.users.findOneAndUpdate({ _id: id }, { $inc: { failedLogins: 1 } }, { returnDocument: 'after' }).lean<UserDoc>();
    return doc?.failedLogins ?? 0;
  }

  async putRefreshToken(t: RefreshTokenRecord): Promise<void> {
    const { hash, ...rest } = t;
    await this.m.refreshTokens.insertMany([{ _id: hash, ...rest }]);
  }

  async refreshToken(hash: string): Promise<RefreshTokenRecord | null> {
    const doc = await this.m.refreshTokens.findById(hash).lean<Omit<RefreshTokenRecord, 'hash'> & { _id: string }>();
    return doc ? { hash: doc._id, userId: doc.userId, createdAt: doc.createdAt, expiresAt: doc.expiresAt, revokedAt: doc.revokedAt ?? null } : null;
  }

  async revokeRefreshToken(hash: string, at: string): Promise<boolean> {
    const res = await this.m.refreshTokens.updateOne({ _id: hash, revokedAt: null }, { $set: { revokedAt: at } });
    return res.modifiedCount === 1;
  }

  async revokeRefreshTokens(userId: string, at: string): Promise<number> {
    const res = await this.m.refreshTokens.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: at } });
    return res.modifiedCount;
  }

  async createUserAudited(user: UserRecord, audit: AuditOf<UserRecord>): Promise<UserRecord | null> {
    if (await this.m.users.exists({ $or: [{ _id: user.id }, { username: user.username }] })) return null;
    const record = audit({ ...user });
    const id = record ? await this.log.writeRecord(record) : null;
    const created = await this.createUser(user);
    if (!created && id) await this.log.voidRecord(id, record!, 'the username was taken meanwhile');
    return created;
  }

  async updateUserAudited(
    id: string,
    patch: UserPatch,
    audit: AuditOf<Changed<UserRecord>>,
    opts: { revokeRefreshTokensAt?: string } = {},
  ): Promise<UserRecord | null> {
    const before = await this.userById(id);
    if (!before) return null;
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as UserPatch;
    const record = audit({ before, after: { ...before, ...set } });
    if (record) await this.log.writeRecord(record);
    const after = await this.updateUser(id, set);
    if (opts.revokeRefreshTokensAt) await this.revokeRefreshTokens(id, opts.revokeRefreshTokensAt);
    return after;
  }
}
