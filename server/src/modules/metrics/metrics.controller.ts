import { Controller, Get, Header } from '@nestjs/common';
import type { Principal } from '@gozcu/shared';
import { MetricsService } from './metrics.service';
import { CurrentUser, Permission, Public } from '../auth/auth.decorators';
import { EmbargoService } from '../auth/embargo.service';

@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly embargo: EmbargoService,
  ) {}

  /** Prometheus text. YSK-derived counts only for a signed-in caller with feed:read who sees YSK's figures now. */
  @Get('metrics')
  @Public((config) => config.METRICS_PUBLIC)
  @Permission('feed:read')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(@CurrentUser() user: Principal | undefined): Promise<string> {
    const withYsk = !!user && user.permissions.includes('feed:read') && this.embargo.yskVisible(user);
    return this.metrics.scrape(withYsk);
  }
}
