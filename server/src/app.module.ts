import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './infra/config';
import { ClockModule } from './infra/clock';
import { ConfigModule } from './infra/config.module';
import { RedisModule } from './infra/redis.module';
import { HealthModule } from './modules/health/health.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { EntriesModule } from './modules/entries/entries.module';
import { ReconcileModule } from './modules/reconcile/reconcile.module';
import { ReferenceModule } from './modules/reference/reference.module';
import { EventsModule } from './infra/events.module';
import { LiveModule } from './modules/live/live.module';
import { FeedModule } from './modules/feed/feed.module';
import { StoreModule } from './modules/store/store.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { CitizenModule } from './modules/citizen/citizen.module';
import { ComplaintsModule } from './modules/complaints/complaints.module';
import { PetitionsModule } from './modules/petitions/petitions.module';
import { PhotosModule } from './modules/photos/photos.module';
import { RegionsModule } from './modules/regions/regions.module';
import { BackofficeModule } from './modules/backoffice/backoffice.module';
import { AlertsModule } from './modules/alerts/alerts.module';
import { RegisterModule } from './modules/register/register.module';
import { DocsModule } from './modules/docs/docs.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
        }),
        RedisModule,
        StoreModule,
        AuditModule,
        AuthModule,
        HealthModule,
        MetricsModule,
        EventsModule,
        ReferenceModule,
        ReconcileModule,
        EntriesModule,
        LiveModule,
        FeedModule,
        CitizenModule,
        PhotosModule,
        ComplaintsModule,
        PetitionsModule,
        RegionsModule,
        BackofficeModule,
        AlertsModule,
        RegisterModule,
        DocsModule,
      ],
    };
  }
}
