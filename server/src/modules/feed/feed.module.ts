import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { yskProviders } from '../../infra/ysk.providers';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { FeedController } from './feed.controller';
import { FeedControls } from './feed-controls';
import { FeedScheduler, redisRetry, YSK_QUEUE } from './feed.scheduler';
import { FeedDiscovery } from './feed-discovery.service';
import { FeedPoller } from './feed-poller.service';
import { FeedReport } from './feed-report.service';
import { FeedService } from './feed.service';
import { SpecialBoxesService } from './special-boxes';

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      // one queue namespace per election, so two elections (or two test runs) never share jobs
      useFactory: (config: AppConfig) => ({
        connection: { url: config.REDIS_URL, maxRetriesPerRequest: null, retryStrategy: redisRetry },
        prefix: `gozcu:${config.YSK_ELECTION_ID}`,
      }),
    }),
    BullModule.registerQueue({ name: YSK_QUEUE }),
    ReconcileModule,
  ],
  providers: [...yskProviders, FeedControls, FeedService, FeedDiscovery, FeedPoller, FeedReport, SpecialBoxesService, FeedScheduler],
  controllers: [FeedController],
  exports: [FeedService, FeedDiscovery, FeedPoller, FeedReport, FeedControls],
})
export class FeedModule {}
