import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { JobQueues } from '../../infra/job-queue';
import { yskProviders } from '../../infra/ysk.providers';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { FeedController } from './feed.controller';
import { FeedControls } from './feed-controls';
import { FeedScheduler, YSK_QUEUE } from './feed.scheduler';
import { FeedDiscovery } from './feed-discovery.service';
import { FeedPoller } from './feed-poller.service';
import { FeedReport } from './feed-report.service';
import { FeedService } from './feed.service';
import { SpecialBoxesService } from './special-boxes';

@Module({
  imports: [
    // the stack's BullMQ wiring (@nestjs/bullmq) on the connection and per-election prefix of infra's JobQueues
    BullModule.forRootAsync({ inject: [JobQueues], useFactory: (jobs: JobQueues) => jobs.options({ fastReconnect: true }) }),
    BullModule.registerQueue({ name: YSK_QUEUE }),
    ReconcileModule,
  ],
  providers: [...yskProviders, FeedControls, FeedService, FeedDiscovery, FeedPoller, FeedReport, SpecialBoxesService, FeedScheduler],
  controllers: [FeedController],
  exports: [FeedService, FeedDiscovery, FeedPoller, FeedReport, FeedControls],
})
export class FeedModule {}
