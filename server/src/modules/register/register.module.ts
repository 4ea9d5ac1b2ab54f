import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { CitizenModule } from '../citizen/citizen.module';
import { PetitionsModule } from '../petitions/petitions.module';
import { RegisterChecksService } from './register-checks.service';
import { RegisterController } from './register.controller';
import { RegisterImportService } from './register-import.service';
import { MongoRegisterStore } from './register.mongo';
import { REGISTER_STORE, type RegisterStore } from './register.port';
import { RegisterSeedService } from './register-seed.service';
import { RegisterService } from './register.service';
import { SqliteRegisterStore } from './register.sqlite';

export async function openRegisterStore(config: Pick<AppConfig, 'MONGO_URL' | 'DATA_DIR'>): Promise<RegisterStore> {
  const store = config.MONGO_URL ? new MongoRegisterStore(config.MONGO_URL) : new SqliteRegisterStore(join(config.DATA_DIR, 'register.sqlite'));
  await store.init();
  return store;
}

/** e-seçmen: the voter-register import, the citizen's check, anomalies, lost voters and objections. */
@Module({
  imports: [CitizenModule, PetitionsModule],
  providers: [
    { provide: REGISTER_STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openRegisterStore(config) },
    RegisterChecksService,
    RegisterImportService,
    RegisterService,
    RegisterSeedService,
  ],
  controllers: [RegisterController],
  exports: [RegisterSeedService, RegisterChecksService, RegisterImportService, REGISTER_STORE],
})
export class RegisterModule implements OnApplicationShutdown {
  constructor(@Inject(REGISTER_STORE) private readonly store: RegisterStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
