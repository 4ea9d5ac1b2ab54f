import { Controller, Get, Headers, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  boxDetailResponse,
  boxesResponse,
  coverageResponse,
  type BoxSummary,
  type Coverage,
  type EmbargoState,
  type Page,
  type Principal,
} from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission, Scoped } from '../auth/auth.decorators';
import { EmbargoService } from '../auth/embargo.service';
import { boxOfParam, boxesOfScope, narrowRegion, ownBoxesPage, regionOfQuery } from '../auth/scope';
import { boxesCsv, sendCsv, wantsCsv } from './csv';
import { boxesQuery, coverageQuery, type BoxesQuery, type CoverageQuery } from './reconcile.dto';
import { BoxDetailService, type BoxDetail } from './box-detail.service';
import { ReconcileService } from './reconcile.service';

@Controller('api')
export class ReconcileController {
  constructor(
    private readonly reconcile: ReconcileService,
    private readonly detail: BoxDetailService,
    private readonly embargo: EmbargoService,
  ) {}

  /** Coverage counters, vote totals and figures of a scope (country, province or district) for one ballot type. */
  @Get('coverage')
  @ApiResponse(coverageResponse)
  @Permission('coverage:read')
  @Scoped(regionOfQuery)
  coverage(@Query(new ZodPipe(coverageQuery, 'query')) q: CoverageQuery, @CurrentUser() user: Principal): Coverage & { embargo: EmbargoState } {
    return this.embargo.coverage(user, this.reconcile.coverage(narrowRegion(user.scope, q)));
  }

  /** A page of boxes with their status, figures, differences and ages; CSV with ?format=csv or Accept: text/csv. */
  @Get('boxes')
  @ApiResponse(boxesResponse)
  @Permission('boxes:read')
  @Scoped(regionOfQuery)
  boxes(
    @Query(new ZodPipe(boxesQuery, 'query')) q: BoxesQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @CurrentUser() user: Principal,
  ): (Page<BoxSummary> & { embargo: EmbargoState }) | void {
    this.embargo.assertListable(user, q);
    const own = boxesOfScope(user.scope);
    const page = this.embargo.page(
      user,
      own ? ownBoxesPage(own, (key) => this.reconcile.state.summary(key), q) : this.reconcile.boxes(narrowRegion(user.scope, q)),
    );
    if (!wantsCsv(q.format, accept)) return page;
    sendCsv(res, 'sandiklar', boxesCsv(page.items));
  }

  /** One box: every YSK version with its diff and change reason, the entries' history, status and differences. */
  @Get('boxes/:key')
  @ApiResponse(boxDetailResponse)
  @Permission('boxes:read')
  @Scoped(boxOfParam('key'))
  async box(@Param('key') key: string, @CurrentUser() user: Principal): Promise<BoxDetail & { embargo: EmbargoState }> {
    const found = await this.detail.detail(key);
    if (!found) throw new NotFoundException(`no box ${key}`);
    const visible = this.embargo.yskVisible(user);
    return {
      ...found,
      summary: this.embargo.summary(user, found.summary),
      versions: visible ? found.versions : [],
      alteredBeforeSeen: visible ? found.alteredBeforeSeen : null,
      embargo: this.embargo.state(user),
    };
  }
}
