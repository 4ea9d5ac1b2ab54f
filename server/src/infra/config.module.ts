import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from './config';
import { SECRET_FILES, secretFilesIn } from './secret-file';

/** Provides the config parsed once at boot (main.ts), and the secret files of its DATA_DIR, to every module. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: SECRET_FILES, useValue: secretFilesIn(config.DATA_DIR) },
      ],
      exports: [APP_CONFIG, SECRET_FILES],
    };
  }
}
