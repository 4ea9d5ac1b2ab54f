import type { ChangesRepository, StoreWatermark } from '../store.port';

export class MongoChanges implements ChangesRepository {
  /** No change log here (several nodes write): every start rebuilds the reconciliation in full. */
  async watermark(): Promise<null> {
    return null;
  }

  async changedSince(_election: string, _mark: StoreWatermark, _limit: number): Promise<null> {
    return null;
  }
}
