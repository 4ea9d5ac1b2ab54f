import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { MongoStore } from './mongo.store';
import { SqliteStore } from './sqlite.store';
import { STORE, type Store, type StoreConnection } from './store.port';

export async function openStore(config: Pick<AppConfig, 'MONGO_URL' | 'DATA_DIR'> & Partial<Pick<AppConfig, 'SQLITE_BUSY_TIMEOUT_MS'>>): Promise<Store> {
  const store = config.MONGO_URL
    ? new MongoStore(config.MONGO_URL)
    : new SqliteStore(join(config.DATA_DIR, 'gozcu.sqlite'), { busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS });
  await store.init();
  return store;
}

@Global()
@Module({
  providers: [{ provide: STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openStore(config) }],
  exports: [STORE],
})
export class StoreModule implements OnApplicationShutdown {
  constructor(@Inject(STORE) private readonly store: StoreConnection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
