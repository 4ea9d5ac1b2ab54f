import mongoose from 'mongoose';
import type { BlobsRepository } from '../store.port';
import type { MongoContext } from './context';

const BLOB_ID = /^[0-9a-f]{64}$/;

/** File bytes by their SHA-256, in GridFS. */
export class MongoBlobs implements BlobsRepository {
  constructor(private readonly c: MongoContext) {}

  private bucket() {
    return new mongoose.mongo.GridFSBucket(this.c.conn.db!, { bucketName: 'blobs' });
  }

  async putBlob(id: string, data: Buffer): Promise<void> {
    if (!BLOB_ID.test(id)) throw new RangeError('a blob id is a SHA-256 hex digest');
    const bucket = this.bucket();
    if (await bucket.find({ filename: id }).limit(1).hasNext()) return;
    await new Promise<void>((resolve, reject) => {
      const up = bucket.openUploadStream(id);
      up.once('error', reject).once('finish', () => resolve());
      up.end(data);
    });
  }

  async blob(id: string): Promise<Buffer | null> {
    if (!BLOB_ID.test(id)) throw new RangeError('a blob id is a SHA-256 hex digest');
    const bucket = this.bucket();
    if (!(await bucket.find({ filename: id }).limit(1).hasNext())) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStreamByName(id)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
