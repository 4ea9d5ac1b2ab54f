import { Global, Module } from '@nestjs/common';
import { FeedMetrics } from './feed-metrics.listener';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({ providers: [MetricsService, FeedMetrics], controllers: [MetricsController], exports: [MetricsService] })
export class MetricsModule {}
