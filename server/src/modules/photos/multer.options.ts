import { MulterModule } from '@nestjs/platform-express';
import { APP_CONFIG, type AppConfig } from '../../infra/config';

/** Multipart uploads held in memory, each file at most UPLOAD_MAX_BYTES (multer answers 413 past it), at most 5 files. */
export const uploadsModule = () =>
  MulterModule.registerAsync({
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => ({
      limits: { fileSize: config.UPLOAD_MAX_BYTES, files: 5, fields: 20, fieldSize: 64 * 1024, parts: 30 },
    }),
  });
