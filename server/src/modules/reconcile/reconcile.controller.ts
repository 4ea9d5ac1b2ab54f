import { Controller, Get, Headers, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { BoxSummary, Coverage, Page } from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { boxesCsv, sendCsv, wantsCsv } from './csv';
import { boxesQuery, coverageQuery, type BoxesQuery, type CoverageQuery } from './reconcile.dto';
import { BoxDetailService, type BoxDetail } from './box-detail.service';
import { ReconcileService } from './reconcile.service';

@Controller('api')
export class ReconcileController {
  constructor(
    private readonly reconcile: ReconcileService,
    private readonly detail: BoxDetailService,
  ) {}

  /** Coverage counters, vote totals and figures of a scope (country, province or district) for one ballot type. */
  @Get('coverage')
  coverage(@Query(new ZodPipe(coverageQuery, 'query')) q: CoverageQuery): Coverage {
    return this.reconcile.coverage(q);
  }

  /** A page of boxes with their status, figures, differences and ages; CSV with ?format=csv or Accept: text/csv. */
  @Get('boxes')
  boxes(@Query(new ZodPipe(boxesQuery, 'query')) q: BoxesQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response): Page<BoxSummary> | void {
    const page = this.reconcile.boxes(q);
    if (!wantsCsv(q.format, accept)) return page;
    sendCsv(res, 'sandiklar', boxesCsv(page.items));
  }

  /** One box: every YSK version with its diff and change reason, the entries' history, status and differences. */
  @Get('boxes/:key')
  async box(@Param('key') key: string): Promise<BoxDetail> {
    const found = await this.detail.detail(key);
    if (!found) throw new NotFoundException(`no box ${key}`);
    return found;
  }
}
