import mongoose, { type Connection, type Model } from 'mongoose';
import { bulkWriteChunked, UPDATE_STATEMENTS, updateStatementsFor } from '../mongo-bulk';
import { schemas } from './schema';

/** What every repository of the scale-out store shares: the connection, its models and the server's bulk-write size. */
export class MongoContext {
  conn!: Connection;
  m!: { [K in keyof typeof schemas]: Model<any> };
  updateStatements: number = UPDATE_STATEMENTS.ferretdb;

  constructor(
    readonly url: string,
    readonly dbName?: string,
  ) {}

  async open(): Promise<void> {
    this.conn = await mongoose.createConnection(this.url, { dbName: this.dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
    this.m = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, this.conn.model(name, schema, name)])) as unknown as typeof this.m;
    await Promise.all(Object.values(this.m).map((model) => model.createIndexes()));
    this.updateStatements = await updateStatementsFor(this.conn.db!);
  }

  /** A bulk write in commands the server can take (see UPDATE_STATEMENTS). */
  bulk(model: Model<any>, ops: Parameters<Model<any>['bulkWrite']>[0], ordered = false) {
    return bulkWriteChunked(model, ops, this.updateStatements, ordered);
  }

  async close(): Promise<void> {
    await this.conn?.close();
  }

  async ping(): Promise<void> {
    if (this.conn?.readyState !== 1 || !this.conn.db) throw new Error('mongo store is not connected');
    await this.conn.db.admin().ping();
  }
}
