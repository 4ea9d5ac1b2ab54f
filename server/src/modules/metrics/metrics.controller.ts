import { Controller, Get, Header } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { Permission, Public } from '../auth/auth.decorators';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Public((config) => config.METRICS_PUBLIC)
  @Permission('feed:read')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
